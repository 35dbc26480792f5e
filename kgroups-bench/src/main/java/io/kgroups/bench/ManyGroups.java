package io.kgroups.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The set-up of the group-ops and monitor benchmarks: a topic with the same number of records in
 * every partition, timestamps spread back from now, and many groups (no members) with an offset
 * committed on every partition, varied so that most partitions have lag.
 */
record ManyGroups(String topic, int partitions, int recordsPerPartition, int recordBytes, long recordSpacingMs,
        String groupPrefix) {
    /** Groups whose commits are in flight at once: each is a request of its own (Admin does not batch them). */
    private static final int COMMIT_BATCH = 1_000;
    private static final Duration ADMIN_TIMEOUT = Duration.ofMinutes(1);

    String groupName(int g) {
        return groupPrefix + String.format(Locale.ROOT, "%04d", g);
    }

    /** The committed offset of group {@code g} in partition {@code p}: spread over 0..records. */
    long offset(int g, int p) {
        return (g * 31L + p * 7L) % (recordsPerPartition + 1);
    }

    /** {@code recordsPerPartition} records into every partition, the newest now, {@code recordSpacingMs} apart. */
    void produce(String bootstrap) {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5);
        byte[] value = new byte[recordBytes];
        long now = System.currentTimeMillis();
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < recordsPerPartition; i++) {
                long timestamp = now - (recordsPerPartition - i) * recordSpacingMs;
                for (int p = 0; p < partitions; p++) {
                    producer.send(new ProducerRecord<>(topic, p, timestamp, null, value), (metadata, e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        }
                    });
                }
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("produce to " + topic + " failed: " + failure.get(), failure.get());
        }
    }

    /**
     * Commits an offset on every partition for groups {@code from} to {@code to} (exclusive), then
     * checks the cluster lists {@code to} groups: a broker grows through sizes by adding groups.
     */
    void commitOffsets(String bootstrap, int from, int to) throws Exception {
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(config)) {
            for (int first = from; first < to; first += COMMIT_BATCH) {
                List<KafkaFuture<Void>> pending = new ArrayList<>();
                for (int g = first; g < Math.min(to, first + COMMIT_BATCH); g++) {
                    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                    for (int p = 0; p < partitions; p++) {
                        offsets.put(new TopicPartition(topic, p), new OffsetAndMetadata(offset(g, p)));
                    }
                    pending.add(admin.alterConsumerGroupOffsets(groupName(g), offsets).all());
                }
                KafkaFuture.allOf(pending.toArray(KafkaFuture[]::new)).get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
            long listed = admin.listGroups().all().get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS).stream()
                    .map(GroupListing::groupId).filter(g -> g.startsWith(groupPrefix)).count();
            if (listed != to) {
                throw new IllegalStateException("the broker lists " + listed + " of the " + to + " groups");
            }
        }
    }
}
