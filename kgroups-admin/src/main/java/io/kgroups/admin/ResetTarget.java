package io.kgroups.admin;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
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

    /** Offsets given per partition (a backup or an export file). */
    record FromOffsets(Map<TopicPartition, Long> offsets) implements ResetTarget {
        public FromOffsets {
            offsets = Map.copyOf(offsets);
        }
    }
}
