package io.kgroups.admin.internal;

import io.kgroups.admin.FirstRecords;
import io.kgroups.admin.GroupDetail;
import io.kgroups.admin.MemberDetail;
import io.kgroups.admin.OffsetReadings;
import io.kgroups.admin.PartitionDetail;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.ClassicGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.clients.admin.ShareMemberDescription;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.clients.admin.StreamsGroupDescription;
import org.apache.kafka.clients.admin.StreamsGroupMemberAssignment;
import org.apache.kafka.clients.admin.StreamsGroupMemberDescription;
import org.apache.kafka.clients.admin.StreamsGroupSubtopologyDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;

/**
 * Turns what a read found into {@link GroupDetail}s: a pure function of its inputs (no Kafka
 * call), so every rule of the figures (lag in records, time lag, retention risk, notes and errors)
 * is tested by a table of cases.
 */
public final class GroupAssembly {
    private static final Comparator<TopicPartition> BY_PARTITION = Comparator.comparing(TopicPartition::topic)
            .thenComparingInt(TopicPartition::partition);

    private GroupAssembly() {
    }

    public static List<GroupDetail> details(OffsetReadings r, FirstRecords firstRecords, Map<String, Long> retentionMs,
            long nowMs) {
        List<GroupDetail> result = new ArrayList<>();
        for (String group : r.groups()) {
            OffsetReadings.Listed listed = r.listed().getOrDefault(group,
                    new OffsetReadings.Listed(group, "classic", "consumer", "Unknown"));
            if (r.described().containsKey(group)) {
                result.add(consumerGroup(r, listed, r.described().get(group), firstRecords, retentionMs, nowMs));
            } else if (r.foreign().containsKey(group)) {
                result.add(foreignGroup(listed, r.foreign().get(group)));
            } else if (r.shared().containsKey(group)) {
                result.add(shareGroup(r, listed, r.shared().get(group), firstRecords, retentionMs, nowMs));
            } else if (r.streams().containsKey(group)) {
                result.add(streamsGroup(r, listed, r.streams().get(group), firstRecords, retentionMs, nowMs));
            } else {
                String error = r.groupErrors().get(group);
                result.add(new GroupDetail(group, listed.state(), listed.type(), listed.protocolType(), null, null, null,
                        null, null, List.of(), List.of(), List.of(), error));
            }
        }
        return result;
    }

    private static GroupDetail foreignGroup(OffsetReadings.Listed listed, ClassicGroupDescription description) {
        List<MemberDetail> members = new ArrayList<>();
        for (MemberDescription m : description.members()) {
            // Their assignment is in the group's own protocol, not consumer partitions: none to show.
            members.add(new MemberDetail(m.consumerId(), m.groupInstanceId().orElse(null), m.clientId(), m.host(), List.of(),
                    null, null));
        }
        members.sort(Comparator.comparing(MemberDetail::clientId).thenComparing(MemberDetail::memberId));
        return new GroupDetail(listed.group(), String.valueOf(description.state()), listed.type(), listed.protocolType(),
                description.protocolData(), coordinator(description.coordinator()), null, null, null, members, List.of(),
                List.of(), null);
    }

    private static GroupDetail shareGroup(OffsetReadings r, OffsetReadings.Listed listed, ShareGroupDescription description,
            FirstRecords firstRecords, Map<String, Long> retentionMs, long nowMs) {
        Map<TopicPartition, SharePartitionOffsetInfo> offsets = r.shareOffsets().getOrDefault(description.groupId(), Map.of());
        // Share groups hand a partition to several members at once.
        Map<TopicPartition, List<String>> owners = new HashMap<>();
        List<MemberDetail> members = new ArrayList<>();
        for (ShareMemberDescription member : description.members()) {
            List<TopicPartition> assigned = sorted(member.assignment().topicPartitions());
            assigned.forEach(tp -> owners.computeIfAbsent(tp, k -> new ArrayList<>()).add(member.consumerId()));
            members.add(new MemberDetail(member.consumerId(), null, member.clientId(), member.host(), assigned,
                    member.memberEpoch(), null));
        }
        members.sort(Comparator.comparing(MemberDetail::clientId).thenComparing(MemberDetail::memberId));
        Set<TopicPartition> partitions = new TreeSet<>(BY_PARTITION);
        partitions.addAll(offsets.keySet());
        partitions.addAll(owners.keySet());
        List<PartitionDetail> details = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            details.add(sharePartition(r, tp, offsets.get(tp), owners.getOrDefault(tp, List.of()), firstRecords,
                    retentionMs.get(tp.topic()), nowMs));
        }
        return new GroupDetail(description.groupId(),
                description.groupState() == null ? "Unknown" : description.groupState().toString(), listed.type(),
                listed.protocolType(), null, coordinator(description.coordinator()), description.groupEpoch(),
                description.targetAssignmentEpoch(), null, members, details, List.of(), null,
                r.shareConfigs().get(description.groupId()));
    }

    /**
     * One partition of a share group: the start offset and the lag as the broker gives them (it
     * knows which records after the start offset are acknowledged; kgroups cannot compute that).
     * The time lag is the age of the record at the start offset, the oldest not yet
     * delivery-complete (an upper bound: the stored start offset can trail the acknowledgements).
     */
    static PartitionDetail sharePartition(OffsetReadings r, TopicPartition tp, SharePartitionOffsetInfo offset,
            List<String> owners, FirstRecords firstRecords, Long retentionMs, long nowMs) {
        // A partition consumed by several members has no one owner: the members' assignments say who.
        String owner = owners.size() == 1 ? owners.get(0) : null;
        String shared = owners.size() > 1 ? "delivered to " + owners.size() + " members at once (a share group shares "
                + "partitions)" : null;
        Long start = offset == null || offset.startOffset() < 0 ? null : offset.startOffset();
        Long lag = start == null ? null : offset.lag().orElse(null);
        String note = start == null ? "no start offset yet: the share group starts where share.auto.offset.reset says"
                : lag == null ? "the broker gave no lag for it (brokers before Kafka 4.2 do not compute it)" : null;
        if (shared != null) {
            note = note == null ? shared : note + "; " + shared;
        }
        String error = logError(r, tp);
        String unread = lag != null && lag > 0 ? firstRecords.unavailable(tp.topic()) : null;
        if (unread != null) {
            note = note == null ? unread : note + "; " + unread;
        }
        Age age = lag != null && lag == 0 ? Age.NONE : lag != null && error == null
                ? Age.of(firstRecords, tp, r.firstUnconsumed(tp, start), retentionMs, nowMs) : Age.UNKNOWN;
        return new PartitionDetail(tp.topic(), tp.partition(), null, start, r.logStart().get(tp), r.logEnd().get(tp), lag,
                null, age.lagSeconds(), owner, 0, 0, age.retentionSecondsLeft(), note, error);
    }

    private static GroupDetail consumerGroup(OffsetReadings r, OffsetReadings.Listed listed,
            ConsumerGroupDescription description, FirstRecords firstRecords, Map<String, Long> retentionMs, long nowMs) {
        Map<TopicPartition, OffsetAndMetadata> committed = r.committed().getOrDefault(description.groupId(), Map.of());
        Map<TopicPartition, String> owner = new HashMap<>();
        List<MemberDetail> members = new ArrayList<>();
        for (MemberDescription member : description.members()) {
            List<TopicPartition> assigned = sorted(member.assignment().topicPartitions());
            assigned.forEach(tp -> owner.put(tp, member.consumerId()));
            members.add(new MemberDetail(member.consumerId(), member.groupInstanceId().orElse(null), member.clientId(),
                    member.host(), assigned, member.memberEpoch().orElse(null),
                    member.targetAssignment().map(t -> sorted(t.topicPartitions())).orElse(null)));
        }
        members.sort(Comparator.comparing(MemberDetail::clientId).thenComparing(MemberDetail::memberId));

        List<PartitionDetail> details = partitions(r, committed, owner, firstRecords, retentionMs, nowMs);
        String type = description.type() == null ? listed.type() : description.type().toString().toLowerCase(Locale.ROOT);
        return new GroupDetail(description.groupId(),
                description.groupState() == null ? "Unknown" : description.groupState().toString(), type,
                listed.protocolType(), description.partitionAssignor(), coordinator(description.coordinator()),
                description.groupEpoch().orElse(null), description.targetAssignmentEpoch().orElse(null), null, members,
                details, List.of(), null);
    }

    private static GroupDetail streamsGroup(OffsetReadings r, OffsetReadings.Listed listed,
            StreamsGroupDescription description, FirstRecords firstRecords, Map<String, Long> retentionMs, long nowMs) {
        Map<TopicPartition, OffsetAndMetadata> committed = r.committed().getOrDefault(description.groupId(), Map.of());
        Map<TopicPartition, String> owner = new HashMap<>();
        List<MemberDetail> members = new ArrayList<>();
        for (StreamsGroupMemberDescription member : description.members()) {
            List<TopicPartition> assigned = sorted(inputPartitions(description, member.assignment().activeTasks()));
            assigned.forEach(tp -> owner.put(tp, member.memberId()));
            members.add(new MemberDetail(member.memberId(), member.instanceId().orElse(null), member.clientId(),
                    member.clientHost(), assigned, member.memberEpoch(),
                    sorted(inputPartitions(description, member.targetAssignment().activeTasks())),
                    tasks(member.assignment()), tasks(member.targetAssignment())));
        }
        members.sort(Comparator.comparing(MemberDetail::clientId).thenComparing(MemberDetail::memberId));
        List<PartitionDetail> details = partitions(r, committed, owner, firstRecords, retentionMs, nowMs);
        List<GroupDetail.Subtopology> subtopologies = new ArrayList<>();
        for (StreamsGroupSubtopologyDescription s : description.subtopologies()) {
            subtopologies.add(new GroupDetail.Subtopology(s.subtopologyId(), s.sourceTopics(),
                    List.copyOf(new TreeSet<>(s.repartitionSourceTopics().keySet())), s.repartitionSinkTopics(),
                    List.copyOf(new TreeSet<>(s.stateChangelogTopics().keySet()))));
        }
        subtopologies.sort(Comparator.comparing(GroupDetail.Subtopology::id));
        return new GroupDetail(description.groupId(),
                description.groupState() == null ? "Unknown" : description.groupState().toString(), listed.type(),
                listed.protocolType(), description.assignorName().orElse(null), coordinator(description.coordinator()),
                description.groupEpoch(), description.targetAssignmentEpoch(), description.topologyEpoch(), members,
                details, subtopologies, null);
    }

    /**
     * The partitions {@code tasks} read: task N of a subtopology reads partition N of each of its
     * source and repartition source topics (a task of a subtopology not described reads none known).
     */
    static Set<TopicPartition> inputPartitions(StreamsGroupDescription description,
            Collection<StreamsGroupMemberAssignment.TaskIds> tasks) {
        Map<String, Set<String>> inputs = new HashMap<>();
        for (StreamsGroupSubtopologyDescription s : description.subtopologies()) {
            Set<String> topics = new TreeSet<>(s.sourceTopics());
            topics.addAll(s.repartitionSourceTopics().keySet());
            inputs.put(s.subtopologyId(), topics);
        }
        Set<TopicPartition> partitions = new HashSet<>();
        for (StreamsGroupMemberAssignment.TaskIds task : tasks) {
            for (String topic : inputs.getOrDefault(task.subtopologyId(), Set.of())) {
                task.partitions().forEach(p -> partitions.add(new TopicPartition(topic, p)));
            }
        }
        return partitions;
    }

    private static MemberDetail.Tasks tasks(StreamsGroupMemberAssignment assignment) {
        return new MemberDetail.Tasks(taskIds(assignment.activeTasks()), taskIds(assignment.standbyTasks()),
                taskIds(assignment.warmupTasks()));
    }

    private static List<String> taskIds(List<StreamsGroupMemberAssignment.TaskIds> tasks) {
        List<TopicPartition> ids = new ArrayList<>(); // a subtopology and a partition: sorted as numbers, not text
        tasks.forEach(t -> t.partitions().forEach(p -> ids.add(new TopicPartition(t.subtopologyId(), p))));
        return sorted(ids).stream().map(t -> t.topic() + "_" + t.partition()).toList();
    }

    /** The partitions a group has offsets on or members on, in order, by the rules of consumer groups. */
    private static List<PartitionDetail> partitions(OffsetReadings r, Map<TopicPartition, OffsetAndMetadata> committed,
            Map<TopicPartition, String> owner, FirstRecords firstRecords, Map<String, Long> retentionMs, long nowMs) {
        Set<TopicPartition> partitions = new TreeSet<>(BY_PARTITION);
        partitions.addAll(committed.keySet());
        partitions.addAll(owner.keySet());
        List<PartitionDetail> details = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            details.add(partition(r, tp, committed.get(tp), owner.get(tp), firstRecords, retentionMs.get(tp.topic()), nowMs));
        }
        return details;
    }

    /** One partition of a consumer group: the rules of lag, time lag and retention risk. */
    static PartitionDetail partition(OffsetReadings r, TopicPartition tp, OffsetAndMetadata offset, String owner,
            FirstRecords firstRecords, Long retentionMs, long nowMs) {
        Long committed = offset == null ? null : offset.offset();
        int metadataBytes = offset == null || offset.metadata() == null ? 0
                : offset.metadata().getBytes(StandardCharsets.UTF_8).length;
        String error = logError(r, tp);
        Long start = r.logStart().get(tp);
        Long end = r.logEnd().get(tp);
        if (error != null) {
            return new PartitionDetail(tp.topic(), tp.partition(), committed, null, start, end, null, null, null, owner,
                    metadataBytes, 0, null, null, error);
        }
        if (committed == null) {
            return new PartitionDetail(tp.topic(), tp.partition(), null, null, start, end, null, null, null, owner, metadataBytes, 0,
                    null, "not committed yet: the group starts where its auto.offset.reset says", null);
        }
        if (committed > end) {
            return new PartitionDetail(tp.topic(), tp.partition(), committed, null, start, end, null, null, null, owner,
                    metadataBytes, 0, null, "committed offset " + committed + " is past the log end " + end
                    + " (topic re-created, or log truncated): the group's next fetch resets it by its auto.offset.reset",
                    null);
        }
        long offsetLag = end - committed;
        long first = r.firstUnconsumed(tp, committed);
        long deletedUnread = committed < start ? start - committed : 0;
        long lag = offsetLag;
        String note = null;
        Age age;
        if (offsetLag == 0) {
            age = Age.NONE;
        } else if (firstRecords.noRecordBeforeEnd(tp, first)) {
            lag = 0;
            age = Age.NONE;
            note = "caught up: only control records (transaction markers, aborted records) stand in the last " + offsetLag
                    + " offsets";
        } else {
            age = Age.of(firstRecords, tp, first, retentionMs, nowMs);
            note = firstRecords.unavailable(tp.topic());
        }
        return new PartitionDetail(tp.topic(), tp.partition(), committed, null, start, end, lag, offsetLag, age.lagSeconds(),
                owner, metadataBytes, deletedUnread, age.retentionSecondsLeft(), note, null);
    }

    /** Why the partition's log offsets are missing: its read error, or null when both were read. */
    private static String logError(OffsetReadings r, TopicPartition tp) {
        String error = r.partitionErrors().get(tp);
        if (error == null && (r.logStart().get(tp) == null || r.logEnd().get(tp) == null)) {
            return "its log offsets were not read";
        }
        return error;
    }

    /**
     * The age of the first record a group has not consumed, and the time left before retention
     * deletes it; either null when unknown.
     */
    private record Age(Double lagSeconds, Double retentionSecondsLeft) {
        static final Age NONE = new Age(0.0, null);
        static final Age UNKNOWN = new Age(null, null);

        static Age of(FirstRecords firstRecords, TopicPartition tp, long first, Long retentionMs, long nowMs) {
            Long written = firstRecords.timestamp(tp, first);
            if (written == null) {
                return UNKNOWN;
            }
            double seconds = Math.max(0, nowMs - written) / 1000.0;
            return new Age(seconds, retentionMs != null && retentionMs > 0 ? retentionMs / 1000.0 - seconds : null);
        }
    }

    private static GroupDetail.Coordinator coordinator(Node node) {
        return node == null || node.isEmpty() ? null : new GroupDetail.Coordinator(node.id(), node.host(), node.port());
    }

    private static List<TopicPartition> sorted(Collection<TopicPartition> partitions) {
        List<TopicPartition> list = new ArrayList<>(partitions);
        list.sort(BY_PARTITION);
        return list;
    }
}
