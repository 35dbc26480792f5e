package io.kgroups.admin;

import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * What reading a log forward from given offsets found: the timestamp of the first record at or
 * after each offset (how old the first record a group has not consumed is), or that there is no
 * record before the log end (only transaction markers, or aborted records under read_committed,
 * stand there: the group is caught up although its offset lag is not 0). An offset with neither
 * had no answer within the wait.
 *
 * @param timestamps per partition, offset to the write time (epoch ms) of the first record at or after it
 * @param noRecordBeforeEnd per partition, the offsets from which the log holds no record up to its end
 * @param deniedTopics topics Kafka refused to fetch from (the principal has no READ on them):
 *     their time lag is unavailable, not unknown
 */
public record FirstRecords(Map<TopicPartition, Map<Long, Long>> timestamps,
        Map<TopicPartition, Set<Long>> noRecordBeforeEnd, Set<String> deniedTopics) {

    public FirstRecords {
        deniedTopics = Set.copyOf(deniedTopics);
    }

    public FirstRecords(Map<TopicPartition, Map<Long, Long>> timestamps, Map<TopicPartition, Set<Long>> noRecordBeforeEnd) {
        this(timestamps, noRecordBeforeEnd, Set.of());
    }

    /** Nothing found (nothing asked, or no answer). */
    public static FirstRecords none() {
        return new FirstRecords(Map.of(), Map.of());
    }

    /** The write time (epoch ms) of the first record at or after {@code offset}; null when not found. */
    public Long timestamp(TopicPartition tp, long offset) {
        Map<Long, Long> found = timestamps.get(tp);
        return found == null ? null : found.get(offset);
    }

    /** Why the time lag of a partition of {@code topic} is not known, when Kafka refused the read; null otherwise. */
    public String unavailable(String topic) {
        return deniedTopics.contains(topic) ? "time lag unavailable (needs READ on topic " + topic + ")" : null;
    }

    /** True when the log holds no record from {@code offset} to its end (only control records, if anything). */
    public boolean noRecordBeforeEnd(TopicPartition tp, long offset) {
        Set<Long> none = noRecordBeforeEnd.get(tp);
        return none != null && none.contains(offset);
    }
}
