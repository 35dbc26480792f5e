package io.kgroups.admin;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Where a reset moves a group's committed offsets, per partition. Every target is clamped to
 * [log-start, log-end], as Kafka's own tool does.
 */
public sealed interface ResetTarget {
    /** The oldest record still in the log: everything left is read again. */
    record Earliest() implements ResetTarget { }

    /** The log end: everything not yet read is skipped. */
    record Latest() implements ResetTarget { }

    /** Where the group is (a partition without a committed offset: the log end). */
    record Current() implements ResetTarget { }

    /** One offset for every partition. */
    record ToOffset(long offset) implements ResetTarget { }

    /** The committed offset plus {@code shift} (negative: back); needs a committed offset. */
    record ShiftBy(long shift) implements ResetTarget { }

    /** The first record at or after {@code time} (none: the log end). */
    record ToDatetime(Instant time) implements ResetTarget { }

    /** The first record not older than {@code age}. */
    record ByDuration(Duration age) implements ResetTarget { }

    /**
     * Offsets given per partition (a backup or an export file), and the group configs a backup
     * recorded.
     *
     * @param offsets the commit to write per partition: offset, and the leader epoch and metadata
     *     a backup recorded with it (written as given unless the offset is clamped)
     * @param withoutOffset partitions whose committed offset is deleted: those a backup found with
     *     none, so that the undo of a reset leaves them with none again
     * @param configs group configs set after the offsets (a backup of a deleted group holds those
     *     that were set dynamically)
     * @param withoutConfig group configs whose dynamic value is deleted: those a backup found
     *     unset, so that the undo of an import leaves them unset again
     * @param skipped what the file held that this version cannot apply (lines of a later
     *     version), one warning each
     * @param groupType the type of group the offsets are of (share, streams), which a group made
     *     again from them gets; null: a consumer group's, or not recorded (Kafka's files)
     */
    record FromOffsets(Map<TopicPartition, OffsetAndMetadata> offsets, Set<TopicPartition> withoutOffset,
            Map<String, String> configs, Set<String> withoutConfig, List<String> skipped, String groupType)
            implements ResetTarget {
        public FromOffsets {
            offsets = Map.copyOf(offsets);
            withoutOffset = Set.copyOf(withoutOffset);
            for (TopicPartition tp : withoutOffset) {
                if (offsets.containsKey(tp)) {
                    throw new IllegalArgumentException(tp + " has both an offset and none");
                }
            }
            configs = Map.copyOf(configs);
            withoutConfig = Set.copyOf(withoutConfig);
            for (String name : withoutConfig) {
                if (configs.containsKey(name)) {
                    throw new IllegalArgumentException("config " + name + " has both a value and none");
                }
            }
            skipped = List.copyOf(skipped);
        }

        /** Offsets only. */
        public FromOffsets(Map<TopicPartition, OffsetAndMetadata> offsets, Set<TopicPartition> withoutOffset) {
            this(offsets, withoutOffset, Map.of(), Set.of(), List.of(), null);
        }

        /** Plain offsets, with no metadata and nothing to delete. */
        public static FromOffsets of(Map<TopicPartition, Long> offsets) {
            Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
            offsets.forEach((tp, offset) -> commits.put(tp, new OffsetAndMetadata(offset)));
            return new FromOffsets(commits, Set.of());
        }

        /** Whether it sets or deletes no offset and no config: there is nothing to restore. */
        public boolean isEmpty() {
            return offsets.isEmpty() && withoutOffset.isEmpty() && configs.isEmpty() && withoutConfig.isEmpty();
        }

        /** Every partition the target names, with an offset or without. */
        public Set<TopicPartition> partitions() {
            Set<TopicPartition> all = new HashSet<>(offsets.keySet());
            all.addAll(withoutOffset);
            return all;
        }
    }
}
