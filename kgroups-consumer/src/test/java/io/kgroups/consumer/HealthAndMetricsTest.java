package io.kgroups.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class HealthAndMetricsTest extends SharedKafkaTest {
    @Test
    void statsAndMetersReportTheSameNumbers() throws Exception {
        String topic = fixture.topic(2);
        String group = Fixture.unique("g");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        fixture.produce(topic, 2, "v", 0, 100);
        try (GroupConsumer<String, String> consumer = fixture.builder(group, "classic", topic)
                .meterRegistry(registry)
                .commitPolicy(CommitPolicy.periodic(Duration.ofMillis(100), 1_000))
                .handler(record -> { })
                .build().start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> fixture.committed(group).values().stream()
                    .mapToLong(o -> o.offset()).sum() == 100);
            await().atMost(Duration.ofSeconds(10)).until(() -> consumer.stats().lag().size() == 2
                    && consumer.stats().totalLag() == 0);

            ConsumerStats stats = consumer.stats();
            assertThat(stats.consumed()).isEqualTo(100);
            assertThat(stats.processed()).isEqualTo(100);
            assertThat(stats.inFlight()).isZero();
            assertThat(stats.committed()).containsEntry(new TopicPartition(topic, 0), 50L)
                    .containsEntry(new TopicPartition(topic, 1), 50L);
            assertThat(registry.get("kgroups.consumer.records.processed").tag("group", group).tag("topic", topic)
                    .functionCounter().count()).isEqualTo(100);
            assertThat(registry.get("kgroups.consumer.records.consumed").tag("topic", topic).functionCounter().count())
                    .isEqualTo(100);
            assertThat(registry.get("kgroups.consumer.commits").tag("result", "ok").functionCounter().count())
                    .isEqualTo(stats.commits());
            assertThat(registry.get("kgroups.consumer.processing.time").tag("topic", topic).timer().count()).isEqualTo(100);
            assertThat(registry.get("kgroups.consumer.end_to_end.latency").tag("topic", topic).timer().count()).isEqualTo(100);
            assertThat(registry.get("kgroups.consumer.lag").tag("partition", "0").gauge().value()).isZero();
            assertThat(registry.get("kgroups.consumer.in_flight").tag("group", group).gauge().value()).isZero();
            assertThat(registry.get("kgroups.consumer.rebalances").tag("kind", "assigned").functionCounter().count())
                    .isEqualTo(1);
            assertThat(consumer.health()).isEqualTo(new Health(Health.Status.UP, java.util.List.of()));
        }
        // Partition gauges go with the partitions.
        assertThat(registry.find("kgroups.consumer.lag").gauges()).isEmpty();
    }

    @Test
    void aStuckHandlerMakesTheConsumerDegradedAndSaysWhich() throws Exception {
        String topic = fixture.topic(1);
        String group = Fixture.unique("g");
        fixture.produce(topic, 1, "v", 0, 3);
        CountDownLatch release = new CountDownLatch(1);
        try (GroupConsumer<String, String> consumer = fixture.builder(group, "classic", topic)
                .stuckThreshold(Duration.ofMillis(300))
                .handler(record -> {
                    if (record.offset() == 1) {
                        release.await();
                    }
                })
                .build().start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> consumer.health().reasons().stream()
                    .anyMatch(r -> r.contains("handler busy with")));
            Health health = consumer.health();
            assertThat(health.status()).isEqualTo(Health.Status.DEGRADED);
            assertThat(health.reasons()).singleElement().asString().startsWith("handler busy with " + topic + "-0@1 for ");
            release.countDown();
            await().atMost(Duration.ofSeconds(30)).until(() -> consumer.health().isUp());
        }
    }

    @Test
    void lagOverTheThresholdMakesTheConsumerDegraded() throws Exception {
        String topic = fixture.topic(1);
        String group = Fixture.unique("g");
        fixture.produce(topic, 1, "v", 0, 50);
        CountDownLatch release = new CountDownLatch(1);
        try (GroupConsumer<String, String> consumer = fixture.builder(group, "classic", topic)
                .lagThreshold(10)
                .handler(record -> release.await())
                .build().start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> consumer.health().reasons().stream()
                    .anyMatch(r -> r.startsWith("lag ")));
            Health health = consumer.health();
            assertThat(health.status()).isEqualTo(Health.Status.DEGRADED);
            assertThat(health.reasons()).contains("lag 50 is over the threshold 10");
            release.countDown();
        }
    }

    @Test
    void aMemberWithoutPartitionsIsUpAndSaysItIsIdle() throws Exception {
        String topic = fixture.topic(1);
        String group = Fixture.unique("g");
        try (GroupConsumer<String, String> first = fixture.builder(group, "classic", topic).handler(r -> { }).build().start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> first.state() == ConsumerState.RUNNING);
            try (GroupConsumer<String, String> second = fixture.builder(group, "classic", topic).handler(r -> { }).build().start()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> second.health().reasons().stream()
                        .anyMatch(r -> r.startsWith("idle")) || first.health().reasons().stream().anyMatch(r -> r.startsWith("idle")));
                GroupConsumer<String, String> idle = second.health().reasons().isEmpty() ? first : second;
                assertThat(idle.health().status()).isEqualTo(Health.Status.UP);
            }
        }
    }
}
