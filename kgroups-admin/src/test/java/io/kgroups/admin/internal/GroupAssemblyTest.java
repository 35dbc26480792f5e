package io.kgroups.admin.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.kgroups.admin.FirstRecords;
import io.kgroups.admin.GroupDetail;
import io.kgroups.admin.OffsetReadings;
import io.kgroups.admin.PartitionDetail;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.ClassicGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberAssignment;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.clients.admin.ShareMemberAssignment;
import org.apache.kafka.clients.admin.ShareMemberDescription;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.clients.admin.StreamsGroupDescription;
import org.apache.kafka.clients.admin.StreamsGroupMemberAssignment;
import org.apache.kafka.clients.admin.StreamsGroupMemberDescription;
import org.apache.kafka.clients.admin.StreamsGroupSubtopologyDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.ClassicGroupState;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The figures of a partition from what a read found: a table of cases, no broker. */
class GroupAssemblyTest {
    private static final TopicPartition TP = new TopicPartition("orders", 0);
    private static final long NOW = 1_800_000_000_000L;

    /**
     * One row: committed offset (null: none), log-start, log-end (null: unreadable), what the log
     * read found at the first unconsumed offset (a timestamp, "none" before the end, or nothing),
     * and the expected lag, offset lag, time lag and note (a word it contains).
     */
    static Stream<Arguments> partitions() {
        return Stream.of(
                Arguments.of("caught up", 100L, 0L, 100L, null, 0L, 0L, 0.0, null),
                Arguments.of("lagging, first unread record 60 s old", 90L, 0L, 100L, NOW - 60_000, 10L, 10L, 60.0, null),
                Arguments.of("lagging, no answer from the log read", 90L, 0L, 100L, null, 10L, 10L, null, null),
                Arguments.of("a transaction marker is all that is left", 99L, 0L, 100L, "none", 0L, 1L, 0.0,
                        "control records"),
                Arguments.of("aborted records and markers are all that is left", 40L, 0L, 100L, "none", 0L, 60L, 0.0,
                        "control records"),
                Arguments.of("never committed: where it starts is auto.offset.reset's", null, 0L, 100L, null, null, null, null,
                        "not committed yet"),
                Arguments.of("past the log end (topic re-created)", 500L, 0L, 100L, null, null, null, null, "past the log end"),
                Arguments.of("retention deleted records before they were read", 10L, 50L, 100L, NOW - 1_000, 90L, 90L, 1.0,
                        null),
                Arguments.of("unreadable partition", 10L, null, null, null, null, null, null, null),
                Arguments.of("lagging, the principal may not read the topic", 90L, 0L, 100L, "denied", 10L, 10L, null,
                        "time lag unavailable (needs READ on topic orders)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("partitions")
    void thePartitionFigures(String name, Long committed, Long logStart, Long logEnd, Object found, Long lag, Long offsetLag,
            Double lagSeconds, String note) {
        Map<TopicPartition, Long> starts = logStart == null ? Map.of() : Map.of(TP, logStart);
        Map<TopicPartition, Long> ends = logEnd == null ? Map.of() : Map.of(TP, logEnd);
        Map<TopicPartition, String> errors = logEnd == null ? Map.of(TP, "orders-0 is offline (no leader)") : Map.of();
        OffsetReadings r = readings(committed, starts, ends, errors);
        long first = committed == null ? 0 : r.firstUnconsumed(TP, committed);
        FirstRecords records = found == null ? FirstRecords.none()
                : found.equals("none") ? new FirstRecords(Map.of(), Map.of(TP, Set.of(first)))
                : found.equals("denied") ? new FirstRecords(Map.of(), Map.of(), Set.of(TP.topic()))
                : new FirstRecords(Map.of(TP, Map.of(first, (Long) found)), Map.of());

        PartitionDetail p = r.details(records, Map.of(), NOW).get(0).partitions().get(0);

        assertThat(p.lag()).as("lag").isEqualTo(lag);
        assertThat(p.offsetLag()).as("offset lag").isEqualTo(offsetLag);
        assertThat(p.lagSeconds()).as("time lag").isEqualTo(lagSeconds);
        if (note == null) {
            assertThat(p.note()).as("note").isNull();
        } else {
            assertThat(p.note()).as("note").contains(note);
        }
        assertThat(p.error()).as("error").isEqualTo(errors.get(TP));
    }

    @Test
    void retentionRiskIsRetentionMinusTheTimeLag() {
        OffsetReadings r = readings(90L, Map.of(TP, 0L), Map.of(TP, 100L), Map.of());
        FirstRecords records = new FirstRecords(Map.of(TP, Map.of(90L, NOW - 3_000_000)), Map.of());
        PartitionDetail p = r.details(records, Map.of("orders", 3_600_000L), NOW).get(0).partitions().get(0);
        assertThat(p.retentionSecondsLeft()).isEqualTo(600.0);
    }

    @Test
    void recordsDeletedUnreadAreCountedFromTheCommittedOffset() {
        PartitionDetail p = readings(10L, Map.of(TP, 50L), Map.of(TP, 100L), Map.of()).details(FirstRecords.none(), Map.of(),
                NOW).get(0).partitions().get(0);
        assertThat(p.deletedUnread()).isEqualTo(40);
    }

    @Test
    void aGroupThatCouldNotBeReadCarriesTheReasonAndNoFigures() {
        OffsetReadings r = new OffsetReadings(List.of("g"), Map.of("g", new OffsetReadings.Listed("g", "classic", "consumer",
                "Stable")), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of("g", "the coordinator did not answer"), Map.of(), Map.of(),
                Map.of(), NOW);
        GroupDetail g = r.details(FirstRecords.none(), Map.of(), NOW).get(0);
        assertThat(g.error()).isEqualTo("the coordinator did not answer");
        assertThat(g.partitions()).isEmpty();
        assertThat(g.consumerGroup()).isTrue();
    }

    @Test
    void aConnectGroupIsDescribedByItsMembersAndIsNotAConsumerGroup() {
        MemberDescription worker = new MemberDescription("connect-1-abc", java.util.Optional.empty(), "connect-1", "/10.0.0.1",
                new MemberAssignment(Set.of()));
        ClassicGroupDescription connect = new ClassicGroupDescription("connect-cluster", "connect", "sessioned",
                List.of(worker), ClassicGroupState.STABLE, new Node(1, "b1", 9092));
        OffsetReadings r = new OffsetReadings(List.of("connect-cluster"), Map.of("connect-cluster",
                new OffsetReadings.Listed("connect-cluster", "classic", "connect", "Stable")), Map.of(),
                Map.of("connect-cluster", connect), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(),
                NOW);
        GroupDetail g = r.details(FirstRecords.none(), Map.of(), NOW).get(0);
        assertThat(g.consumerGroup()).isFalse();
        assertThat(g.protocolType()).isEqualTo("connect");
        assertThat(g.members()).singleElement().satisfies(m -> assertThat(m.clientId()).isEqualTo("connect-1"));
        assertThat(g.partitions()).isEmpty();
        assertThat(g.totalLag()).isZero();
    }

    @Test
    void classicGroupsOfProtocolConsumerOrNoneAreConsumerGroups() {
        assertThat(new OffsetReadings.Listed("a", "classic", "consumer", "Stable").consumerGroup()).isTrue();
        assertThat(new OffsetReadings.Listed("b", "classic", "", "Empty").consumerGroup()).isTrue();
        assertThat(new OffsetReadings.Listed("c", "consumer", "consumer", "Stable").consumerGroup()).isTrue();
        assertThat(new OffsetReadings.Listed("d", "classic", "connect", "Stable").consumerGroup()).isFalse();
        assertThat(new OffsetReadings.Listed("e", "classic", "sr", "Stable").consumerGroup()).isFalse();
        assertThat(new OffsetReadings.Listed("f", "share", "share", "Stable").consumerGroup()).isFalse();
        assertThat(new OffsetReadings.Listed("g", "streams", "streams", "Stable").consumerGroup()).isFalse();
    }

    /**
     * One row of a share group's partition: the start offset the broker gave (null: no entry), its
     * lag, how many members it is assigned to, whether its log offsets were read; expected start
     * offset, lag, owner and note (a word it contains).
     */
    static Stream<Arguments> sharePartitions() {
        return Stream.of(
                Arguments.of("the broker's lag, not log-end minus start", 40L, 3L, 1, true, 40L, 3L, "m-0", null),
                Arguments.of("not initialized yet", null, null, 1, true, null, null, "m-0", "share.auto.offset.reset"),
                Arguments.of("a start offset of -1 is none", -1L, null, 1, true, null, null, "m-0", "share.auto.offset.reset"),
                Arguments.of("a broker without lag", 40L, null, 1, true, 40L, null, "m-0", "Kafka 4.2"),
                Arguments.of("shared by two members: no one owner", 40L, 3L, 2, true, 40L, 3L, null, "2 members"),
                Arguments.of("log offsets unread: the broker's figures stay", 40L, 3L, 1, false, 40L, 3L, "m-0", null));
    }

    @Test
    void aShareGroupHasTheConfigsReadForItAndNoneWhereTheyWereNotRead() {
        ShareGroupDescription d = new ShareGroupDescription("q", List.of(), GroupState.EMPTY, new Node(1, "b1", 9092), 5, 4);
        List<GroupDetail.Config> read = List.of(new GroupDetail.Config("share.auto.offset.reset", "earliest", "group"),
                new GroupDetail.Config("share.delivery.count.limit", "5", "default"));
        Map<String, OffsetReadings.Listed> listed = Map.of("q", new OffsetReadings.Listed("q", "share", "share", "Empty"));

        GroupDetail withConfigs = new OffsetReadings(List.of("q"), listed, Map.of(), Map.of(), Map.of("q", d),
                Map.of("q", Map.of()), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), NOW, Map.of("q", read))
                .details(FirstRecords.none(), Map.of(), NOW).get(0);
        GroupDetail notRead = new OffsetReadings(List.of("q"), listed, Map.of(), Map.of(), Map.of("q", d),
                Map.of("q", Map.of()), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), NOW)
                .details(FirstRecords.none(), Map.of(), NOW).get(0);

        assertThat(withConfigs.configs()).isEqualTo(read);
        assertThat(notRead.configs()).as("not read: null, not an empty list (which would say it has none)").isNull();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sharePartitions")
    void aShareGroupPartitionHasTheStartOffsetAndTheBrokersLag(String name, Long startOffset, Long brokerLag, int members,
            boolean logRead, Long start, Long lag, String owner, String note) {
        List<ShareMemberDescription> sharers = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            sharers.add(new ShareMemberDescription("m-" + i, java.util.Optional.empty(), "sharer-" + i, "/10.0.0." + i,
                    new ShareMemberAssignment(Set.of(TP)), 3));
        }
        ShareGroupDescription d = new ShareGroupDescription("q", sharers, GroupState.STABLE, new Node(1, "b1", 9092), 5, 4);
        Map<TopicPartition, SharePartitionOffsetInfo> offsets = startOffset == null ? Map.of()
                : Map.of(TP, new SharePartitionOffsetInfo(startOffset, java.util.Optional.of(0),
                        java.util.Optional.ofNullable(brokerLag)));
        OffsetReadings r = new OffsetReadings(List.of("q"), Map.of("q", new OffsetReadings.Listed("q", "share", "share",
                "Stable")), Map.of(), Map.of(), Map.of("q", d), Map.of("q", offsets), Map.of(), Map.of(), Map.of(),
                logRead ? Map.of(TP, 10L) : Map.of(), logRead ? Map.of(TP, 100L) : Map.of(),
                logRead ? Map.of() : Map.of(TP, "orders-0 is offline"), NOW);

        GroupDetail g = r.details(FirstRecords.none(), Map.of(), NOW).get(0);

        assertThat(g.type()).isEqualTo("share");
        assertThat(g.consumerGroup()).isFalse();
        assertThat(g.hasLag()).isTrue();
        assertThat(g.groupEpoch()).isEqualTo(5);
        assertThat(g.targetAssignmentEpoch()).isEqualTo(4);
        assertThat(g.members()).hasSize(members).allSatisfy(m -> {
            assertThat(m.assignment()).containsExactly(TP);
            assertThat(m.memberEpoch()).isEqualTo(3);
        });
        PartitionDetail p = g.partitions().get(0);
        assertThat(p.committedOffset()).isNull();
        assertThat(p.startOffset()).isEqualTo(start);
        assertThat(p.lag()).isEqualTo(lag);
        assertThat(p.offsetLag()).isNull();
        assertThat(p.memberId()).isEqualTo(owner);
        assertThat(g.totalLag()).isEqualTo(lag == null ? 0 : lag);
        if (note == null) {
            assertThat(p.note()).isNull();
        } else {
            assertThat(p.note()).contains(note);
        }
        if (logRead) {
            assertThat(p.error()).isNull();
            assertThat(p.logStartOffset()).isEqualTo(10L);
            assertThat(p.logEndOffset()).isEqualTo(100L);
        } else {
            assertThat(p.error()).isEqualTo("orders-0 is offline");
            assertThat(p.logEndOffset()).isNull();
        }
    }

    /**
     * A share group's time lag: the start offset (40) is where the log is read, only while the
     * broker's lag is above 0; the lag (broker's), what the read found there (a timestamp or
     * nothing), the retention of the topic; the expected time lag and retention left.
     */
    static Stream<Arguments> shareTimeLags() {
        return Stream.of(
                Arguments.of("the record at the start offset is 90 s old", 3L, NOW - 90_000, null, 90.0, null),
                Arguments.of("with a retention of 100 s: 10 s left", 3L, NOW - 90_000, 100_000L, 90.0, 10.0),
                Arguments.of("no answer from the log read", 3L, null, null, null, null),
                Arguments.of("lag 0: no time lag, whatever waits past the start offset", 0L, null, 100_000L, 0.0, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shareTimeLags")
    void aShareGroupsTimeLagIsTheAgeOfTheRecordAtItsStartOffset(String name, long brokerLag, Long written, Long retention,
            Double lagSeconds, Double retentionLeft) {
        ShareGroupDescription d = new ShareGroupDescription("q", List.of(), GroupState.EMPTY, new Node(1, "b1", 9092), 5, 4);
        OffsetReadings r = new OffsetReadings(List.of("q"), Map.of("q", new OffsetReadings.Listed("q", "share", "share",
                "Empty")), Map.of(), Map.of(), Map.of("q", d), Map.of("q", Map.of(TP, new SharePartitionOffsetInfo(40,
                java.util.Optional.of(0), java.util.Optional.of(brokerLag)))), Map.of(), Map.of(), Map.of(),
                Map.of(TP, 10L), Map.of(TP, 100L), Map.of(), NOW);
        FirstRecords found = written == null ? FirstRecords.none()
                : new FirstRecords(Map.of(TP, Map.of(40L, written)), Map.of());

        PartitionDetail p = r.details(found, retention == null ? Map.of() : Map.of("orders", retention), NOW).get(0)
                .partitions().get(0);

        assertThat(r.firstUnconsumed()).as("where the log is read").isEqualTo(brokerLag > 0
                ? Map.of(TP, new java.util.TreeSet<>(List.of(40L))) : Map.of());
        assertThat(p.lagSeconds()).isEqualTo(lagSeconds);
        assertThat(p.retentionSecondsLeft()).isEqualTo(retentionLeft);
        assertThat(p.lag()).isEqualTo(brokerLag);
    }

    /**
     * One row of a streams group (subtopology 0 reads orders and the repartition topic app-rep;
     * subtopology 1 reads app-rep2, not described): the member's active and target active tasks,
     * whether it is reconciling, who owns orders-0 and orders-1, and the group's state as shown.
     */
    static Stream<Arguments> streamsMembers() {
        return Stream.of(
                Arguments.of("settled", List.of(0, 1), List.of(0, 1), false, "s-1", "s-1", GroupState.STABLE, "Stable"),
                Arguments.of("moving to a second task", List.of(0), List.of(0, 1), true, "s-1", null,
                        GroupState.RECONCILING, "Reconciling"),
                Arguments.of("internal topics not created yet: no task", List.of(), List.of(0), true, null, null,
                        GroupState.NOT_READY, "NotReady"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("streamsMembers")
    void aStreamsGroupHasTasksSubtopologiesAndTheLagOfItsInputTopics(String name, List<Integer> active,
            List<Integer> target, boolean reconciling, String owner0, String owner1, GroupState state, String shown) {
        TopicPartition tp1 = new TopicPartition("orders", 1);
        var info = new StreamsGroupSubtopologyDescription.TopicInfo(2, 1, Map.of());
        var subtopology = new StreamsGroupSubtopologyDescription("0", List.of("orders"), List.of("app-rep2"),
                Map.of("app-store-changelog", info), Map.of("app-rep", info));
        var standby = List.of(new StreamsGroupMemberAssignment.TaskIds("1", List.of(10, 2)));
        var member = new StreamsGroupMemberDescription("s-1", 7, java.util.Optional.empty(), java.util.Optional.empty(),
                "streamer-1", "/10.0.0.3", 3, "p-1", java.util.Optional.empty(), Map.of(), List.of(), List.of(),
                new StreamsGroupMemberAssignment(List.of(new StreamsGroupMemberAssignment.TaskIds("0", active)), standby,
                        List.of()),
                new StreamsGroupMemberAssignment(List.of(new StreamsGroupMemberAssignment.TaskIds("0", target)), standby,
                        List.of()),
                false);
        var d = new StreamsGroupDescription("app", 8, 7, 3, List.of(subtopology), List.of(member), state,
                new Node(1, "b1", 9092), Set.of());
        OffsetReadings r = new OffsetReadings(List.of("app"), Map.of("app", new OffsetReadings.Listed("app", "streams",
                "streams", "Reconciling")), Map.of(), Map.of(), Map.of(), Map.of(), Map.of("app", d),
                Map.of("app", Map.of(TP, new OffsetAndMetadata(90), tp1, new OffsetAndMetadata(95))), Map.of(),
                Map.of(TP, 0L, tp1, 0L), Map.of(TP, 100L, tp1, 100L), Map.of(), NOW);

        GroupDetail g = r.details(FirstRecords.none(), Map.of(), NOW).get(0);

        assertThat(g.type()).isEqualTo("streams");
        assertThat(g.state()).isEqualTo(shown);
        assertThat(g.consumerGroup()).as("reset and delete refuse it").isFalse();
        assertThat(g.hasLag()).isTrue();
        assertThat(List.of(g.groupEpoch(), g.targetAssignmentEpoch(), g.topologyEpoch())).containsExactly(8, 7, 3);
        assertThat(g.subtopologies()).singleElement().satisfies(s -> {
            assertThat(s.sourceTopics()).containsExactly("orders");
            assertThat(s.repartitionSourceTopics()).containsExactly("app-rep");
            assertThat(s.repartitionSinkTopics()).containsExactly("app-rep2");
            assertThat(s.changelogTopics()).containsExactly("app-store-changelog");
        });
        assertThat(g.members()).singleElement().satisfies(m -> {
            assertThat(m.memberEpoch()).isEqualTo(7);
            assertThat(m.tasks().active()).containsExactlyElementsOf(active.stream().map(p -> "0_" + p).toList());
            assertThat(m.tasks().standby()).as("sorted as numbers").containsExactly("1_2", "1_10");
            assertThat(m.targetTasks().active()).containsExactlyElementsOf(target.stream().map(p -> "0_" + p).toList());
            assertThat(m.reconciling()).isEqualTo(reconciling);
            // Task N of subtopology 0 reads partition N of orders and of the repartition topic.
            assertThat(m.assignment()).hasSize(active.size() * 2);
        });
        assertThat(g.partitions()).filteredOn(p -> p.topic().equals("orders")).extracting(PartitionDetail::memberId)
                .containsExactly(owner0, owner1);
        PartitionDetail p0 = g.partitions().stream().filter(p -> p.topic().equals("orders") && p.partition() == 0)
                .findFirst().orElseThrow();
        assertThat(p0.committedOffset()).isEqualTo(90);
        assertThat(p0.lag()).isEqualTo(10);
        assertThat(p0.startOffset()).isNull();
        assertThat(g.totalLag()).as("orders-0 and orders-1; the repartition topic has no offsets read here").isEqualTo(15);
    }

    private static OffsetReadings readings(Long committed, Map<TopicPartition, Long> starts, Map<TopicPartition, Long> ends,
            Map<TopicPartition, String> errors) {
        MemberDescription member = new MemberDescription("m-1", java.util.Optional.empty(), "loader-1", "/10.0.0.2",
                new MemberAssignment(Set.of(TP)));
        ConsumerGroupDescription d = new ConsumerGroupDescription("g", false, List.of(member), "range", GroupType.CLASSIC,
                GroupState.STABLE, new Node(1, "b1", 9092), Set.of(), java.util.Optional.empty(), java.util.Optional.empty());
        Map<TopicPartition, OffsetAndMetadata> offsets = committed == null ? Map.of()
                : Map.of(TP, new OffsetAndMetadata(committed));
        return new OffsetReadings(List.of("g"), Map.of("g", new OffsetReadings.Listed("g", "classic", "consumer", "Stable")),
                Map.of("g", d), Map.of(), Map.of(), Map.of(), Map.of(), Map.of("g", offsets), Map.of(), starts, ends, errors, NOW);
    }
}
