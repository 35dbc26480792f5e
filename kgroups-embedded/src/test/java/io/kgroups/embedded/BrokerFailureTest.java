package io.kgroups.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;

/** Stops and restarts brokers, so every test here builds its own cluster. */
class BrokerFailureTest {

    @Test
    void restartKeepsTheDataAndARunningConsumerContinues() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().build().start()) {
            String bootstrap = kafka.bootstrapServers();
            List<String> received = new CopyOnWriteArrayList<>();
            AtomicBoolean running = new AtomicBoolean(true);
            Thread consumerThread = new Thread(() -> {
                try (KafkaConsumer<String, String> consumer = Clients.consumer(bootstrap, "g-restart")) {
                    consumer.subscribe(Set.of("restart"));
                    while (running.get()) {
                        received.addAll(Clients.pollValues(consumer));
                        if (!received.isEmpty()) {
                            consumer.commitSync();
                        }
                    }
                }
            });
            consumerThread.start();
            try (KafkaProducer<String, String> producer = Clients.producer(bootstrap)) {
                Clients.send(producer, "restart", "before", 50);
                await().atMost(Duration.ofSeconds(30)).until(() -> received.size() == 50);

                kafka.restart();

                assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
                Clients.send(producer, "restart", "after", 50);
                await().atMost(Duration.ofSeconds(60)).until(() -> received.size() >= 100);
            } finally {
                running.set(false);
                consumerThread.join();
            }
            assertThat(received).hasSize(100).contains("before-0", "before-49", "after-0", "after-49");

            // The data written before the restart is still on disk for a new reader.
            try (KafkaConsumer<String, String> fresh = Clients.consumer(bootstrap, "g-restart-fresh")) {
                fresh.subscribe(Set.of("restart"));
                List<String> all = new ArrayList<>();
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    all.addAll(Clients.pollValues(fresh));
                    return all.size() >= 100;
                });
                assertThat(all).containsExactlyInAnyOrderElementsOf(received);
            }
        }
    }

    @Test
    void threeBrokerClusterServesAReplicatedTopicWithOneBrokerStopped() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().brokers(3).build().start();
             Admin admin = Admin.create(Clients.adminConfig(kafka.bootstrapServers()))) {
            kafka.createTopic("replicated", 3, 3, Map.of("min.insync.replicas", "2"));
            try (KafkaProducer<String, String> producer = Clients.producer(kafka.bootstrapServers())) {
                Clients.send(producer, "replicated", "a", 30);

                kafka.stopBroker(2);
                assertThat(kafka.isRunning(2)).isFalse();
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                        admin.describeTopics(Set.of("replicated")).allTopicNames().get().get("replicated").partitions())
                        .extracting(TopicPartitionInfo::leader)
                        .allSatisfy(leader -> assertThat(leader.id()).isNotEqualTo(2)));

                // acks=all with min.insync.replicas=2 still succeeds with two of three up.
                Clients.send(producer, "replicated", "b", 30);
            }
            try (KafkaConsumer<String, String> consumer = Clients.consumer(kafka.bootstrapServers(), "g-replicated")) {
                consumer.subscribe(Set.of("replicated"));
                List<String> received = new ArrayList<>();
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    received.addAll(Clients.pollValues(consumer));
                    return received.size() >= 60;
                });
                assertThat(received).hasSize(60).contains("a-0", "a-29", "b-0", "b-29");
            }

            kafka.startBroker(2);
            assertThat(kafka.isRunning(2)).isTrue();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                    admin.describeTopics(Set.of("replicated")).allTopicNames().get().get("replicated").partitions())
                    .allSatisfy(p -> assertThat(p.isr()).hasSize(3)));
        }
    }
}
