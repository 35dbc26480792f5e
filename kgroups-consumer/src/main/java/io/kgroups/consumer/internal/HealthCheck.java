package io.kgroups.consumer.internal;

import io.kgroups.consumer.ConsumerState;
import io.kgroups.consumer.Health;
import java.util.ArrayList;
import java.util.List;

/**
 * Health as a pure function of what the consumer last saw, so that it is cheap to ask every
 * second and can be tested case by case.
 */
public final class HealthCheck {
    private HealthCheck() {
    }

    /**
     * What health is judged from.
     *
     * @param sincePollMs time since the poll loop last returned from poll
     * @param oldestBusyMs how long the oldest record in a handler has been there (0 if none)
     * @param oldestBusyRecord which record that is, for the reason text
     * @param heldPartition the partition held the longest (assigned again while a handler of its
     *     previous assignment still runs), or null
     */
    public record Signals(
            ConsumerState state,
            String failure,
            long sincePollMs,
            long maxPollIntervalMs,
            boolean member,
            int assignedPartitions,
            long oldestBusyMs,
            String oldestBusyRecord,
            long stuckThresholdMs,
            int consecutiveCommitFailures,
            int commitFailureThreshold,
            long totalLag,
            long lagThreshold,
            String heldPartition,
            long heldMs,
            long revokeTimeoutMs) {
    }

    public static Health evaluate(Signals s) {
        List<String> down = new ArrayList<>();
        List<String> degraded = new ArrayList<>();
        switch (s.state()) {
            case FAILED -> down.add("failed: " + s.failure());
            case CREATED -> down.add("not started");
            case STOPPING, STOPPED -> down.add("stopped");
            default -> {
                if (s.sincePollMs() > s.maxPollIntervalMs()) {
                    down.add("poll loop has not polled for " + seconds(s.sincePollMs()) + " (max.poll.interval.ms is "
                            + s.maxPollIntervalMs() + ")");
                } else if (s.sincePollMs() > s.maxPollIntervalMs() / 2) {
                    degraded.add("poll loop slow: last poll " + seconds(s.sincePollMs()) + " ago");
                }
                if (!s.member()) {
                    degraded.add(s.state() == ConsumerState.STARTING ? "joining the group" : "not a member of the group");
                }
            }
        }
        if (s.oldestBusyMs() > s.stuckThresholdMs()) {
            degraded.add("handler busy with " + s.oldestBusyRecord() + " for " + seconds(s.oldestBusyMs())
                    + " (threshold " + seconds(s.stuckThresholdMs()) + ")");
        }
        if (s.consecutiveCommitFailures() >= s.commitFailureThreshold()) {
            degraded.add(s.consecutiveCommitFailures() + " commits in a row failed");
        }
        if (s.heldPartition() != null && s.heldMs() > s.revokeTimeoutMs()) {
            degraded.add("partition " + s.heldPartition() + " held for " + seconds(s.heldMs()) + ": a handler of its previous "
                    + "assignment still runs; it starts when that returns, so that no record runs twice at once");
        }
        if (s.totalLag() > s.lagThreshold()) {
            degraded.add("lag " + s.totalLag() + " is over the threshold " + s.lagThreshold());
        }
        if (!down.isEmpty()) {
            down.addAll(degraded);
            return new Health(Health.Status.DOWN, down);
        }
        if (!degraded.isEmpty()) {
            return new Health(Health.Status.DEGRADED, degraded);
        }
        if (s.member() && s.assignedPartitions() == 0) {
            return new Health(Health.Status.UP, List.of("idle: no partitions assigned (the group has more members than partitions)"));
        }
        return new Health(Health.Status.UP, List.of());
    }

    private static String seconds(long ms) {
        return ms < 10_000 ? String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000.0) : (ms / 1000) + "s";
    }
}
