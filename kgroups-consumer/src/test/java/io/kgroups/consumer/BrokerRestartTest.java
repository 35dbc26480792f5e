package io.kgroups.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kgroups.embedded.EmbeddedKafka;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The broker goes away and comes back mid-run: processing resumes by itself, nothing is lost. */
class BrokerRestartTest {

    @ParameterizedTest(name = "group.protocol={0}")
    @ValueSource(strings = {"classic", "consumer"})
    void processingResumesAfterABrokerRestart(String protocol) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().build().start(); Fixture fixture = new Fixture(kafka)) {
            String topic = fixture.topic(3);
            String group = Fixture.unique("g");
            Set<String> handled = ConcurrentHashMap.newKeySet();
            try (GroupConsumer<String, String> consumer = fixture.builder(group, protocol, topic)
                    .handler(record -> handled.add(record.value()))
                    .build().start()) {
                fixture.produce(topic, 3, "v", 0, 300);
                await().atMost(Duration.ofSeconds(30)).until(() -> handled.size() == 300);

                kafka.restart();

                fixture.produce(topic, 3, "v", 300, 600);
                await().atMost(Duration.ofSeconds(90)).until(() -> handled.size() == 600);
                await().atMost(Duration.ofSeconds(60)).until(() -> fixture.committed(group).values().stream()
                        .mapToLong(OffsetAndMetadata::offset).sum() == 600);
                assertThat(consumer.state()).isEqualTo(ConsumerState.RUNNING);
            }
            assertThat(handled).isEqualTo(IntStream.range(0, 600).mapToObj(i -> "v-" + i).collect(Collectors.toSet()));
        }
    }
}
