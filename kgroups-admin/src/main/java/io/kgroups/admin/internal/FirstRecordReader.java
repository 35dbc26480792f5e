package io.kgroups.admin.internal;

import io.kgroups.admin.FirstRecords;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SortedSet;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads logs forward from given offsets to find the first record at or after each: one consumer,
 * without a group, assigned to all the partitions at once; records are fetched, not deserialized,
 * and nothing is committed. Several offsets of one partition (groups standing at different places)
 * are answered by reading forward from the lowest, jumping ahead with a seek where the next offset
 * wanted is far. A partition whose position reaches its log end has its remaining offsets answered
 * at once: no record stands there (the consumer steps over control records and, under
 * read_committed, aborted ones without returning them). What has no answer within the wait is
 * left out. A topic the principal may not read (no READ ACL) is dropped from the read, named in
 * the answer, and the other partitions are read on.
 */
public final class FirstRecordReader {
    /** Beyond this many records to the next offset wanted, seek rather than read through. */
    private static final long MAX_READ_THROUGH = 500;

    private FirstRecordReader() {
    }

    /** A consumer for {@link #read}: made ahead of time, its start overlaps the Admin calls. */
    public static KafkaConsumer<byte[], byte[]> consumer(Properties clientProperties, IsolationLevel isolation) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, "262144");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString().toLowerCase(Locale.ROOT));
        // Kafka's 500 ms default makes the broker hold a fetch that close() then waits for.
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");
        p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "kgroups-time-lag");
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** As {@link #read(KafkaConsumer, Map, Map, Duration)} with a consumer of its own. */
    public static FirstRecords read(Properties clientProperties, IsolationLevel isolation,
            Map<TopicPartition, SortedSet<Long>> wanted, Map<TopicPartition, Long> logEnd, Duration maxWait) {
        if (wanted.isEmpty()) {
            return FirstRecords.none();
        }
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(clientProperties, isolation)) {
            return read(consumer, wanted, logEnd, maxWait);
        }
    }

    /**
     * For each partition and offset wanted, the first record at or after it, or that none is
     * before {@code logEnd} (read at the consumer's isolation level); the caller closes the consumer.
     */
    public static FirstRecords read(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, SortedSet<Long>> wanted,
            Map<TopicPartition, Long> logEnd, Duration maxWait) {
        Map<TopicPartition, Map<Long, Long>> timestamps = new HashMap<>();
        Map<TopicPartition, Set<Long>> noRecord = new HashMap<>();
        Set<String> denied = new HashSet<>();
        if (wanted.isEmpty()) {
            return new FirstRecords(timestamps, noRecord);
        }
        Map<TopicPartition, List<Long>> pending = new HashMap<>();
        wanted.forEach((tp, offsets) -> pending.put(tp, new ArrayList<>(offsets)));
        consumer.assign(pending.keySet());
        // A consumer that read before (describe's chunks share one) keeps the partitions it paused when done.
        consumer.resume(pending.keySet());
        pending.forEach((tp, offsets) -> consumer.seek(tp, offsets.get(0)));
        long deadline = System.nanoTime() + maxWait.toNanos();
        while (!pending.isEmpty() && System.nanoTime() < deadline) {
            ConsumerRecords<byte[], byte[]> records;
            try {
                records = consumer.poll(Duration.ofMillis(100));
            } catch (TopicAuthorizationException e) {
                // The whole poll fails for one such topic: leave its partitions out and read the others.
                denied.addAll(e.unauthorizedTopics());
                for (TopicPartition tp : List.copyOf(pending.keySet())) {
                    if (e.unauthorizedTopics().contains(tp.topic())) {
                        pending.remove(tp);
                    }
                }
                consumer.assign(pending.keySet());
                continue;
            }
            for (ConsumerRecord<byte[], byte[]> record : records) {
                TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                List<Long> offsets = pending.get(tp);
                if (offsets == null) {
                    continue;
                }
                Map<Long, Long> found = timestamps.computeIfAbsent(tp, k -> new HashMap<>());
                while (!offsets.isEmpty() && offsets.get(0) <= record.offset()) {
                    found.put(offsets.remove(0), record.timestamp());
                }
                if (offsets.isEmpty()) {
                    done(consumer, pending, tp);
                } else if (offsets.get(0) - record.offset() > MAX_READ_THROUGH) {
                    consumer.seek(tp, offsets.get(0));
                }
            }
            for (TopicPartition tp : List.copyOf(pending.keySet())) {
                Long end = logEnd.get(tp);
                // The position is known without a request (each partition was seeked); past the end: no record there.
                if (end != null && consumer.position(tp, Duration.ZERO) >= end) {
                    noRecord.computeIfAbsent(tp, k -> new HashSet<>()).addAll(pending.get(tp));
                    done(consumer, pending, tp);
                }
            }
        }
        return new FirstRecords(timestamps, noRecord, denied);
    }

    private static void done(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, List<Long>> pending,
            TopicPartition tp) {
        pending.remove(tp);
        consumer.pause(List.of(tp));
    }
}
