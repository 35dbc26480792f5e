package io.kgroups.admin.internal;

import io.kgroups.admin.GroupAdminException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListStreamsGroupOffsetsSpec;
import org.apache.kafka.clients.admin.StreamsGroupDescription;
import org.apache.kafka.clients.admin.StreamsGroupSubtopologyDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;

/**
 * The committed offsets of a streams group (KIP-1071), on the topics of its topology: its input
 * topics, and its repartition topics, which the app writes itself. Resets move input topics only,
 * as Kafka's kafka-streams-groups does: a repartition topic's offset moved alone would lose or
 * repeat what the app wrote to it.
 */
final class StreamsOffsetStore implements OffsetStore {
    /** The names Kafka Streams gives the topics it makes itself, after "APPLICATION_ID-". */
    private static final Pattern INTERNAL = Pattern.compile(".+-(changelog|repartition)"
            + "|.+-KTABLE-FK-JOIN-SUBSCRIPTION-(REGISTRATION|RESPONSE)-\\d+-topic"
            + "|.+-subscription-(registration|response)-topic");

    private final Admin admin;
    private final Calls calls;

    StreamsOffsetStore(Admin admin, Calls calls) {
        this.admin = admin;
        this.calls = calls;
    }

    @Override
    public String type() {
        return "streams";
    }

    @Override
    public Group describe(String group) {
        StreamsGroupDescription description = calls.awaitGroup(
                admin.describeStreamsGroups(List.of(group)).describedGroups().get(group), "describe streams group " + group);
        if (description == null || description.groupState() == GroupState.DEAD) {
            return null;
        }
        Set<String> inputs = new TreeSet<>();
        Set<String> read = new TreeSet<>();
        Set<String> made = new TreeSet<>();
        for (StreamsGroupSubtopologyDescription s : description.subtopologies()) {
            inputs.addAll(s.sourceTopics());
            read.addAll(s.sourceTopics());
            read.addAll(s.repartitionSourceTopics().keySet());
            made.addAll(s.repartitionSourceTopics().keySet());
            made.addAll(s.stateChangelogTopics().keySet());
        }
        description.subtopologies().forEach(s -> inputs.removeAll(s.repartitionSourceTopics().keySet()));
        // A changelog that is an input topic (a source KTable) is the user's: never the app's own.
        made.removeAll(inputs);
        made.removeIf(topic -> !internal(group, topic));
        List<Member> members = description.members().stream()
                .map(m -> new Member(m.clientId() + "@" + m.clientHost(), read)).toList();
        return new Group(String.valueOf(description.groupState()), members, inputs, made);
    }

    /** Whether the topic is one Kafka Streams made for the app {@code group}: its name says so. */
    static boolean internal(String group, String topic) {
        return topic.startsWith(group + "-") && INTERNAL.matcher(topic).matches();
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> offsets(String group) {
        Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
        calls.await(admin.listStreamsGroupOffsets(Map.of(group, new ListStreamsGroupOffsetsSpec()))
                .partitionsToOffsetAndMetadata(group), "read the offsets of streams group " + group).forEach((tp, o) -> {
                    if (o != null) {
                        committed.put(tp, o);
                    }
                });
        return committed;
    }

    @Override
    public void alter(String group, Map<TopicPartition, OffsetAndMetadata> offsets) {
        calls.await(admin.alterStreamsGroupOffsets(group, offsets).all(), "commit the new offsets of streams group " + group,
                Access.group("Read", group), Access.topics("Read", OffsetStore.topics(offsets.keySet())));
    }

    @Override
    public Map<TopicPartition, GroupAdminException> delete(String group, Set<TopicPartition> partitions) {
        return ConsumerOffsetStore.refused(partitions, admin.deleteStreamsGroupOffsets(group, partitions)::partitionResult,
                calls, group);
    }

    @Override
    public void deleteGroup(String group) {
        calls.await(admin.deleteStreamsGroups(List.of(group)).deletedGroups().get(group), "delete streams group " + group,
                Access.group("Delete", group));
    }
}
