package io.kgroups.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The scaling advice against KEDA's Kafka scaler on the same numbers. KEDA's formula (its
 * {@code kafka} trigger at its defaults: offsetResetPolicy latest, allowIdleConsumers false,
 * activationLagThreshold 0, metricType AverageValue): per partition lag = log-end minus committed
 * (1 where nothing is committed), summed; 0 replicas at no lag; else ceil(sum / lagThreshold),
 * capped at the partition count. Each row says where the two agree and why kgroups differs where
 * it does.
 */
class ScalingAdviceTest {
    private static final long NONE = -1;

    /** A partition: its lag (NONE: not committed yet), records of it deleted unread, status, time lag. */
    private record P(long lag, long deletedUnread, Status status, Double lagSeconds) {
        static P lag(long lag) {
            return new P(lag, 0, Status.OK, lag == 0 ? 0.0 : 10.0);
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                row("steady lag, one member per 100 records", "consumer", 2, 100, 6, 6, "agree",
                        P.lag(100), P.lag(100), P.lag(100), P.lag(100), P.lag(100), P.lag(100)),
                row("more lag than the partitions can use", "consumer", 1, 100, 3, 3, "agree",
                        P.lag(1000), P.lag(1000), P.lag(1000)),
                row("no lag: scale to zero", "consumer", 3, 100, 0, 0, "agree", P.lag(0), P.lag(0), P.lag(0)),
                row("a little lag: one member", "consumer", 0, 100, 1, 1, "agree", P.lag(5), P.lag(0)),
                row("a poison pill: one partition STALLED with 10,000 waiting", "consumer", 4, 100, 2, 5,
                        "differ: kgroups leaves the stalled partition out (another member would not move it)",
                        new P(10_000, 0, Status.STALLED, 600.0), P.lag(50), P.lag(50), P.lag(50), P.lag(0)),
                row("only a stalled partition waits", "consumer", 3, 100, 1, 3,
                        "differ: kgroups keeps one member, KEDA scales for lag no member can move",
                        new P(500, 0, Status.STALLED, 600.0), P.lag(0), P.lag(0)),
                row("retention deleted 4,950 of 5,000 unread", "consumer", 1, 100, 1, 6,
                        "differ: kgroups leaves records deleted unread out (the next fetch skips them)",
                        new P(5_000, 4_950, Status.AT_RISK, 3_600.0), P.lag(0), P.lag(0), P.lag(0), P.lag(0), P.lag(0)),
                row("not committed yet, no member", "consumer", 0, 100, 1, 1, "agree (KEDA counts lag 1 there)",
                        new P(NONE, 0, Status.UNKNOWN, null)),
                row("a share group: members share partitions", "share", 2, 100, 20, 2,
                        "differ on purpose: no partition cap for a share group",
                        P.lag(1000), P.lag(1000)),
                row("a streams group is capped like a consumer group", "streams", 1, 10, 2, 2, "agree",
                        P.lag(500), P.lag(500)));
    }

    private static Arguments row(String name, String type, int members, long threshold, int kgroups, int keda,
            String verdict, P... partitions) {
        return Arguments.of(name, group(type, members, partitions), threshold, kgroups, keda, verdict);
    }

    @ParameterizedTest(name = "{0}: kgroups {3}, KEDA {4} ({5})")
    @MethodSource("cases")
    void recordsBasisAgainstKedasFormula(String name, GroupStatus group, long threshold, int kgroups, int keda,
            String verdict) {
        ScalingAdvice advice = ScalingAdvice.of(group, ScalingAdvice.Basis.RECORDS, threshold);
        assertThat(advice.replicas()).as("kgroups; its reasoning: %s", advice.reasoning()).isEqualTo(kgroups);
        assertThat(kedaReplicas(group, threshold)).as("KEDA's formula").isEqualTo(keda);
        assertThat(verdict).as("the table's verdict").startsWith(kgroups == keda ? "agree" : "differ");
        assertThat(advice.reasoning()).last().asString().startsWith(kgroups + (kgroups == 1 ? " member" : " members"));
    }

    /** KEDA's kafka trigger at its defaults, as the class comment says. */
    private static int kedaReplicas(GroupStatus group, long threshold) {
        long total = 0;
        for (PartitionStatus p : group.partitions()) {
            total += p.lag() == null ? 1 : p.lag(); // deleted records are lag to it: log-end minus committed
        }
        if (total == 0) {
            return 0;
        }
        return (int) Math.min((total + threshold - 1) / threshold, group.partitions().size());
    }

    @Test
    void theSecondsBasisScalesTheMembersByTheTimeLagOverItsThreshold() {
        GroupStatus group = group("consumer", 2, new P(100, 0, Status.WARNING, 90.0), new P(100, 0, Status.OK, 30.0),
                P.lag(0), P.lag(0), P.lag(0), P.lag(0), P.lag(0), P.lag(0));
        ScalingAdvice advice = ScalingAdvice.of(group, ScalingAdvice.Basis.SECONDS, 30);
        assertThat(advice.replicas()).as("ceil(2 members x 90 s / 30 s); %s", advice.reasoning()).isEqualTo(6);
        assertThat(advice.maxLagSeconds()).isEqualTo(90.0);
        // a stalled partition's age does not count: another member would not make it younger
        GroupStatus stalled = group("consumer", 2, new P(100, 0, Status.STALLED, 900.0), new P(100, 0, Status.OK, 30.0),
                P.lag(0), P.lag(0));
        assertThat(ScalingAdvice.of(stalled, ScalingAdvice.Basis.SECONDS, 30).replicas()).isEqualTo(2);
        assertThat(ScalingAdvice.of(group("consumer", 0, new P(40, 0, Status.STOPPED, 120.0)), ScalingAdvice.Basis.SECONDS,
                60).replicas()).as("no member: from one, and capped at the one partition").isEqualTo(1);
    }

    @Test
    void theFiguresBehindTheAdviceAreGiven() {
        GroupStatus group = group("consumer", 1, new P(10_000, 0, Status.STALLED, 600.0),
                new P(5_000, 4_950, Status.AT_RISK, 3_600.0), P.lag(250));
        ScalingAdvice advice = ScalingAdvice.of(group, ScalingAdvice.Basis.RECORDS, 100);
        assertThat(List.of(advice.lag(), advice.consumableLag(), advice.deletedUnread(), (long) advice.stalledPartitions(),
                (long) advice.partitions(), (long) advice.replicas()))
                .as("lag, consumable, deleted unread, stalled, partitions, replicas")
                .containsExactly(15_250L, 300L, 4_950L, 1L, 3L, 3L);
        assertThat(String.join("\n", advice.reasoning())).contains("300 records of lag to work off / 100 per member = 3",
                "1 STALLED partition(s) left out (10000 records)", "4950 records deleted by retention");
    }

    @Test
    void aThresholdThatIsNotAPositiveNumberIsRefusedByName() {
        GroupStatus group = group("consumer", 1, P.lag(1));
        for (double bad : new double[] {0, -5, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> ScalingAdvice.of(group, ScalingAdvice.Basis.RECORDS, bad))
                    .hasMessageStartingWith("lagThreshold must be a positive number");
        }
        assertThatThrownBy(() -> ScalingAdvice.of(group, ScalingAdvice.Basis.SECONDS, 0))
                .hasMessageStartingWith("lagSecondsThreshold must be a positive number");
    }

    private static GroupStatus group(String type, int members, P... partitions) {
        List<PartitionStatus> statuses = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < partitions.length; i++) {
            P p = partitions[i];
            Long lag = p.lag() == NONE ? null : p.lag();
            total += lag == null ? 0 : lag;
            statuses.add(new PartitionStatus("orders", i, lag == null ? null : 1_000L, null, 1_000L + (lag == null ? 0 : lag),
                    lag, p.lagSeconds(), null, p.deletedUnread(), p.status(), p.status().name(), null, 0L));
        }
        return new GroupStatus("storage_loader", type, "Stable", members, Status.OK, List.of(), total, null, statuses,
                List.of(), 0L);
    }
}
