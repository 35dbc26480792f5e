package io.kgroups.embedded;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Plain kafka-clients producers and consumers for the tests of this module. */
final class Clients {
    private Clients() {
    }

    static KafkaProducer<String, String> producer(String bootstrap) {
        return producer(bootstrapOnly(bootstrap));
    }

    /** A producer with these client settings (bootstrap and security) and acks=all. */
    static KafkaProducer<String, String> producer(Properties settings) {
        Properties p = new Properties();
        p.putAll(settings);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    static KafkaConsumer<String, String> consumer(String bootstrap, String group) {
        return consumer(bootstrapOnly(bootstrap), group);
    }

    /** A consumer of {@code group} with these client settings, from the earliest offset, committing by hand. */
    static KafkaConsumer<String, String> consumer(Properties settings, String group) {
        Properties p = new Properties();
        p.putAll(settings);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    /**
     * Sends {@code count} records keyed {@code prefix-i} and waits for every acknowledgement. The
     * first one goes alone: on a topic created by this very send, a second request in flight could
     * overtake it and leave it failing (KAFKA-15591, see {@link EmbeddedKafka#createTopic}).
     */
    static void send(KafkaProducer<String, String> producer, String topic, String prefix, int count) throws Exception {
        producer.send(new ProducerRecord<>(topic, prefix + "-0", prefix + "-0")).get();
        List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            acks.add(producer.send(new ProducerRecord<>(topic, prefix + "-" + i, prefix + "-" + i)));
        }
        for (var ack : acks) {
            ack.get();
        }
    }

    /** Polls once and returns the values received. */
    static List<String> pollValues(KafkaConsumer<String, String> consumer) {
        List<String> values = new ArrayList<>();
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
            values.add(record.value());
        }
        return values;
    }

    private static Properties bootstrapOnly(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return p;
    }

    static Map<String, Object> adminConfig(String bootstrap) {
        return Map.of("bootstrap.servers", bootstrap);
    }
}
