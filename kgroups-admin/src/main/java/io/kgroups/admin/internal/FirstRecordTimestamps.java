package io.kgroups.admin.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SortedSet;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The timestamp of the first record at or after given offsets: how old the first record a group
 * has not consumed is. One consumer, without a group, assigned to all the partitions at once;
 * records are fetched, not deserialized, and nothing is committed. Several offsets of one
 * partition (groups standing at different places) are answered by reading forward from the
 * lowest, jumping ahead with a seek where the next offset wanted is far. What has no answer
 * within the wait is left out.
 */
public final class FirstRecordTimestamps {
    /** Beyond this many records to the next offset wanted, seek rather than read through. */
    private static final long MAX_READ_THROUGH = 500;

    private FirstRecordTimestamps() {
    }

    /** A consumer for {@link #at}: made ahead of time, its start overlaps the Admin calls. */
    public static KafkaConsumer<byte[], byte[]> consumer(Properties clientProperties) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, "262144");
        // Kafka's 500 ms default makes the broker hold a fetch that close() then waits for.
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");
        p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "kgroups-time-lag");
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** For each partition and offset wanted, the timestamp of the first record at or after it. */
    public static Map<TopicPartition, Map<Long, Long>> at(Properties clientProperties,
            Map<TopicPartition, SortedSet<Long>> wanted, Duration maxWait) {
        if (wanted.isEmpty()) {
            return new HashMap<>();
        }
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(clientProperties)) {
            return at(consumer, wanted, maxWait);
        }
    }

    /** As {@link #at(Properties, Map, Duration)}, with a consumer of {@link #consumer}; the caller closes it. */
    public static Map<TopicPartition, Map<Long, Long>> at(KafkaConsumer<byte[], byte[]> consumer,
            Map<TopicPartition, SortedSet<Long>> wanted, Duration maxWait) {
        Map<TopicPartition, Map<Long, Long>> result = new HashMap<>();
        if (wanted.isEmpty()) {
            return result;
        }
        Map<TopicPartition, List<Long>> pending = new HashMap<>();
        wanted.forEach((tp, offsets) -> pending.put(tp, new ArrayList<>(offsets)));
        consumer.assign(pending.keySet());
        pending.forEach((tp, offsets) -> consumer.seek(tp, offsets.get(0)));
        long deadline = System.nanoTime() + maxWait.toNanos();
        while (!pending.isEmpty() && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                List<Long> offsets = pending.get(tp);
                if (offsets == null) {
                    continue;
                }
                Map<Long, Long> found = result.computeIfAbsent(tp, k -> new HashMap<>());
                while (!offsets.isEmpty() && offsets.get(0) <= record.offset()) {
                    found.put(offsets.remove(0), record.timestamp());
                }
                if (offsets.isEmpty()) {
                    pending.remove(tp);
                    consumer.pause(List.of(tp));
                } else if (offsets.get(0) - record.offset() > MAX_READ_THROUGH) {
                    consumer.seek(tp, offsets.get(0));
                }
            }
        }
        return result;
    }
}
