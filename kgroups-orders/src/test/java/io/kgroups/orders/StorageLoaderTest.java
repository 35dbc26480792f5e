package io.kgroups.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kgroups.consumer.ConsumerState;
import io.kgroups.consumer.Ordering;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@ExtendWith(KafkaExtension.class)
class StorageLoaderTest {

    /**
     * Two loaders share the work while events (5 % invalid) are produced; one leaves half-way. At the
     * end every valid event was stored, every invalid one is in orders.DLT with its reason, and
     * every order's row holds its latest version.
     */
    @ParameterizedTest(name = "ordering={0}, group.protocol={1}")
    @CsvSource({"PARTITION, classic", "KEY, consumer"})
    void loadsEveryEventThroughARebalanceAndDeadLettersTheInvalidOnes(Ordering ordering, String protocol,
            EmbeddedKafka kafka) throws Exception {
        String topic = "orders-" + UUID.randomUUID();
        String group = "storage_loader-" + UUID.randomUUID();
        kafka.createTopic(topic, 4);
        Map<String, Object> consumerProps = Map.of("bootstrap.servers", kafka.bootstrapServers(), "group.id", group,
                "group.protocol", protocol);
        ProducedOrders produced = new ProducedOrders();
        try (OrderStore store = OrderStore.open("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", null, null, 8, true);
             OrderProducer producer = new OrderProducer(Map.of("bootstrap.servers", kafka.bootstrapServers()), topic,
                     new OrderEventGenerator("o", 300, 0.05, 1), produced);
             StorageLoader first = loader(store, consumerProps, topic, ordering).start()) {
            StorageLoader second = loader(store, consumerProps, topic, ordering).start();
            // Produced over about 10 s, so that the second loader gets a share before it leaves.
            var producing = java.util.concurrent.CompletableFuture.runAsync(() -> producer.run(6_000, 600, () -> false));
            await().atMost(Duration.ofSeconds(60)).until(() -> second.stats().processed() > 0 && first.stats().processed() > 0);
            second.close();
            producing.get(60, java.util.concurrent.TimeUnit.SECONDS);
            awaitCaughtUp(kafka, group, topic);
            assertThat(first.state()).isEqualTo(ConsumerState.RUNNING);
            assertThat(first.applied() + second.applied()).isPositive();

            DeadLetters dead = DeadLetters.read(Map.of("bootstrap.servers", kafka.bootstrapServers()), topic + ".DLT",
                    Duration.ofSeconds(30));
            LoadVerification check = LoadVerification.check(produced, store, dead);
            assertThat(check.produced()).isEqualTo(6_000);
            assertThat(check.invalid()).isBetween(200L, 400L);
            assertThat(check.lostValid()).isZero();
            assertThat(check.lostInvalid()).isZero();
            assertThat(check.ordersBehind()).isZero();
            assertThat(check.rows()).isEqualTo(check.rowsAtLatest()).isEqualTo(produced.latestVersions().size());
            assertThat(dead.sampleReason()).contains("invalid order event: ");
        }
    }

    @org.junit.jupiter.api.Test
    void refusesUnorderedLoadingWithTheReason() {
        try (OrderStore store = OrderStore.open("jdbc:h2:mem:" + UUID.randomUUID(), null, null, 1, false)) {
            assertThatThrownBy(() -> StorageLoader.builder().kafkaProperties(Map.of("bootstrap.servers", "localhost:9092",
                    "group.id", "storage_loader")).store(store).ordering(Ordering.UNORDERED).build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("use KEY or PARTITION");
        }
    }

    private static StorageLoader loader(OrderStore store, Map<String, Object> props, String topic, Ordering ordering) {
        return StorageLoader.builder().kafkaProperties(props).topic(topic).store(store).ordering(ordering).concurrency(8).build();
    }

    /** Until the group's committed offsets equal the log-end offsets of every partition. */
    static void awaitCaughtUp(EmbeddedKafka kafka, String group, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata().get();
                var partitions = admin.describeTopics(java.util.List.of(topic)).allTopicNames().get().get(topic).partitions()
                        .stream().map(p -> new TopicPartition(topic, p.partition()))
                        .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
                var ends = admin.listOffsets(partitions).all().get();
                return ends.entrySet().stream().allMatch(e -> committed.get(e.getKey()) != null
                        && committed.get(e.getKey()).offset() == e.getValue().offset());
            });
        }
    }
}
