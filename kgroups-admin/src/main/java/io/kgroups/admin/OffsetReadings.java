package io.kgroups.admin;

import io.kgroups.admin.internal.GroupAssembly;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.HashMap;
import org.apache.kafka.clients.admin.ClassicGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.clients.admin.StreamsGroupDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * What one batched read of groups found, failures kept where they happened: a group whose
 * coordinator did not answer has an entry in {@code groupErrors} and the others are whole; a
 * partition that is offline, deleted or denied has an entry in {@code partitionErrors} and no
 * log offsets, and the other partitions of the same groups have theirs. Turn it into
 * {@link GroupDetail}s with {@link #details}.
 *
 * @param groups the groups read, in order: each is in {@code described}, {@code foreign}, {@code shared},
 *     {@code streams} or {@code groupErrors}
 * @param listed what the group list said of each group (type, protocol type, state)
 * @param described consumer groups (classic groups of protocol type consumer, and consumer-protocol groups)
 * @param foreign classic groups of other protocol types (Kafka Connect, Schema Registry ...): members only
 * @param shared share groups (KIP-932)
 * @param shareOffsets of each share group, per partition its start offset and the broker's lag
 *     (a partition the group has not initialized yet may have none)
 * @param streams streams groups (KIP-1071): members with tasks, subtopologies; their offsets are in {@code committed}
 * @param committed the committed offsets of each consumer and streams group
 * @param groupErrors why a group could not be read, in words
 * @param partitionErrors why a partition's log offsets could not be read, in words
 * @param readAtMs when the read started (epoch ms)
 * @param shareConfigs of each share group, the configs that shape it (see {@link GroupDetail#configs});
 *     a group whose configs could not be read has none here
 */
public record OffsetReadings(
        List<String> groups,
        Map<String, Listed> listed,
        Map<String, ConsumerGroupDescription> described,
        Map<String, ClassicGroupDescription> foreign,
        Map<String, ShareGroupDescription> shared,
        Map<String, Map<TopicPartition, SharePartitionOffsetInfo>> shareOffsets,
        Map<String, StreamsGroupDescription> streams,
        Map<String, Map<TopicPartition, OffsetAndMetadata>> committed,
        Map<String, String> groupErrors,
        Map<TopicPartition, Long> logStart,
        Map<TopicPartition, Long> logEnd,
        Map<TopicPartition, String> partitionErrors,
        long readAtMs,
        Map<String, List<GroupDetail.Config>> shareConfigs) {
    /** Offset lags up to this are read where a lag in records is wanted cheaply, to tell transaction markers from records. */
    private static final long PHANTOM_LAG_CHECK = 10;

    /** A read without share-group configs. */
    public OffsetReadings(List<String> groups, Map<String, Listed> listed, Map<String, ConsumerGroupDescription> described,
            Map<String, ClassicGroupDescription> foreign, Map<String, ShareGroupDescription> shared,
            Map<String, Map<TopicPartition, SharePartitionOffsetInfo>> shareOffsets,
            Map<String, StreamsGroupDescription> streams, Map<String, Map<TopicPartition, OffsetAndMetadata>> committed,
            Map<String, String> groupErrors, Map<TopicPartition, Long> logStart, Map<TopicPartition, Long> logEnd,
            Map<TopicPartition, String> partitionErrors, long readAtMs) {
        this(groups, listed, described, foreign, shared, shareOffsets, streams, committed, groupErrors, logStart, logEnd,
                partitionErrors, readAtMs, Map.of());
    }

    /**
     * A group as the group list gave it.
     *
     * @param type classic, consumer, share or streams
     * @param protocolType of a classic group: consumer, connect, sr, ... ("" for groups that only commit offsets)
     */
    public record Listed(String group, String type, String protocolType, String state) {
        /** Whether its offsets are consumer offsets kgroups reads: consumer-protocol groups and classic consumer groups. */
        public boolean consumerGroup() {
            return type.equals("consumer") || (classic() && (protocolType.isEmpty() || protocolType.equals("consumer")));
        }

        /** A classic group: of the consumer protocol, or of another one (described by its members). */
        public boolean classic() {
            return type.equals("classic");
        }

        /** A share group (KIP-932): a start offset per partition and the broker's lag, no committed offsets. */
        public boolean share() {
            return type.equals("share");
        }

        /** A streams group (KIP-1071): tasks and subtopologies; it commits offsets like a consumer group. */
        public boolean streams() {
            return type.equals("streams");
        }

        /** What {@link GroupAdmin}'s read path describes: every type. */
        public boolean readable() {
            return consumerGroup() || classic() || share() || streams();
        }
    }

    /**
     * For every partition some group lags on, the group's first unconsumed offset (its committed
     * offset, or log-start where retention passed it): where the time lag and the records left are read.
     * A share group's is its start offset where the broker gives it a lag: the record there is the
     * oldest not yet delivery-complete, so its age is the share group's time lag.
     */
    public Map<TopicPartition, SortedSet<Long>> firstUnconsumed() {
        Map<TopicPartition, SortedSet<Long>> wanted = new HashMap<>();
        committed.values().forEach(offsets -> offsets.forEach((tp, o) -> addFirstUnconsumed(wanted, tp, o.offset())));
        shareOffsets.values().forEach(offsets -> offsets.forEach((tp, o) -> {
            if (o.startOffset() >= 0 && o.lag().orElse(0L) > 0) {
                addFirstUnconsumed(wanted, tp, o.startOffset());
            }
        }));
        return wanted;
    }

    private void addFirstUnconsumed(Map<TopicPartition, SortedSet<Long>> wanted, TopicPartition tp, long offset) {
        Long end = logEnd.get(tp);
        if (end != null && offset < end) {
            wanted.computeIfAbsent(tp, k -> new TreeSet<>()).add(firstUnconsumed(tp, offset));
        }
    }

    /**
     * As {@link #firstUnconsumed}, only where the offset lag is at most 10: where transaction
     * markers alone may stand before the end (lag 0), so that reading there tells records from
     * markers at small cost.
     */
    public Map<TopicPartition, SortedSet<Long>> smallLags() {
        Map<TopicPartition, SortedSet<Long>> small = new HashMap<>();
        firstUnconsumed().forEach((tp, offsets) -> offsets.forEach(o -> {
            if (logEnd.get(tp) - o <= PHANTOM_LAG_CHECK) {
                small.computeIfAbsent(tp, k -> new TreeSet<>()).add(o);
            }
        }));
        return small;
    }

    /** The first record a group standing at {@code committed} has not consumed: there, or log-start if retention passed it. */
    public long firstUnconsumed(TopicPartition tp, long committed) {
        return Math.max(committed, logStart.getOrDefault(tp, 0L));
    }

    /**
     * The groups in full.
     *
     * @param firstRecords what reading the logs found at the first unconsumed offsets (time lag,
     *     and partitions where only control records are left); {@link FirstRecords#none()} for none
     * @param retentionMs retention.ms of the topics that delete; others left out
     * @param nowMs the time the time lag is measured at
     */
    public List<GroupDetail> details(FirstRecords firstRecords, Map<String, Long> retentionMs, long nowMs) {
        return GroupAssembly.details(this, firstRecords, retentionMs, nowMs);
    }
}
