package io.kgroups.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Collection;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BackpressureTest extends SharedKafkaTest {
    @ParameterizedTest(name = "group.protocol={0}")
    @ValueSource(strings = {"classic", "consumer"})
    void fullPartitionsArePausedAndRecordsInFlightStayBounded(String protocol) throws Exception {
        String topic = fixture.topic(2);
        String group = Fixture.unique("g");
        fixture.produce(topic, 2, "v", 0, 1_000);
        Properties props = fixture.props(group, protocol);
        props.put("max.poll.records", "20");
        AtomicLong maxInFlight = new AtomicLong();
        AtomicInteger handled = new AtomicInteger();
        try (GroupConsumer<String, String> consumer = GroupConsumer.<String, String>builder()
                .kafkaProperties(props).topics(topic)
                .keyDeserializer(new StringDeserializer()).valueDeserializer(new StringDeserializer())
                .partitionQueueRecords(30)
                .maxInFlight(50, 1 << 20)
                .handler(record -> {
                    handled.incrementAndGet();
                    Thread.sleep(2); // a slow store
                })
                .build().start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                ConsumerStats stats = consumer.stats();
                maxInFlight.accumulateAndGet(stats.inFlight(), Math::max);
                return stats.pausedPartitions() > 0;
            });
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                maxInFlight.accumulateAndGet(consumer.stats().inFlight(), Math::max);
                return handled.get() == 1_000;
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> consumer.stats().pausedPartitions() == 0);
        }
        // Bounded by the limit plus what one poll may bring before the pause takes effect.
        assertThat(maxInFlight.get()).isLessThanOrEqualTo(50 + 20 * 2);
    }

    @ParameterizedTest(name = "group.protocol={0}")
    @ValueSource(strings = {"classic", "consumer"})
    void aHandlerSlowerThanMaxPollIntervalDoesNotCostTheMembership(String protocol) throws Exception {
        String topic = fixture.topic(1);
        String group = Fixture.unique("g");
        fixture.produce(topic, 1, "v", 0, 5);
        Properties props = fixture.props(group, protocol);
        props.put("max.poll.interval.ms", "1500");
        AtomicInteger handled = new AtomicInteger();
        AtomicInteger revokedOrLost = new AtomicInteger();
        try (GroupConsumer<String, String> consumer = GroupConsumer.<String, String>builder()
                .kafkaProperties(props).topics(topic)
                .keyDeserializer(new StringDeserializer()).valueDeserializer(new StringDeserializer())
                .revokeTimeout(Duration.ofSeconds(1))
                .listener(new GroupListener() {
                    @Override
                    public void onRevoked(Collection<TopicPartition> partitions) {
                        revokedOrLost.incrementAndGet();
                    }

                    @Override
                    public void onLost(Collection<TopicPartition> partitions) {
                        revokedOrLost.incrementAndGet();
                    }
                })
                .handler(record -> {
                    if (record.offset() == 0) {
                        Thread.sleep(4_000); // twice max.poll.interval.ms: the guide's loop would be kicked out
                    }
                    handled.incrementAndGet();
                })
                .build().start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> handled.get() == 5);
            assertThat(revokedOrLost.get()).isZero();
            assertThat(consumer.stats().rebalances()).isEqualTo(1);
        }
    }
}
