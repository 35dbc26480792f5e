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
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Plans a delete of a group or of some of its offsets from one read of the group: what is
 * deleted (offsets with their leader epochs and metadata, the group's dynamic configs), the lag
 * given up, who is in the way, and for a streams group the internal topics deleted with it if
 * asked. Changes nothing; refuses what no delete should touch (a group that does not exist, one
 * with no offsets of its own such as a Kafka Connect worker group, a topic the group has no
 * offsets for).
 */
public final class DeletePlanner {
    private static final Comparator<TopicPartition> ORDER = Comparator.comparing(TopicPartition::topic)
            .thenComparingInt(TopicPartition::partition);

    private final Admin admin;
    private final Calls calls;
    private final GroupReads reads;
    private final GroupConfigs configs;
    private final Properties clientProperties;

    public DeletePlanner(Admin admin, Calls calls, Properties clientProperties) {
        this.admin = admin;
        this.calls = calls;
        this.reads = new GroupReads(admin, calls);
        this.configs = new GroupConfigs(admin, calls);
        this.clientProperties = clientProperties;
    }

    /**
     * A plan, and the store of the group's type that carries it out.
     */
    public record Planned(DeletePlan plan, OffsetStore store) {
    }

    /**
     * The delete of the whole group: every offset, its dynamic configs unless {@code keepConfigs},
     * and with {@code internalTopics} the topics Kafka Streams made for it (a streams group only).
     */
    public Planned group(String group, boolean keepConfigs, boolean internalTopics) {
        return plan(group, true, null, keepConfigs, internalTopics);
    }

    /**
     * The delete of some of the group's offsets.
     *
     * @param topics topic to partitions (an empty set: all of its partitions); null: every topic
     *     the group has offsets for
     */
    public Planned offsets(String group, Map<String, Set<Integer>> topics) {
        return plan(group, false, topics, true, false);
    }

    private Planned plan(String group, boolean wholeGroup, Map<String, Set<Integer>> topics, boolean keepConfigs,
            boolean internalTopics) {
        Map<String, OffsetReadings.Listed> listed = reads.list();
        if (!listed.containsKey(group)) {
            throw GroupAdminException.unknownGroup(group);
        }
        OffsetStore store = OffsetStore.of(listed.get(group), null, admin, calls, wholeGroup ? "deletes" : "deletes offsets of");
        if (internalTopics && !listed.get(group).streams()) {
            throw new GroupAdminException("group '" + group + "' is a " + listed.get(group).type() + " group: "
                    + "--internal-topics applies to streams groups only (the topics Kafka Streams made for the app); "
                    + "nothing was changed");
        }
        OffsetReadings readings = reads.read(List.of(group), listed, IsolationLevel.READ_UNCOMMITTED);
        if (readings.groupErrors().containsKey(group)) {
            throw new GroupAdminException(readings.groupErrors().get(group) + "; nothing was changed");
        }
        OffsetStore.Group now = readings.groups().contains(group) ? store.describe(group) : null;
        if (now == null) {
            throw GroupAdminException.unknownGroup(group);
        }
        Map<TopicPartition, OffsetAndMetadata> committed = store.offsets(group);
        Set<TopicPartition> scope = wholeGroup ? committed.keySet() : scope(group, topics, committed.keySet());
        if (!wholeGroup) {
            store.checkDelete(group, scope, committed.keySet());
        }

        Set<String> topicsDeleted = new HashSet<>();
        scope.forEach(tp -> topicsDeleted.add(tp.topic()));
        List<String> blockers = new ArrayList<>();
        for (OffsetStore.Member m : now.members()) {
            if ((wholeGroup || m.topics().stream().anyMatch(topicsDeleted::contains)) && !blockers.contains(m.name())) {
                blockers.add(m.name());
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
        List<String> topicsToDelete = List.of();
        if (internalTopics && !now.internalTopics().isEmpty()) {
            Set<String> existing = calls.await(admin.listTopics(new ListTopicsOptions().listInternal(false)).names(),
                    "list the topics");
            topicsToDelete = now.internalTopics().stream().filter(existing::contains).sorted().toList();
        }
        return new Planned(new DeletePlan(group, store.type(), wholeGroup, now.state(), blockers, partitions, deletedConfigs,
                topicsToDelete), store);
    }

    /** The committed partitions the topics name; a topic (or partition) without an offset is an error: a typo. */
    private static Set<TopicPartition> scope(String group, Map<String, Set<Integer>> topics, Set<TopicPartition> committed) {
        if (topics == null) {
            if (committed.isEmpty()) {
                throw new GroupAdminException("group '" + group + "' has no offsets: nothing to delete");
            }
            return committed;
        }
        Set<String> has = new TreeSet<>();
        committed.forEach(tp -> has.add(tp.topic()));
        Set<TopicPartition> scope = new HashSet<>();
        for (Map.Entry<String, Set<Integer>> topic : topics.entrySet()) {
            List<TopicPartition> of = committed.stream().filter(tp -> tp.topic().equals(topic.getKey())).toList();
            if (of.isEmpty()) {
                throw new GroupAdminException("group '" + group + "' has no offsets for topic '" + topic.getKey()
                        + "' (it has offsets for " + (has.isEmpty() ? "no topic" : String.join(", ", has))
                        + "): check the name; nothing was changed");
            }
            for (int p : topic.getValue()) {
                if (!of.contains(new TopicPartition(topic.getKey(), p))) {
                    throw new GroupAdminException("group '" + group + "' has no offset for " + topic.getKey() + "-"
                            + p + ": name partitions it has offsets for; nothing was changed");
                }
            }
            of.stream().filter(tp -> topic.getValue().isEmpty() || topic.getValue().contains(tp.partition()))
                    .forEach(scope::add);
        }
        return scope;
    }
}
