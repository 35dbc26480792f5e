package io.kgroups.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A committed offset N means every record below N was handled: never position(), never ahead. */
class CommitSemanticsTest extends SharedKafkaTest {
    @ParameterizedTest(name = "group.protocol={0}")
    @ValueSource(strings = {"classic", "consumer"})
    void neverCommitsARecordStillInTheHandler(String protocol) throws Exception {
        String topic = fixture.topic(1);
        String group = Fixture.unique("g");
        TopicPartition tp = new TopicPartition(topic, 0);
        fixture.produce(topic, 1, "v", 0, 200);
        CountDownLatch release = new CountDownLatch(1);
        try (GroupConsumer<String, String> consumer = fixture.builder(group, protocol, topic)
                .commitPolicy(CommitPolicy.periodic(Duration.ofMillis(100), 10))
                .handler(record -> {
                    if (record.offset() == 50) {
                        release.await();
                    }
                })
                .build().start()) {
            // The poll loop has fetched well past offset 50 and keeps committing every 100 ms...
            await().atMost(Duration.ofSeconds(30)).until(() -> consumer.stats().consumed() >= 200);
            await().atMost(Duration.ofSeconds(30)).until(() -> fixture.committed(group, tp) == 50);
            // ...but never beyond the record in the handler, which the guide's position() commit would do.
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                    .until(() -> fixture.committed(group, tp) == 50);

            release.countDown();
            await().atMost(Duration.ofSeconds(30)).until(() -> fixture.committed(group, tp) == 200);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"perRecord", "perBatchSync", "perBatchAsync", "periodic"})
    void everyPolicyEndsWithEverythingCommittedWithTheLeaderEpoch(String policy) throws Exception {
        String topic = fixture.topic(3);
        String group = Fixture.unique("g");
        fixture.produce(topic, 3, "v", 0, 300);
        CommitPolicy commitPolicy = switch (policy) {
            case "perRecord" -> CommitPolicy.perRecord();
            case "perBatchSync" -> CommitPolicy.perBatch(CommitPolicy.Mode.SYNC);
            case "perBatchAsync" -> CommitPolicy.perBatch(CommitPolicy.Mode.ASYNC);
            default -> CommitPolicy.periodic(Duration.ofMillis(200), 50);
        };
        List<String> handled = new CopyOnWriteArrayList<>();
        try (GroupConsumer<String, String> consumer = fixture.builder(group, "classic", topic)
                .commitPolicy(commitPolicy)
                .handler(record -> handled.add(record.value()))
                .build().start()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> fixture.committed(group).values().stream()
                    .mapToLong(OffsetAndMetadata::offset).sum() == 300);
            assertThat(consumer.stats().commits()).isPositive();
        }
        assertThat(handled).hasSize(300).doesNotHaveDuplicates();
        for (OffsetAndMetadata offset : fixture.committed(group).values()) {
            assertThat(offset.leaderEpoch()).isPresent();
        }
    }

    @ParameterizedTest(name = "group.protocol={0}")
    @ValueSource(strings = {"classic", "consumer"})
    void perRecordCommitsEachRecordBeforeTheNext(String protocol) throws Exception {
        String topic = fixture.topic(1);
        String group = Fixture.unique("g");
        TopicPartition tp = new TopicPartition(topic, 0);
        fixture.produce(topic, 1, "v", 0, 20);
        List<Long> committedWhenHandled = new CopyOnWriteArrayList<>();
        try (GroupConsumer<String, String> consumer = fixture.builder(group, protocol, topic)
                .commitPolicy(CommitPolicy.perRecord())
                .handler(record -> committedWhenHandled.add(fixture.committed(group, tp)))
                .build().start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> fixture.committed(group, tp) == 20);
        }
        // When record n is handled, records below it are committed: the commit of n-1 came first.
        for (int n = 1; n < 20; n++) {
            assertThat(committedWhenHandled.get(n)).isEqualTo(n);
        }
    }
}
