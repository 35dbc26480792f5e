package io.kgroups.admin.internal;

import io.kgroups.admin.GroupAdminException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;

/** The committed offsets of a consumer group (of either protocol). */
final class ConsumerOffsetStore implements OffsetStore {
    private final Admin admin;
    private final Calls calls;

    ConsumerOffsetStore(Admin admin, Calls calls) {
        this.admin = admin;
        this.calls = calls;
    }

    @Override
    public String type() {
        return "consumer";
    }

    @Override
    public Group describe(String group) {
        ConsumerGroupDescription description = calls.awaitGroup(
                admin.describeConsumerGroups(List.of(group)).describedGroups().get(group), "describe group " + group);
        if (description == null) {
            return null;
        }
        List<Member> members = description.members().stream().map(ConsumerOffsetStore::member).toList();
        return new Group(String.valueOf(description.groupState()), members, null, Set.of());
    }

    private static Member member(MemberDescription m) {
        Set<String> topics = new HashSet<>();
        m.assignment().topicPartitions().forEach(tp -> topics.add(tp.topic()));
        m.targetAssignment().ifPresent(target -> target.topicPartitions().forEach(tp -> topics.add(tp.topic())));
        return new Member(m.clientId() + "@" + m.host(), topics);
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> offsets(String group) {
        Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
        calls.await(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata(), "read the offsets of group " + group)
                .forEach((tp, o) -> {
                    if (o != null) {
                        committed.put(tp, o);
                    }
                });
        return committed;
    }

    @Override
    public void alter(String group, Map<TopicPartition, OffsetAndMetadata> offsets) {
        calls.await(admin.alterConsumerGroupOffsets(group, offsets).all(), "commit the new offsets of " + group,
                Access.group("Read", group), Access.topics("Read", OffsetStore.topics(offsets.keySet())));
    }

    @Override
    public Map<TopicPartition, GroupAdminException> delete(String group, Set<TopicPartition> partitions) {
        // Kafka refuses partition by partition (a topic the group subscribes to), so some may be deleted and others not.
        return refused(partitions, admin.deleteConsumerGroupOffsets(group, partitions)::partitionResult, calls, group);
    }

    /** The partitions whose delete failed, each with its error. */
    static Map<TopicPartition, GroupAdminException> refused(Set<TopicPartition> partitions,
            Function<TopicPartition, KafkaFuture<Void>> result, Calls calls, String group) {
        Map<TopicPartition, GroupAdminException> failed = new LinkedHashMap<>();
        for (TopicPartition tp : partitions) {
            try {
                calls.await(result.apply(tp), "delete the offset of " + tp + " of group " + group,
                        Access.group("Delete", group), Access.topics("Read", List.of(tp.topic())));
            } catch (GroupAdminException e) {
                failed.put(tp, e);
            }
        }
        return failed;
    }

    @Override
    public void deleteGroup(String group) {
        calls.await(admin.deleteConsumerGroups(List.of(group)).deletedGroups().get(group), "delete group " + group,
                Access.group("Delete", group));
    }
}
