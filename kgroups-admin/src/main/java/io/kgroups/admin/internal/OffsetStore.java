package io.kgroups.admin.internal;

import io.kgroups.admin.GroupAdminException;
import io.kgroups.admin.OffsetReadings;
import io.kgroups.admin.ResetTarget;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Where a group of one type keeps the offsets a reset, a delete or an export changes: a consumer
 * group its committed offsets, a share group the start offset of each share-partition, a streams
 * group the committed offsets of its topology's topics. One implementation per type, chosen by
 * {@link #of} from the group list, so the planners and the writer are the same for all three.
 */
public interface OffsetStore {

    /**
     * A group as a write sees it.
     *
     * @param state as Kafka names it (Empty, Stable, NotReady ...)
     * @param members everyone who reads for it now
     * @param inputTopics of a streams group: the topics its topology reads that are not its own
     *     (what a reset may move); null for other types, whose resets may name any topic
     * @param internalTopics of a streams group: its repartition and changelog topics (that exist
     *     or not); empty for other types
     */
    record Group(String state, List<Member> members, Set<String> inputTopics, Set<String> internalTopics) {
        public Group {
            members = List.copyOf(members);
            internalTopics = Set.copyOf(internalTopics);
        }
    }

    /**
     * A member, by who runs it.
     *
     * @param name client id @ host
     * @param topics the topics it reads now or is about to (its assignment and target assignment;
     *     for a streams member every topic of the topology, as each member runs all of it)
     */
    record Member(String name, Set<String> topics) {
    }

    /** The type in the group list's words: consumer (and classic consumer groups), share, streams. */
    String type();

    /** The group now; null when there is none. */
    Group describe(String group);

    /** The offsets the group has, with leader epochs (and commit metadata where the type has it). */
    Map<TopicPartition, OffsetAndMetadata> offsets(String group);

    /**
     * The records left to deliver on each partition where the offset does not tell them (a share
     * group: the broker's lag, as records after the start offset may be done already); empty when
     * log-end minus the offset does.
     */
    default Map<TopicPartition, Long> undelivered(String group) {
        return Map.of();
    }

    /** Writes these offsets (the metadata too where the type keeps it); Kafka refuses while the group has members. */
    void alter(String group, Map<TopicPartition, OffsetAndMetadata> offsets);

    /**
     * Deletes the offsets of these partitions.
     *
     * @return the partitions Kafka refused, with why; empty when all were deleted
     */
    Map<TopicPartition, GroupAdminException> delete(String group, Set<TopicPartition> partitions);

    /**
     * Refuses, in one line, an offsets delete this type cannot do; changes nothing.
     *
     * @param partitions the offsets to delete
     * @param present every offset the group has
     */
    default void checkDelete(String group, Set<TopicPartition> partitions, Set<TopicPartition> present) {
    }

    /** Deletes the group; Kafka refuses while it has members. */
    void deleteGroup(String group);

    /** Refuses, in one line, a reset this type of group cannot take; changes nothing. */
    default void check(String group, ResetTarget target) {
    }

    /** The topics of these partitions. */
    static Set<String> topics(Collection<TopicPartition> partitions) {
        Set<String> topics = new TreeSet<>();
        partitions.forEach(tp -> topics.add(tp.topic()));
        return topics;
    }

    /**
     * The store for a group as the group list gave it. A group that is not listed does not
     * exist yet, and can be given offsets: a consumer group's, or those of the type a backup
     * recorded. A classic group of another protocol (a Kafka Connect worker group ...) has no
     * offsets: refused.
     *
     * @param typeIfNew share or streams: the type a group not listed is made as; null: consumer
     * @param verb what is refused, for the message: "resets", "deletes" ...
     */
    static OffsetStore of(OffsetReadings.Listed listed, String typeIfNew, Admin admin, Calls calls, String verb) {
        String type = listed == null ? String.valueOf(typeIfNew) : listed.type();
        if (type.equals("share")) {
            return new ShareOffsetStore(admin, calls);
        }
        if (type.equals("streams")) {
            return new StreamsOffsetStore(admin, calls);
        }
        if (listed == null || listed.consumerGroup()) {
            return new ConsumerOffsetStore(admin, calls);
        }
        throw new GroupAdminException("group '" + listed.group() + "' has protocol type '" + listed.protocolType()
                + "', not consumer (a Kafka Connect worker group, or another client's): it has no offsets, and kgroups "
                + verb + " consumer, share and streams groups only; nothing was changed");
    }
}
