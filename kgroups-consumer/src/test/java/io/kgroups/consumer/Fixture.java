package io.kgroups.consumer;

import io.kgroups.embedded.EmbeddedKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Topics, records and group offsets on an embedded broker, for the runtime's tests. */
final class Fixture implements AutoCloseable {
    private static final AtomicInteger NAMES = new AtomicInteger();

    final EmbeddedKafka kafka;
    final Admin admin;
    private final KafkaProducer<String, String> producer;

    Fixture(EmbeddedKafka kafka) {
        this.kafka = kafka;
        this.admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()));
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    /** A unique name, so that tests sharing a broker do not see each other's topics and groups. */
    static String unique(String prefix) {
        return prefix + "-" + NAMES.incrementAndGet() + "-" + Long.toString(System.nanoTime() % 100_000, 36);
    }

    String topic(int partitions) {
        String topic = unique("t");
        kafka.createTopic(topic, partitions);
        return topic;
    }

    /** Sends values {@code prefix-i} for i in [from, to), keyed by i, round-robin over partitions. */
    void produce(String topic, int partitions, String prefix, int from, int to) throws Exception {
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (int i = from; i < to; i++) {
            acks.add(producer.send(new ProducerRecord<>(topic, i % partitions, "k" + i, prefix + "-" + i)));
        }
        for (Future<RecordMetadata> ack : acks) {
            ack.get(30, TimeUnit.SECONDS);
        }
    }

    /** Sends {@code count} records with keys k0..k(keys-1) in turn (record i has key k(i % keys)), value v-i. */
    void produceKeyed(String topic, int count, int keys) throws Exception {
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            acks.add(producer.send(new ProducerRecord<>(topic, "k" + (i % keys), "v-" + i)));
        }
        for (Future<RecordMetadata> ack : acks) {
            ack.get(30, TimeUnit.SECONDS);
        }
    }

    /** To partition 0: {@code perKey} records of key k0, then of k1, ... (values v-i). */
    void produceInRuns(String topic, int keys, int perKey) throws Exception {
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (int i = 0; i < keys * perKey; i++) {
            acks.add(producer.send(new ProducerRecord<>(topic, 0, "k" + (i / perKey), "v-" + i)));
        }
        for (Future<RecordMetadata> ack : acks) {
            ack.get(30, TimeUnit.SECONDS);
        }
    }

    void send(String topic, int partition, String key, String value) throws Exception {
        producer.send(new ProducerRecord<>(topic, partition, key, value)).get(30, TimeUnit.SECONDS);
    }

    void send(String topic, int partition, String value) throws Exception {
        producer.send(new ProducerRecord<>(topic, partition, null, value)).get(30, TimeUnit.SECONDS);
    }

    Properties props(String group, String protocol) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
        if (protocol.equals("classic")) {
            p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000");
            p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "500");
        }
        return p;
    }

    GroupConsumer.Builder<String, String> builder(String group, String protocol, String topic) {
        return GroupConsumer.<String, String>builder()
                .kafkaProperties(props(group, protocol))
                .topics(topic)
                .keyDeserializer(new StringDeserializer())
                .valueDeserializer(new StringDeserializer());
    }

    /**
     * With group.protocol=consumer the session timeout is the broker's (45 s by default): set it
     * for this group to 3 s, so that a killed member is noticed quickly, as classic members'
     * own session.timeout.ms does.
     */
    void shortSessionTimeout(String group) throws Exception {
        groupConfigs(group, Map.of("consumer.session.timeout.ms", "3000", "consumer.heartbeat.interval.ms", "500"));
    }

    /** Sets dynamic configs of a group (share.*, consumer.*), as kafka-configs --entity-type groups does. */
    void groupConfigs(String group, Map<String, String> configs) throws Exception {
        org.apache.kafka.common.config.ConfigResource resource =
                new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.GROUP, group);
        List<org.apache.kafka.clients.admin.AlterConfigOp> ops = new ArrayList<>();
        configs.forEach((name, value) -> ops.add(new org.apache.kafka.clients.admin.AlterConfigOp(
                new org.apache.kafka.clients.admin.ConfigEntry(name, value), org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)));
        admin.incrementalAlterConfigs(Map.of(resource, ops)).all().get(30, TimeUnit.SECONDS);
    }

    /**
     * A share group that starts at the earliest record, notices a dead member in 3 s, and locks
     * records for {@code lockMs} with at most {@code deliveryLimit} deliveries.
     */
    void shareGroup(String group, int lockMs, int deliveryLimit) throws Exception {
        groupConfigs(group, Map.of("share.auto.offset.reset", "earliest", "share.session.timeout.ms", "3000",
                "share.heartbeat.interval.ms", "500", "share.record.lock.duration.ms", String.valueOf(lockMs),
                "share.delivery.count.limit", String.valueOf(deliveryLimit)));
    }

    ShareGroupConsumer.Builder<String, String> shareBuilder(String group, String topic) {
        return ShareGroupConsumer.<String, String>builder()
                .kafkaProperties(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                        ConsumerConfig.GROUP_ID_CONFIG, group))
                .topics(topic)
                .keyDeserializer(new StringDeserializer())
                .valueDeserializer(new StringDeserializer());
    }

    /** The share group's records not yet delivery-complete (the broker's lag, KIP-1226), over all partitions. */
    long shareLag(String group) throws Exception {
        return admin.listShareGroupOffsets(Map.of(group, new org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec()))
                .partitionsToOffsetInfo(group).get(30, TimeUnit.SECONDS).values().stream()
                .filter(java.util.Objects::nonNull).mapToLong(info -> info.lag().orElse(0L)).sum();
    }

    /** The group's committed offsets, as the coordinator has them. */
    Map<TopicPartition, OffsetAndMetadata> committed(String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetAndMetadata> present = new HashMap<>();
        offsets.forEach((tp, o) -> {
            if (o != null) {
                present.put(tp, o);
            }
        });
        return present;
    }

    long committed(String group, TopicPartition tp) throws Exception {
        OffsetAndMetadata offset = committed(group).get(tp);
        return offset == null ? -1 : offset.offset();
    }

    long endOffset(TopicPartition tp) throws Exception {
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset();
    }

    /** Every record of {@code topic}, read with a plain consumer from the beginning. */
    List<ConsumerRecord<String, String>> readAll(String topic, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, unique("reader"));
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, String>> all = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(Set.of(topic));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(all::add);
                return all.size() >= expected;
            });
        }
        return all;
    }

    @Override
    public void close() {
        producer.close();
        admin.close();
    }
}
