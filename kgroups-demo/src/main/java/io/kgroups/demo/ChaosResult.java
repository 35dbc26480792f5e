package io.kgroups.demo;

import io.kgroups.orders.LoadVerification;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a chaos run did and found. {@code verification} is the table checked against what Kafka
 * acknowledged; null when the run was stopped ({@link StopRequest}) before the check.
 */
public record ChaosResult(long seed, List<Kill> kills, List<BrokerStop> brokerStops, int loadersEndedByThemselves,
        boolean caughtUp, LoadVerification verification) {

    /** A loader killed with SIGKILL {@code at} the time from the start, and how long until every partition was loaded again (null: not within 120 s). */
    public record Kill(String loader, Duration at, Duration recovery) { }

    /** A broker stopped and started again, times from the start. */
    public record BrokerStop(int broker, Duration stoppedAt, Duration startedAt) { }

    public ChaosResult {
        kills = List.copyOf(kills);
        brokerStops = List.copyOf(brokerStops);
    }

    public boolean stopped() {
        return verification == null;
    }

    /** The worst time from a kill to every partition loaded again; zero with no recovered kill. */
    public Duration maxRecovery() {
        return kills.stream().map(Kill::recovery).filter(Objects::nonNull).max(Duration::compareTo).orElse(Duration.ZERO);
    }

    /** Kills after which the group did not load every partition within 120 s. */
    public long unrecovered() {
        return kills.stream().filter(k -> k.recovery() == null).count();
    }
}
