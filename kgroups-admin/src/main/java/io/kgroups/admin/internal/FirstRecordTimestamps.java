package io.kgroups.admin.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The timestamp of the record at a given offset of each partition: how old the first record a
 * group has not consumed is. One consumer, without a group, assigned to all the partitions at
 * once and seeking to each offset; records are fetched, not deserialized, and nothing is
 * committed. Partitions with no answer within the wait are left out. Several offsets of one
 * partition (groups standing at different places) are looked up in rounds, one offset per
 * partition each.
 */
public final class FirstRecordTimestamps {
    private FirstRecordTimestamps() {
    }

    /** For each partition and offset wanted, the timestamp of the first record at or after it. */
    public static Map<TopicPartition, Map<Long, Long>> at(Properties clientProperties,
            Map<TopicPartition, java.util.SortedSet<Long>> wanted, Duration maxWait) {
        Map<TopicPartition, Map<Long, Long>> result = new HashMap<>();
        Map<TopicPartition, java.util.Iterator<Long>> remaining = new HashMap<>();
        wanted.forEach((tp, offsets) -> remaining.put(tp, offsets.iterator()));
        long deadline = System.nanoTime() + maxWait.toNanos();
        while (!remaining.isEmpty() && System.nanoTime() < deadline) {
            Map<TopicPartition, Long> round = new HashMap<>();
            remaining.entrySet().removeIf(e -> {
                round.put(e.getKey(), e.getValue().next());
                return !e.getValue().hasNext();
            });
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            oneRound(clientProperties, round, left).forEach((tp, ts) ->
                    result.computeIfAbsent(tp, k -> new HashMap<>()).put(round.get(tp), ts));
        }
        return result;
    }

    private static Map<TopicPartition, Long> oneRound(Properties clientProperties, Map<TopicPartition, Long> offsets,
            Duration maxWait) {
        Map<TopicPartition, Long> timestamps = new HashMap<>();
        if (offsets.isEmpty()) {
            return timestamps;
        }
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1000");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, "65536"); // one record is all we need
        p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "kgroups-time-lag");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(offsets.keySet());
            offsets.forEach(consumer::seek);
            long deadline = System.nanoTime() + maxWait.toNanos();
            while (timestamps.size() < offsets.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    if (!timestamps.containsKey(tp)) {
                        timestamps.put(tp, record.timestamp());
                        consumer.pause(java.util.List.of(tp));
                    }
                }
            }
        }
        return timestamps;
    }
}
