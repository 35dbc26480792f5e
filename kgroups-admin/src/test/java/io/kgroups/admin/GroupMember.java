package io.kgroups.admin;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** A member that joins a group in the middle of a test, the way a consumer started at the wrong moment does. */
final class GroupMember {
    private GroupMember() {
    }

    /** A consumer of {@code topic} in {@code group}, returned once it has partitions; it commits nothing. */
    static KafkaConsumer<String, String> joined(String bootstrap, String topic, String group, String protocol) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("group.id", group);
        p.put("group.protocol", protocol);
        p.put("enable.auto.commit", "false");
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
        consumer.subscribe(List.of(topic));
        await("a " + protocol + " member of " + group + " gets partitions").atMost(Duration.ofSeconds(60)).pollInSameThread()
                .until(() -> {
                    consumer.poll(Duration.ofMillis(100));
                    return consumer.assignment();
                }, assignment -> !assignment.isEmpty());
        return consumer;
    }
}
