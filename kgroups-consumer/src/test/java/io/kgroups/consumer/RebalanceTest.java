package io.kgroups.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(KafkaExtension.class)
class RebalanceTest {
    private static final int PARTITIONS = 6;
    private Fixture fixture;

    @BeforeEach
    void setUp(EmbeddedKafka kafka) {
        fixture = new Fixture(kafka);
    }

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @ParameterizedTest(name = "group.protocol={0}")
    @ValueSource(strings = {"classic", "consumer"})
    void membersJoiningAndLeavingCleanlyLoseNothingAndRepeatNothing(String protocol) throws Exception {
        String topic = fixture.topic(PARTITIONS);
        String group = Fixture.unique("g");
        Map<String, Integer> handled = new ConcurrentHashMap<>();
        AtomicInteger sent = new AtomicInteger();
        AtomicBoolean producing = new AtomicBoolean(true);
        Thread producer = new Thread(() -> {
            try {
                while (producing.get()) {
                    int from = sent.get();
                    fixture.produce(topic, PARTITIONS, "v", from, from + 60);
                    sent.addAndGet(60);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        List<GroupConsumer<String, String>> members = new ArrayList<>();
        try {
            producer.start();
            for (int i = 0; i < 3; i++) {
                members.add(member(group, protocol, topic, handled).start());
                int seen = handled.size();
                // Each member joins while records flow, and takes part of the work.
                await().atMost(Duration.ofSeconds(60)).until(() -> handled.size() > seen + 300);
                GroupConsumer<String, String> joined = members.get(i);
                await().atMost(Duration.ofSeconds(60)).until(() -> joined.stats().processed() > 0);
            }
            members.remove(2).close(Duration.ofSeconds(30));
            int seen = handled.size();
            await().atMost(Duration.ofSeconds(60)).until(() -> handled.size() > seen + 300);
            members.remove(1).close(Duration.ofSeconds(30));
            producing.set(false);
            producer.join();

            await().atMost(Duration.ofSeconds(60)).until(() -> committedTotal(group) == sent.get());
            assertThat(members.get(0).stats().rebalances()).isGreaterThan(1);
        } finally {
            producing.set(false);
            producer.join();
            members.forEach(GroupConsumer::close);
        }
        assertThat(handled).hasSize(sent.get());
        assertThat(handled.entrySet()).allSatisfy(e -> assertThat(e.getValue()).as(e.getKey()).isEqualTo(1));
    }

    private GroupConsumer<String, String> member(String group, String protocol, String topic, Map<String, Integer> handled) {
        return fixture.builder(group, protocol, topic)
                .commitPolicy(CommitPolicy.periodic(Duration.ofMillis(200), 1_000))
                .handler(record -> handled.merge(record.value(), 1, Integer::sum))
                .build();
    }

    private long committedTotal(String group) throws Exception {
        return fixture.committed(group).values().stream().mapToLong(OffsetAndMetadata::offset).sum();
    }
}
