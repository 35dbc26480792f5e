package io.kgroups.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.MemberToRemove;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A partition lost while a handler still runs one of its records, and assigned back to the same
 * member (an admin removed the static member; it rejoined). Before generations, the new lane
 * dispatched from the committed offset at once: the same record ran twice at the same time and
 * completions came out of offset order, so an upsert that keeps the last write ended with stale
 * data. Now the new lane is held until the old handler returns.
 */
class GenerationsTest extends SharedKafkaTest {
    private static final int RECORDS = 50;
    private static final int KEYS = 5;
    private static final long SLOW_OFFSET = 20;

    @ParameterizedTest(name = "group.protocol={0}")
    @ValueSource(strings = {"classic", "consumer"})
    void aLostPartitionAssignedBackWaitsForItsOldHandlerAndCompletesInOffsetOrder(String protocol) throws Exception {
        String topic = fixture.topic(1);
        String group = Fixture.unique("g");
        TopicPartition tp = new TopicPartition(topic, 0);
        fixture.produceKeyed(topic, RECORDS, KEYS); // record i has key k(i % 5)
        Properties props = fixture.props(group, protocol);
        props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "loader-1");

        AtomicInteger inHandler = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        List<Long> completions = new CopyOnWriteArrayList<>();
        Map<String, Long> lastWrite = new ConcurrentHashMap<>(); // an upsert: the last write of a key wins
        CountDownLatch slowStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger lost = new AtomicInteger();
        AtomicInteger assigned = new AtomicInteger();
        try (GroupConsumer<String, String> consumer = GroupConsumer.<String, String>builder()
                .kafkaProperties(props)
                .topics(topic)
                .keyDeserializer(new StringDeserializer())
                .valueDeserializer(new StringDeserializer())
                .revokeTimeout(Duration.ofSeconds(1))
                .commitPolicy(CommitPolicy.perRecord()) // the group stands at exactly 20 when the partition is lost
                .listener(new GroupListener() {
                    @Override
                    public void onAssigned(Collection<TopicPartition> partitions) {
                        assigned.incrementAndGet();
                    }

                    @Override
                    public void onLost(Collection<TopicPartition> partitions) {
                        lost.incrementAndGet();
                    }
                })
                .handler(record -> {
                    mostAtOnce.accumulateAndGet(inHandler.incrementAndGet(), Math::max);
                    try {
                        if (record.offset() == SLOW_OFFSET && slowStarted.getCount() > 0) {
                            slowStarted.countDown();
                            assertThat(release.await(60, TimeUnit.SECONDS)).isTrue();
                        }
                        lastWrite.put(record.key(), record.offset());
                        completions.add(record.offset());
                    } finally {
                        inHandler.decrementAndGet();
                    }
                })
                .build().start()) {
            assertThat(slowStarted.await(60, TimeUnit.SECONDS)).as("record " + SLOW_OFFSET + " in its handler").isTrue();

            // An operator removes the static member; it finds out, loses the partition, and rejoins.
            fixture.admin.removeMembersFromConsumerGroup(group, new RemoveMembersFromConsumerGroupOptions(
                    List.of(new MemberToRemove("loader-1")))).all().get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(lost).as("partitions lost").hasPositiveValue();
                assertThat(assigned).as("assigned again").hasValueGreaterThanOrEqualTo(2);
            });
            // Assigned again, with record 20 still in its old handler: the partition is held, not dispatched.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(consumer.health().reasons())
                    .anySatisfy(r -> assertThat(r).contains("partition " + tp + " held")));
            assertThat(inHandler).as("only the old handler").hasValue(1);

            release.countDown();
            await().atMost(Duration.ofSeconds(60)).until(() -> fixture.committed(group, tp) == RECORDS);
            assertThat(consumer.health().isUp()).isTrue();
        }
        assertThat(mostAtOnce).as("records of the partition in handlers at once").hasValue(1);
        List<Long> sorted = new ArrayList<>(completions);
        sorted.sort(null);
        assertThat(completions).as("completions in offset order (record 20 and what follows handled again)")
                .isEqualTo(sorted);
        for (int k = 0; k < KEYS; k++) {
            assertThat(lastWrite).as("the last write of k" + k).containsEntry("k" + k, (long) (RECORDS - KEYS + k));
        }
    }
}
