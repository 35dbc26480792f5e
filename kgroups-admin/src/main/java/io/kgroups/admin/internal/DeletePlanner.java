package io.kgroups.admin.internal;

import io.kgroups.admin.DeletePlan;
import io.kgroups.admin.FirstRecords;
import io.kgroups.admin.GroupAdminException;
import io.kgroups.admin.GroupDetail;
import io.kgroups.admin.OffsetReadings;
import io.kgroups.admin.PartitionDetail;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Plans a delete of a group or of some of its offsets from one read of the group: what is
 * deleted (offsets with their leader epochs and metadata, the group's dynamic configs), the lag
 * given up, and who is in the way. Changes nothing; refuses what no delete should touch (a group
 * that does not exist, one that is not a consumer group, a topic the group has no offsets for).
 */
public final class DeletePlanner {
    private static final Comparator<TopicPartition> ORDER = Comparator.comparing(TopicPartition::topic)
            .thenComparingInt(TopicPartition::partition);

    private final GroupReads reads;
    private final GroupConfigs configs;
    private final Properties clientProperties;

    public DeletePlanner(Admin admin, Calls calls, Properties clientProperties) {
        this.reads = new GroupReads(admin, calls);
        this.configs = new GroupConfigs(admin, calls);
        this.clientProperties = clientProperties;
    }

    /** The delete of the whole group: every committed offset, and its dynamic configs unless {@code keepConfigs}. */
    public DeletePlan group(String group, boolean keepConfigs) {
        return plan(group, true, null, keepConfigs);
    }

    /**
     * The delete of some of the group's committed offsets.
     *
     * @param topics topic to partitions (an empty set: all of its partitions); null: every topic
     *     the group has offsets for
     */
    public DeletePlan offsets(String group, Map<String, Set<Integer>> topics) {
        return plan(group, false, topics, true);
    }

    private DeletePlan plan(String group, boolean wholeGroup, Map<String, Set<Integer>> topics, boolean keepConfigs) {
        Map<String, OffsetReadings.Listed> listed = reads.list();
        if (listed.containsKey(group)) {
            ResetPlanner.refuseOtherProtocols(listed.get(group), wholeGroup ? "deletes" : "deletes offsets of",
                    wholeGroup ? "--delete" : "--delete-offsets");
        }
        OffsetReadings readings = reads.read(List.of(group), listed, IsolationLevel.READ_UNCOMMITTED);
        if (readings.groupErrors().containsKey(group)) {
            throw new GroupAdminException(readings.groupErrors().get(group) + "; nothing was changed");
        }
        if (!readings.groups().contains(group)) {
            throw GroupAdminException.unknownGroup(group);
        }
        ConsumerGroupDescription description = readings.described().get(group);
        Map<TopicPartition, OffsetAndMetadata> committed = readings.committed().get(group);
        Set<TopicPartition> scope = wholeGroup ? committed.keySet() : scope(group, topics, committed.keySet());

        Set<String> topicsDeleted = new HashSet<>();
        scope.forEach(tp -> topicsDeleted.add(tp.topic()));
        List<String> blockers = new ArrayList<>();
        for (MemberDescription m : description.members()) {
            Set<TopicPartition> assigned = new HashSet<>(m.assignment().topicPartitions());
            m.targetAssignment().ifPresent(target -> assigned.addAll(target.topicPartitions()));
            if (wholeGroup || assigned.stream().anyMatch(tp -> topicsDeleted.contains(tp.topic()))) {
                String name = m.clientId() + "@" + m.host();
                if (!blockers.contains(name)) {
                    blockers.add(name);
                }
            }
        }

        Map<TopicPartition, Long> lag = new HashMap<>();
        FirstRecords firstRecords = FirstRecordReader.read(clientProperties, IsolationLevel.READ_UNCOMMITTED,
                readings.smallLags(), readings.logEnd(), Duration.ofSeconds(3));
        for (GroupDetail detail : readings.details(firstRecords, Map.of(), System.currentTimeMillis())) {
            for (PartitionDetail p : detail.partitions()) {
                if (p.lag() != null) {
                    lag.put(new TopicPartition(p.topic(), p.partition()), p.lag());
                }
            }
        }
        List<DeletePlan.Partition> partitions = new ArrayList<>();
        for (TopicPartition tp : scope.stream().sorted(ORDER).toList()) {
            OffsetAndMetadata o = committed.get(tp);
            partitions.add(new DeletePlan.Partition(tp.topic(), tp.partition(), o.offset(), o.leaderEpoch().orElse(null),
                    o.metadata() == null ? "" : o.metadata(), lag.get(tp)));
        }
        SortedMap<String, String> deletedConfigs = keepConfigs ? new TreeMap<>() : configs.dynamic(group);
        return new DeletePlan(group, wholeGroup, String.valueOf(description.groupState()), blockers, partitions,
                deletedConfigs);
    }

    /** The committed partitions the topics name; a topic (or partition) without an offset is an error: a typo. */
    private static Set<TopicPartition> scope(String group, Map<String, Set<Integer>> topics, Set<TopicPartition> committed) {
        if (topics == null) {
            if (committed.isEmpty()) {
                throw new GroupAdminException("group '" + group + "' has no committed offsets: nothing to delete");
            }
            return committed;
        }
        Set<String> has = new TreeSet<>();
        committed.forEach(tp -> has.add(tp.topic()));
        Set<TopicPartition> scope = new HashSet<>();
        for (Map.Entry<String, Set<Integer>> topic : topics.entrySet()) {
            List<TopicPartition> of = committed.stream().filter(tp -> tp.topic().equals(topic.getKey())).toList();
            if (of.isEmpty()) {
                throw new GroupAdminException("group '" + group + "' has no committed offsets for topic '" + topic.getKey()
                        + "' (it has offsets for " + (has.isEmpty() ? "no topic" : String.join(", ", has))
                        + "): check the name; nothing was changed");
            }
            for (int p : topic.getValue()) {
                if (!of.contains(new TopicPartition(topic.getKey(), p))) {
                    throw new GroupAdminException("group '" + group + "' has no committed offset for " + topic.getKey() + "-"
                            + p + ": name partitions it has offsets for; nothing was changed");
                }
            }
            of.stream().filter(tp -> topic.getValue().isEmpty() || topic.getValue().contains(tp.partition()))
                    .forEach(scope::add);
        }
        return scope;
    }
}
