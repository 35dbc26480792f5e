package io.kgroups.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.kgroups.consumer.ConsumerState;
import io.kgroups.consumer.Health;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Health from signals, case by case. */
class HealthCheckTest {

    /** A running member with two partitions, polling, nothing stuck, commits fine, no lag. */
    private static HealthCheck.Signals healthy() {
        return new HealthCheck.Signals(ConsumerState.RUNNING, null, 50, 300_000, true, 2, 0, null, 60_000, 0, 3, 0,
                Long.MAX_VALUE, null, 0, 10_000);
    }

    private static HealthCheck.Signals with(UnaryOperator<Object[]> change) {
        HealthCheck.Signals h = healthy();
        Object[] v = {h.state(), h.failure(), h.sincePollMs(), h.maxPollIntervalMs(), h.member(), h.assignedPartitions(),
            h.oldestBusyMs(), h.oldestBusyRecord(), h.stuckThresholdMs(), h.consecutiveCommitFailures(),
            h.commitFailureThreshold(), h.totalLag(), h.lagThreshold(), h.heldPartition(), h.heldMs(), h.revokeTimeoutMs()};
        v = change.apply(v);
        return new HealthCheck.Signals((ConsumerState) v[0], (String) v[1], (long) v[2], (long) v[3], (boolean) v[4],
                (int) v[5], (long) v[6], (String) v[7], (long) v[8], (int) v[9], (int) v[10], (long) v[11], (long) v[12],
                (String) v[13], (long) v[14], (long) v[15]);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("healthy", healthy(), Health.Status.UP, null),
                Arguments.of("idle member", with(v -> set(v, 5, 0)), Health.Status.UP, "idle: no partitions assigned"),
                Arguments.of("failed", with(v -> set(set(v, 0, ConsumerState.FAILED), 1, "handler failed on orders-0@7")),
                        Health.Status.DOWN, "failed: handler failed on orders-0@7"),
                Arguments.of("stopped", with(v -> set(v, 0, ConsumerState.STOPPED)), Health.Status.DOWN, "stopped"),
                Arguments.of("not started", with(v -> set(v, 0, ConsumerState.CREATED)), Health.Status.DOWN, "not started"),
                Arguments.of("poll loop stalled", with(v -> set(v, 2, 400_000L)), Health.Status.DOWN,
                        "poll loop has not polled for 400s (max.poll.interval.ms is 300000)"),
                Arguments.of("poll loop slow", with(v -> set(v, 2, 200_000L)), Health.Status.DEGRADED, "poll loop slow"),
                Arguments.of("joining", with(v -> set(set(v, 0, ConsumerState.STARTING), 4, false)), Health.Status.DEGRADED,
                        "joining the group"),
                Arguments.of("lost membership", with(v -> set(v, 4, false)), Health.Status.DEGRADED, "not a member of the group"),
                Arguments.of("stuck handler", with(v -> set(set(v, 6, 75_000L), 7, "orders-3@42")), Health.Status.DEGRADED,
                        "handler busy with orders-3@42 for 75s (threshold 60s)"),
                Arguments.of("busy but not stuck", with(v -> set(set(v, 6, 59_000L), 7, "orders-3@42")), Health.Status.UP, null),
                Arguments.of("commits failing", with(v -> set(v, 9, 3)), Health.Status.DEGRADED, "3 commits in a row failed"),
                Arguments.of("one commit failed", with(v -> set(v, 9, 1)), Health.Status.UP, null),
                Arguments.of("lag over threshold", with(v -> set(set(v, 11, 5_000L), 12, 1_000L)), Health.Status.DEGRADED,
                        "lag 5000 is over the threshold 1000"),
                Arguments.of("held past the revoke timeout", with(v -> set(set(v, 13, "orders-2"), 14, 12_000L)),
                        Health.Status.DEGRADED, "partition orders-2 held for 12s: a handler of its previous assignment still runs"),
                Arguments.of("held briefly", with(v -> set(set(v, 13, "orders-2"), 14, 3_000L)), Health.Status.UP, null),
                Arguments.of("lag at threshold", with(v -> set(set(v, 11, 1_000L), 12, 1_000L)), Health.Status.UP, null),
                Arguments.of("failed and stuck: down, both said", with(v -> set(set(set(set(v, 0, ConsumerState.FAILED), 1, "x"),
                        6, 75_000L), 7, "orders-0@1")), Health.Status.DOWN, "handler busy with orders-0@1"));
    }

    private static Object[] set(Object[] values, int index, Object value) {
        values[index] = value;
        return values;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void evaluates(String name, HealthCheck.Signals signals, Health.Status status, String reason) {
        Health health = HealthCheck.evaluate(signals);
        assertThat(health.status()).isEqualTo(status);
        if (reason == null) {
            assertThat(health.reasons()).isEmpty();
        } else {
            assertThat(health.reasons()).anySatisfy(r -> assertThat(r).contains(reason));
        }
    }
}
