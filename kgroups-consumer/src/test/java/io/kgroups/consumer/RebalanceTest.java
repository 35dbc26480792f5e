package io.kgroups.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RebalanceTest extends SharedKafkaTest {
    private static final int PARTITIONS = 6;

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

    @ParameterizedTest(name = "group.protocol={0}")
    @ValueSource(strings = {"classic", "consumer"})
    void aStaticMemberKeepsItsPlaceAcrossARestart(String protocol) throws Exception {
        String topic = fixture.topic(2);
        String group = Fixture.unique("g");
        fixture.produce(topic, 2, "v", 0, 20);
        java.util.Properties props = fixture.props(group, protocol);
        props.put("group.instance.id", "loader-1");
        Map<String, Integer> handled = new ConcurrentHashMap<>();
        GroupConsumer<String, String> first = GroupConsumer.<String, String>builder().kafkaProperties(props).topics(topic)
                .keyDeserializer(new org.apache.kafka.common.serialization.StringDeserializer())
                .valueDeserializer(new org.apache.kafka.common.serialization.StringDeserializer())
                .handler(record -> handled.merge(record.value(), 1, Integer::sum))
                .build().start();
        await().atMost(Duration.ofSeconds(30)).until(() -> committedTotal(group) == 20);
        first.close(Duration.ofSeconds(30));

        // Closed, but not gone: a static member does not leave, its partitions wait for it.
        var description = fixture.admin.describeConsumerGroups(List.of(group)).all().get().get(group);
        assertThat(description.members()).extracting(m -> m.groupInstanceId().orElse(null)).containsExactly("loader-1");

        fixture.produce(topic, 2, "v", 20, 40);
        try (GroupConsumer<String, String> again = GroupConsumer.<String, String>builder().kafkaProperties(props).topics(topic)
                .keyDeserializer(new org.apache.kafka.common.serialization.StringDeserializer())
                .valueDeserializer(new org.apache.kafka.common.serialization.StringDeserializer())
                .handler(record -> handled.merge(record.value(), 1, Integer::sum))
                .build().start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> committedTotal(group) == 40);
        }
        assertThat(handled).hasSize(40).allSatisfy((value, times) -> assertThat(times).isEqualTo(1));
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
