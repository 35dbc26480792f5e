package io.kgroups.orders;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The dead-letter topic read from start to end (no group, nothing committed): which offsets of
 * the source topic it holds, by their {@code kgroups.dlt.original.*} headers, and one reason.
 */
public record DeadLetters(long records, Map<Integer, BitSet> originalOffsets, String sampleReason) {

    /** Reads {@code topic} up to its end offsets at the time of the call; empty when it does not exist. */
    public static DeadLetters read(Map<String, ?> properties, String topic, Duration timeout) {
        Map<String, Object> config = new HashMap<>(properties);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.remove(ConsumerConfig.GROUP_PROTOCOL_CONFIG);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            Map<Integer, BitSet> offsets = new TreeMap<>();
            if (partitions.isEmpty()) {
                return new DeadLetters(0, offsets, null);
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            long records = 0;
            String reason = null;
            while (partitions.stream().anyMatch(tp -> consumer.position(tp, timeout) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end within " + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    records++;
                    int partition = Integer.parseInt(header(record, "kgroups.dlt.original.partition"));
                    long offset = Long.parseLong(header(record, "kgroups.dlt.original.offset"));
                    offsets.computeIfAbsent(partition, p -> new BitSet()).set((int) offset);
                    if (reason == null) {
                        reason = header(record, "kgroups.dlt.exception.message");
                    }
                }
            }
            return new DeadLetters(records, offsets, reason);
        }
    }

    private static String header(ConsumerRecord<?, ?> record, String key) {
        Header header = record.headers().lastHeader(key);
        if (header == null) {
            throw new IllegalStateException("dead letter at " + record.topic() + "-" + record.partition() + "@"
                    + record.offset() + " has no " + key + " header: not written by kgroups");
        }
        return new String(header.value(), StandardCharsets.UTF_8);
    }
}
