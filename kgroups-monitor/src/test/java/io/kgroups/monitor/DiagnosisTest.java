package io.kgroups.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.kgroups.monitor.Diagnosis.Finding;
import io.kgroups.monitor.Diagnosis.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The doctor's rules, a table of cases: two looks at a group, and the findings they must give (and must not). */
class DiagnosisTest {
    private static final long T0 = 1_800_000_000_000L;
    private static final long WATCH_MS = 60_000;

    /** A partition: committed, log end, time lag, status, owner. */
    private static PartitionStatus p(int partition, Long committed, long logEnd, Double lagSeconds, Status status, String owner) {
        Long lag = committed == null ? null : logEnd - committed;
        return new PartitionStatus("orders", partition, committed, null, logEnd, lag, lagSeconds, null, 0, status,
                status == Status.OK ? "caught up" : "lag " + lag, owner, T0);
    }

    private static GroupStatus.Member member(String id, Integer... partitions) {
        return new GroupStatus.Member(id, null, "loader-" + id, "/10.0.0." + id.length(),
                partitions.length == 0 ? Map.of() : Map.of("orders", List.of(partitions)), null);
    }

    private static GroupStatus group(String type, List<GroupStatus.Member> members, List<PartitionStatus> partitions,
            List<String> reasons, RebalanceWatch.Rebalances rebalances) {
        long lag = partitions.stream().mapToLong(PartitionStatus::lagOrZero).sum();
        return new GroupStatus("storage_loader", type, members.isEmpty() ? "Empty" : "Stable", members.size(), Status.OK, reasons,
                lag, null, partitions, members, T0, rebalances);
    }

    private static GroupStatus group(List<GroupStatus.Member> members, PartitionStatus... partitions) {
        return group("consumer", members, List.of(partitions), List.of(), RebalanceWatch.Rebalances.NONE);
    }

    private static List<Finding> diagnose(GroupStatus first, GroupStatus last) {
        return Diagnosis.diagnose(new Diagnosis.Watch(first, T0, last, T0 + WATCH_MS, 3_600));
    }

    private static List<String> kinds(List<Finding> findings) {
        return findings.stream().map(Finding::kind).toList();
    }

    static Stream<Arguments> cases() {
        List<GroupStatus.Member> two = List.of(member("a", 0), member("b", 1));
        List<Arguments> cases = new ArrayList<>();
        cases.add(Arguments.of("healthy: caught up at both looks",
                group(two, p(0, 100L, 100, 0.0, Status.OK, "a"), p(1, 50L, 50, 0.0, Status.OK, "b")),
                group(two, p(0, 700L, 700, 0.0, Status.OK, "a"), p(1, 650L, 650, 0.0, Status.OK, "b")),
                List.of(), List.of("stuck", "falling-behind", "no-members", "idle-members"), false));
        cases.add(Arguments.of("keeping pace with lag: not stuck, not falling behind",
                group(two, p(0, 100L, 150, 2.0, Status.OK, "a"), p(1, 50L, 100, 2.0, Status.OK, "b")),
                group(two, p(0, 700L, 750, 2.0, Status.OK, "a"), p(1, 650L, 700, 2.0, Status.OK, "b")),
                List.of(), List.of("stuck", "falling-behind"), false));
        cases.add(Arguments.of("no members while records wait",
                group(List.of(), p(0, 100L, 200, 30.0, Status.UNKNOWN, null)),
                group(List.of(), p(0, 100L, 260, 90.0, Status.STOPPED, null)),
                List.of("no-members", "stuck"), List.of("idle-members", "falling-behind"), true));
        cases.add(Arguments.of("more members than partitions: the extra ones idle (advice, not a problem)",
                group(List.of(member("a", 0), member("b", 1), member("c")), p(0, 0L, 0, 0.0, Status.OK, "a"),
                        p(1, 0L, 0, 0.0, Status.OK, "b")),
                group(List.of(member("a", 0), member("b", 1), member("c")), p(0, 0L, 0, 0.0, Status.OK, "a"),
                        p(1, 0L, 0, 0.0, Status.OK, "b")),
                List.of("idle-members"), List.of("stuck"), false));
        cases.add(Arguments.of("members but none holds a partition while records wait",
                group(List.of(member("a")), p(0, 10L, 20, 5.0, Status.UNKNOWN, null)),
                group(List.of(member("a")), p(0, 10L, 20, 65.0, Status.UNKNOWN, null)),
                List.of("idle-members", "stuck"), List.of("no-members"), true));
        cases.add(Arguments.of("one partition stuck, the other moving",
                group(two, p(0, 41L, 100, 10.0, Status.OK, "a"), p(1, 50L, 60, 1.0, Status.OK, "b")),
                group(two, p(0, 41L, 160, 70.0, Status.OK, "a"), p(1, 110L, 120, 1.0, Status.OK, "b")),
                List.of("stuck"), List.of("no-members"), true));
        cases.add(Arguments.of("records just arrived at a caught-up partition: not stuck",
                group(two, p(0, 41L, 41, 0.0, Status.OK, "a"), p(1, 50L, 60, 1.0, Status.OK, "b")),
                group(two, p(0, 41L, 51, 5.0, Status.OK, "a"), p(1, 120L, 120, 0.0, Status.OK, "b")),
                List.of(), List.of("stuck", "falling-behind"), false));
        cases.add(Arguments.of("lag shrinking: catching up",
                group(two, p(0, 0L, 1000, 60.0, Status.OK, "a"), p(1, 0L, 1000, 60.0, Status.OK, "b")),
                group(two, p(0, 600L, 1000, 30.0, Status.OK, "a"), p(1, 600L, 1000, 30.0, Status.OK, "b")),
                List.of("catching-up"), List.of("falling-behind", "stuck"), false));
        cases.add(Arguments.of("skew: one member holds most of the lag",
                group(two, p(0, 0L, 900, 10.0, Status.OK, "a"), p(1, 0L, 10, 1.0, Status.OK, "b")),
                group(two, p(0, 600L, 1500, 10.0, Status.OK, "a"), p(1, 600L, 610, 1.0, Status.OK, "b")),
                List.of("skew"), List.of("stuck"), true));
        cases.add(Arguments.of("skew while the lag shrinks (a member back from a restart): told, not wrong",
                group(two, p(0, 0L, 2000, 30.0, Status.OK, "a"), p(1, 0L, 10, 1.0, Status.OK, "b")),
                group(two, p(0, 1500L, 2000, 10.0, Status.OK, "a"), p(1, 10L, 10, 0.0, Status.OK, "b")),
                List.of("skew", "catching-up"), List.of("stuck", "falling-behind"), false));
        cases.add(Arguments.of("a classic group: advice to move, nothing wrong",
                group("classic", two, List.of(p(0, 0L, 0, 0.0, Status.OK, "a"), p(1, 0L, 0, 0.0, Status.OK, "b")), List.of(),
                        RebalanceWatch.Rebalances.NONE),
                group("classic", two, List.of(p(0, 0L, 0, 0.0, Status.OK, "a"), p(1, 0L, 0, 0.0, Status.OK, "b")), List.of(),
                        RebalanceWatch.Rebalances.NONE),
                List.of("classic-protocol"), List.of(), false));
        PartitionStatus denied = new PartitionStatus("payments", 0, null, null, null, null, null, null, 0, Status.UNKNOWN,
                "offsets of topic payments not visible: User:doctor is not authorized to describe topics: grant it with: "
                        + "kafka-acls ...", null, null);
        cases.add(Arguments.of("access gap: a topic this principal may not describe",
                group(two, p(0, 0L, 0, 0.0, Status.OK, "a"), denied), group(two, p(0, 0L, 0, 0.0, Status.OK, "a"), denied),
                List.of("access"), List.of("unreadable", "stuck"), true));
        cases.add(Arguments.of("an empty group that shows no offsets: hidden from this principal, not 'nothing waits'",
                group(List.of()), group(List.of()), List.of("access"), List.of("no-members"), true));
        PartitionStatus offline = new PartitionStatus("orders", 1, 5L, null, null, null, null, null, 0, Status.UNKNOWN,
                "leader not available", "b", null);
        cases.add(Arguments.of("an offline partition is unreadable, not an access gap",
                group(two, p(0, 0L, 0, 0.0, Status.OK, "a"), offline), group(two, p(0, 0L, 0, 0.0, Status.OK, "a"), offline),
                List.of("unreadable"), List.of("access", "stuck"), true));
        PartitionStatus deleted = new PartitionStatus("orders", 0, 10L, null, 500L, 490L, 7200.0, -10.0, 90, Status.AT_RISK,
                "90 records were deleted", "a", T0);
        PartitionStatus soon = new PartitionStatus("orders", 1, 10L, null, 500L, 490L, 3300.0, 300.0, 0, Status.AT_RISK,
                "retention deletes unread records in 300s", "b", T0);
        cases.add(Arguments.of("retention: records deleted unread, and soon",
                group(two, deleted, soon), group(two, deleted, soon), List.of("deleted-unread", "retention-risk"), List.of(), true));
        cases.add(Arguments.of("a consumer-protocol member reconciling for long",
                group(two, p(0, 0L, 0, 0.0, Status.OK, "a"), p(1, 0L, 0, 0.0, Status.OK, "b")),
                group("consumer", two, List.of(p(0, 0L, 0, 0.0, Status.OK, "a"), p(1, 0L, 0, 0.0, Status.OK, "b")),
                        List.of("member loader-a (a) reconciling for 75s: epoch 3, target 5"), RebalanceWatch.Rebalances.NONE),
                List.of("reconciling"), List.of(), true));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void findings(String name, GroupStatus first, GroupStatus last, List<String> expected, List<String> absent,
            boolean wrong) {
        List<Finding> findings = diagnose(first, last);
        assertThat(kinds(findings)).as(name).containsAll(expected);
        absent.forEach(kind -> assertThat(kinds(findings)).as(name).doesNotContain(kind));
        assertThat(Diagnosis.somethingWrong(findings)).as(name + ": something wrong (exit 1), in " + findings).isEqualTo(wrong);
    }

    @Test
    void fallingBehindSaysHowManyMembersKeepUpByTheArithmetic() {
        // 2 members consume 100 records/s together (50 each); 230/s are produced: ceil(230 / 50) = 5 members.
        List<GroupStatus.Member> two = List.of(member("a", 0, 1, 2), member("b", 3, 4, 5));
        List<PartitionStatus> before = new ArrayList<>();
        List<PartitionStatus> after = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String owner = i < 3 ? "a" : "b";
            before.add(p(i, 0L, 100, 5.0, Status.OK, owner));
            // in 60 s: 1,000 consumed per partition, 2,300 produced
            after.add(p(i, 1000L, 2400, 20.0, Status.OK, owner));
        }
        List<Finding> findings = diagnose(group(two, before.toArray(PartitionStatus[]::new)),
                group(two, after.toArray(PartitionStatus[]::new)));
        Finding f = findings.stream().filter(x -> x.kind().equals("falling-behind")).findFirst().orElseThrow(
                () -> new AssertionError("no falling-behind finding in " + findings));
        assertThat(f.severity()).isEqualTo(Severity.WARNING);
        assertThat(f.figures()).containsEntry("consumedPerSecond", 100.0).containsEntry("producedPerSecond", 230.0)
                .containsEntry("perMemberPerSecond", 50.0).containsEntry("membersNeeded", 5).containsEntry("partitions", 6);
        assertThat(String.join("\n", f.advice())).contains("run 5 members (now 2)");
        // 5 members: 250/s against 230/s produced, the lag of 8,400 gone in 8,400 / 20 = 420 s.
        assertThat(f.figures()).containsEntry("catchUpSecondsWithMembersNeeded", 420L);
    }

    @Test
    void whenThePartitionsCapTheMembersTheAdviceIsAddPartitions() {
        List<GroupStatus.Member> two = List.of(member("a", 0), member("b", 1));
        // 2 members at 10/s each, 100/s produced: 10 members needed, 2 partitions.
        List<Finding> findings = diagnose(group(two, p(0, 0L, 0, 0.0, Status.OK, "a"), p(1, 0L, 0, 0.0, Status.OK, "b")),
                group(two, p(0, 600L, 3000, 30.0, Status.OK, "a"), p(1, 600L, 3000, 30.0, Status.OK, "b")));
        Finding f = findings.stream().filter(x -> x.kind().equals("falling-behind")).findFirst().orElseThrow();
        assertThat(f.figures()).containsEntry("membersNeeded", 10);
        assertThat(f.title()).contains("more than the 2 partitions allow");
        assertThat(f.advice().get(0)).startsWith("add partitions rather than consumers");
    }

    @Test
    void aStuckPartitionNamesItsOwnerAndTheResetThatSkipsTheRecord() {
        List<GroupStatus.Member> two = List.of(member("a", 0), member("b", 1));
        List<Finding> findings = diagnose(group(two, p(0, 41L, 100, 10.0, Status.OK, "a"), p(1, 5L, 5, 0.0, Status.OK, "b")),
                group(two, p(0, 41L, 160, 70.0, Status.OK, "a"), p(1, 9L, 9, 0.0, Status.OK, "b")));
        Finding stuck = findings.get(0);
        assertThat(stuck.kind()).isEqualTo("stuck");
        assertThat(stuck.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(stuck.partitions()).containsExactly("orders-0");
        assertThat(String.join("\n", stuck.evidence())).contains("held by loader-a@/10.0.0.1", "committed offset 41");
        assertThat(String.join("\n", stuck.advice())).contains("kgroups reset storage_loader --topic orders:0 --shift-by 1");
        assertThat(stuck.withEvidence("record at offset 41").evidence()).last().isEqualTo("record at offset 41");
    }

    @Test
    void aStormNamesWhoCameAndWentAndTheSettings() {
        List<GroupStatus.Member> one = List.of(member("a", 0, 1));
        String storm = "rebalancing storm: 4 membership changes in the last 60 s (at least 3 make a storm); came loader-a@/10.0.0.1 x2; "
                + "went loader-a@/10.0.0.1 x2; likely: the same members leave and come back: a member that exceeds "
                + "max.poll.interval.ms";
        RebalanceWatch.Rebalances r = new RebalanceWatch.Rebalances(4, List.of(
                new RebalanceWatch.Change(T0 + 5_000, 2, List.of("loader-a@/10.0.0.1"), List.of("loader-a@/10.0.0.1"), null),
                new RebalanceWatch.Change(T0 + 20_000, 2, List.of("loader-a@/10.0.0.1"), List.of("loader-a@/10.0.0.1"), null)),
                storm);
        GroupStatus first = group(one, p(0, 0L, 0, 0.0, Status.OK, "a"), p(1, 0L, 0, 0.0, Status.OK, "a"));
        GroupStatus last = group("consumer", one, List.of(p(0, 0L, 0, 0.0, Status.OK, "a"), p(1, 0L, 0, 0.0, Status.OK, "a")),
                List.of(storm), r);
        Finding f = diagnose(first, last).get(0);
        assertThat(f.kind()).isEqualTo("rebalancing-storm");
        assertThat(f.evidence()).first().isEqualTo(storm);
        assertThat(f.evidence()).anySatisfy(line -> assertThat(line).contains("came loader-a@/10.0.0.1", "went loader-a@/10.0.0.1"));
        assertThat(String.join("\n", f.advice())).contains("max.poll.interval.ms", "max.poll.records", "session.timeout.ms",
                "group.instance.id");
        assertThat(f.figures()).containsEntry("changes", 4L);

        // Below the threshold the changes are told, as advice only.
        RebalanceWatch.Rebalances few = new RebalanceWatch.Rebalances(1, r.recent().subList(0, 1), null);
        List<Finding> calm = diagnose(first, group("consumer", one, last.partitions(), List.of(), few));
        assertThat(kinds(calm)).containsExactly("rebalances");
        assertThat(Diagnosis.somethingWrong(calm)).isFalse();
    }

    @Test
    void oneLookGivesNoRates() {
        List<GroupStatus.Member> two = List.of(member("a", 0), member("b", 1));
        GroupStatus g = group(two, p(0, 0L, 900, 10.0, Status.OK, "a"), p(1, 0L, 800, 1.0, Status.OK, "b"));
        List<Finding> findings = Diagnosis.diagnose(new Diagnosis.Watch(g, T0, g, T0, 3_600));
        assertThat(kinds(findings)).doesNotContain("falling-behind", "catching-up", "stuck");
    }

    @Test
    void findingsComeMostSevereFirst() {
        List<GroupStatus.Member> two = List.of(member("a", 0), member("b", 1));
        PartitionStatus deleted = new PartitionStatus("orders", 1, 10L, null, 500L, 490L, 7200.0, -10.0, 90, Status.AT_RISK,
                "90 records were deleted", "b", T0);
        GroupStatus g = group("classic", two, List.of(p(0, 0L, 0, 0.0, Status.OK, "a"), deleted), List.of(),
                RebalanceWatch.Rebalances.NONE);
        List<Finding> findings = diagnose(g, g);
        assertThat(findings).extracting(Finding::severity).isSortedAccordingTo(Enum::compareTo);
        assertThat(kinds(findings)).containsSubsequence("deleted-unread", "classic-protocol");
    }
}
