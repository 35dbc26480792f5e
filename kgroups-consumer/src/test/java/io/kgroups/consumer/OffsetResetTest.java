package io.kgroups.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OffsetResetTest extends SharedKafkaTest {
    @ParameterizedTest(name = "group.protocol={0}")
    @ValueSource(strings = {"classic", "consumer"})
    void noneFailsWithTheGroupThePartitionsAndTheCommandThatFixesIt(String protocol) throws Exception {
        String topic = fixture.topic(2);
        String group = Fixture.unique("g");
        fixture.produce(topic, 2, "v", 0, 10);
        try (GroupConsumer<String, String> consumer = fixture.builder(group, protocol, topic)
                .offsetReset(OffsetReset.none())
                .handler(record -> { })
                .build().start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> consumer.state() == ConsumerState.FAILED);
            assertThat(consumer.failure()).contains("group " + group, topic + "-", "offset reset is 'none'",
                    "kgroups reset " + group + " --topic " + topic + " --to-earliest --execute");
            assertThat(consumer.stats().processed()).isZero();
        }
    }

    @Test
    void latestSkipsWhatWasThereBefore() throws Exception {
        String topic = fixture.topic(1);
        String group = Fixture.unique("g");
        fixture.produce(topic, 1, "old", 0, 5);
        List<String> handled = new CopyOnWriteArrayList<>();
        try (GroupConsumer<String, String> consumer = fixture.builder(group, "classic", topic)
                .offsetReset(OffsetReset.latest())
                .handler(record -> handled.add(record.value()))
                .build().start()) {
            // Lag is reported once the consumer knows its position: 'latest' has been applied.
            await().atMost(Duration.ofSeconds(30)).until(() -> consumer.stats().lag().size() == 1);
            assertThat(consumer.stats().lag()).containsValue(0L);
            fixture.produce(topic, 1, "new", 5, 8);
            await().atMost(Duration.ofSeconds(30)).until(() -> handled.size() == 3);
        }
        assertThat(handled).containsExactly("new-5", "new-6", "new-7");
    }

    @Test
    void byDurationStartsAtRecordsYoungerThanTheDuration() throws Exception {
        String topic = fixture.topic(1);
        String group = Fixture.unique("g");
        fixture.produce(topic, 1, "v", 0, 5);
        List<String> handled = new CopyOnWriteArrayList<>();
        try (GroupConsumer<String, String> consumer = fixture.builder(group, "classic", topic)
                .offsetReset(OffsetReset.byDuration(Duration.ofHours(1)))
                .handler(record -> handled.add(record.value()))
                .build().start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> handled.size() == 5);
        }
    }
}
