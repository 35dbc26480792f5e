package io.kgroups.admin.internal;

import io.kgroups.admin.GroupAdminException;
import io.kgroups.admin.ResetTarget;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.clients.admin.ShareMemberDescription;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;

/**
 * The start offsets of a share group's share-partitions (KIP-932): where delivery begins; records
 * before it are done, records after it are delivered, acknowledged or not, by the broker's own
 * bookkeeping. Kafka moves the start offset only while the group is empty, and deletes it per
 * topic, not per partition. There is no commit metadata.
 */
final class ShareOffsetStore implements OffsetStore {
    private final Admin admin;
    private final Calls calls;

    ShareOffsetStore(Admin admin, Calls calls) {
        this.admin = admin;
        this.calls = calls;
    }

    @Override
    public String type() {
        return "share";
    }

    @Override
    public Group describe(String group) {
        ShareGroupDescription description = calls.awaitGroup(
                admin.describeShareGroups(List.of(group)).describedGroups().get(group), "describe share group " + group);
        if (description == null || description.groupState() == GroupState.DEAD) {
            return null;
        }
        List<Member> members = description.members().stream().map(ShareOffsetStore::member).toList();
        return new Group(String.valueOf(description.groupState()), members, null, Set.of());
    }

    private static Member member(ShareMemberDescription m) {
        Set<String> topics = new HashSet<>();
        m.assignment().topicPartitions().forEach(tp -> topics.add(tp.topic()));
        return new Member(m.clientId() + "@" + m.host(), topics);
    }

    /**
     * Where the group stands on each partition: the start offset, or the log end where the broker
     * says nothing is left to deliver. The share coordinator may keep the start offset behind
     * records it has acknowledged (their states are kept in batches after it), so a backup of the
     * bare start offset would, restored, deliver all of them again. Between the two, which records
     * after the start offset are done cannot be told or restored: the start offset is kept, which
     * may deliver some again and loses none.
     */
    @Override
    public Map<TopicPartition, OffsetAndMetadata> offsets(String group) {
        Map<TopicPartition, SharePartitionOffsetInfo> infos = read(group);
        Map<TopicPartition, OffsetSpec> done = new HashMap<>();
        infos.forEach((tp, info) -> {
            if (info.lag().orElse(-1L) == 0) {
                done.put(tp, OffsetSpec.latest());
            }
        });
        Map<TopicPartition, Long> ends = new HashMap<>();
        if (!done.isEmpty()) {
            calls.await(admin.listOffsets(done).all(), "read the log-end offsets of share group " + group)
                    .forEach((tp, end) -> ends.put(tp, end.offset()));
        }
        Map<TopicPartition, OffsetAndMetadata> positions = new HashMap<>();
        infos.forEach((tp, info) -> positions.put(tp, new OffsetAndMetadata(
                Math.max(info.startOffset(), ends.getOrDefault(tp, info.startOffset())), info.leaderEpoch(), "")));
        return positions;
    }

    /** The broker's lag (KIP-1226): records after the start offset not yet acknowledged, archived or delivered. */
    @Override
    public Map<TopicPartition, Long> undelivered(String group) {
        Map<TopicPartition, Long> lag = new HashMap<>();
        read(group).forEach((tp, info) -> info.lag().ifPresent(l -> lag.put(tp, l)));
        return lag;
    }

    private Map<TopicPartition, SharePartitionOffsetInfo> read(String group) {
        Map<TopicPartition, SharePartitionOffsetInfo> present = new HashMap<>();
        calls.await(admin.listShareGroupOffsets(Map.of(group, new ListShareGroupOffsetsSpec())).partitionsToOffsetInfo(group),
                "read the start offsets of share group " + group).forEach((tp, info) -> {
                    if (info != null) {
                        present.put(tp, info);
                    }
                });
        return present;
    }

    @Override
    public void alter(String group, Map<TopicPartition, OffsetAndMetadata> offsets) {
        Map<TopicPartition, Long> starts = new HashMap<>();
        offsets.forEach((tp, o) -> starts.put(tp, o.offset()));
        calls.await(admin.alterShareGroupOffsets(group, starts).all(), "set the start offsets of share group " + group,
                Access.group("Read", group), Access.topics("Read", OffsetStore.topics(offsets.keySet())));
    }

    /** Kafka deletes a share group's offsets by whole topics: a part of a topic cannot be deleted alone. */
    @Override
    public void checkDelete(String group, Set<TopicPartition> partitions, Set<TopicPartition> present) {
        Map<String, Set<Integer>> left = new TreeMap<>();
        present.stream().filter(tp -> !partitions.contains(tp) && partitions.stream().anyMatch(d -> d.topic().equals(tp.topic())))
                .forEach(tp -> left.computeIfAbsent(tp.topic(), k -> new TreeSet<>()).add(tp.partition()));
        left.forEach((topic, kept) -> {
            throw new GroupAdminException("share group '" + group + "' has start offsets on partitions " + kept + " of "
                    + topic + " too: Kafka deletes a share group's offsets by whole topics; name the topic without "
                    + "partitions; nothing was changed");
        });
    }

    @Override
    public Map<TopicPartition, GroupAdminException> delete(String group, Set<TopicPartition> partitions) {
        checkDelete(group, partitions, offsets(group).keySet());
        Map<String, Set<TopicPartition>> byTopic = new LinkedHashMap<>();
        partitions.forEach(tp -> byTopic.computeIfAbsent(tp.topic(), k -> new HashSet<>()).add(tp));
        var result = admin.deleteShareGroupOffsets(group, byTopic.keySet());
        Map<TopicPartition, GroupAdminException> failed = new LinkedHashMap<>();
        byTopic.forEach((topic, of) -> {
            try {
                calls.await(result.topicResult(topic), "delete the start offsets of " + topic + " of share group " + group,
                        Access.group("Delete", group), Access.topics("Read", List.of(topic)));
            } catch (GroupAdminException e) {
                of.forEach(tp -> failed.put(tp, e));
            }
        });
        return failed;
    }

    @Override
    public void deleteGroup(String group) {
        calls.await(admin.deleteShareGroups(List.of(group)).deletedGroups().get(group), "delete share group " + group,
                Access.group("Delete", group));
    }

    /**
     * Kafka's share-group reset (kafka-share-groups --reset-offsets) sets a start offset; a shift
     * of the start offset has no meaning Kafka gives it, as records after it are delivered out of
     * order and in parallel.
     */
    @Override
    public void check(String group, ResetTarget target) {
        if (target instanceof ResetTarget.ShiftBy) {
            throw new GroupAdminException("group '" + group + "' is a share group: --shift-by does not apply to share groups "
                    + "(their start offset is not a position records are read in order from); use --to-offset, "
                    + "--to-datetime, --by-duration, --to-earliest or --to-latest; nothing was changed");
        }
    }
}
