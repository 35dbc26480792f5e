package io.kgroups.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * What a chaos run does and when, drawn from a seed before it starts, so that a failing run can be
 * replayed: a loader killed every {@code killEvery} (none in the last stretch, so that the last
 * recovery is measured while orders still flow), and one broker stopped half-way and started again.
 * Times are from the start of the run.
 */
public record ChaosSchedule(long seed, List<PlannedKill> kills, int broker, Duration brokerStopAt, Duration brokerStartAt) {
    /** The last kill is at least this long before the end. */
    private static final Duration QUIET_END = Duration.ofSeconds(20);
    /** The broker stays down a sixth of the run, at most this long. */
    private static final Duration BROKER_DOWN_AT_MOST = Duration.ofSeconds(20);

    /** Kill loader number {@code loader} (0-based) at {@code at}. */
    public record PlannedKill(Duration at, int loader) { }

    public ChaosSchedule {
        kills = List.copyOf(kills);
    }

    public static ChaosSchedule plan(long seed, Duration duration, Duration killEvery, int loaders, int brokers) {
        Random random = new Random(seed);
        int broker = 1 + random.nextInt(brokers);
        Duration lastKill = duration.minus(killEvery.compareTo(QUIET_END) > 0 ? killEvery : QUIET_END);
        List<PlannedKill> kills = new ArrayList<>();
        for (Duration at = killEvery; at.compareTo(lastKill) < 0; at = at.plus(killEvery)) {
            kills.add(new PlannedKill(at, random.nextInt(loaders)));
        }
        Duration stopAt = duration.dividedBy(2);
        Duration down = duration.dividedBy(6);
        return new ChaosSchedule(seed, kills, broker, stopAt,
                stopAt.plus(down.compareTo(BROKER_DOWN_AT_MOST) < 0 ? down : BROKER_DOWN_AT_MOST));
    }
}
