package io.kgroups.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Every throwable has an owner. Before, an {@code Error} from a handler or a deserializer (a
 * {@code StackOverflowError} from a deeply nested payload, a {@code LinkageError}) or a task the
 * executor refused stopped the partition for good: committed offset stuck, state RUNNING, health
 * UP with no reason, an uncaught-exception trace on stderr.
 */
class ThrowablesTest extends SharedKafkaTest {
    private static final Duration FAST = Duration.ofMillis(20);

    /** Values "DEEP..." overflow the stack, as a parser of a deeply nested payload would. */
    static final class DeepPayloadDeserializer implements Deserializer<String> {
        @Override
        public String deserialize(String topic, byte[] data) {
            String value = new String(data, StandardCharsets.UTF_8);
            if (value.startsWith("DEEP")) {
                throw new StackOverflowError("nested 100,000 levels deep");
            }
            return value;
        }
    }

    @Test
    void errorsFromHandlersAreRetriedAndDeadLetteredByThePolicyAndTheRestFlows() throws Exception {
        String topic = fixture.topic(1);
        String group = Fixture.unique("g");
        fixture.produce(topic, 1, "v", 0, 50);
        fixture.send(topic, 0, "OVERFLOWS-ONCE");   // offset 50
        fixture.send(topic, 0, "MISSING-CLASS");    // offset 51
        fixture.produce(topic, 1, "v", 50, 100);
        AtomicInteger overflows = new AtomicInteger();
        Set<String> handled = ConcurrentHashMap.newKeySet();
        try (GroupConsumer<String, String> consumer = fixture.builder(group, "classic", topic)
                .errorPolicy(ErrorPolicy.retry(2, Backoff.fixed(FAST)).thenDeadLetter())
                .handler(record -> {
                    if (record.value().equals("OVERFLOWS-ONCE") && overflows.getAndIncrement() == 0) {
                        throw new StackOverflowError("deep recursion in the handler");
                    }
                    if (record.value().equals("MISSING-CLASS")) {
                        throw new NoClassDefFoundError("com/example/OrderV2");
                    }
                    handled.add(record.value());
                })
                .build().start()) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(fixture.committed(group, new TopicPartition(topic, 0))).isEqualTo(102));
            assertThat(consumer.state()).isEqualTo(ConsumerState.RUNNING);
            assertThat(consumer.health().isUp()).isTrue();
            assertThat(consumer.stats().retried()).as("the overflow once, the missing class twice").isEqualTo(3);
            assertThat(consumer.stats().deadLettered()).isEqualTo(1);
        }
        assertThat(handled).hasSize(101).contains("OVERFLOWS-ONCE").doesNotContain("MISSING-CLASS");
        List<ConsumerRecord<String, String>> dead = fixture.readAll(topic + ".DLT", 1);
        assertThat(dead).extracting(ConsumerRecord::value).containsExactly("MISSING-CLASS");
        assertThat(new String(dead.get(0).headers().lastHeader("kgroups.dlt.exception.class").value(), StandardCharsets.UTF_8))
                .isEqualTo(NoClassDefFoundError.class.getName());
    }

    @Test
    void anErrorFromTheDeserializerFollowsTheUnreadablePolicy() throws Exception {
        String topic = fixture.topic(1);
        String group = Fixture.unique("g");
        fixture.produce(topic, 1, "v", 0, 10);
        fixture.send(topic, 0, "DEEP-1");
        fixture.produce(topic, 1, "v", 10, 20);
        try (GroupConsumer<String, String> consumer = GroupConsumer.<String, String>builder()
                .kafkaProperties(fixture.props(group, "classic"))
                .topics(topic)
                .keyDeserializer(new StringDeserializer())
                .valueDeserializer(new DeepPayloadDeserializer())
                .errorPolicy(ErrorPolicy.retry(3, Backoff.fixed(FAST)).thenFail().unreadable(ErrorPolicy.Action.DEAD_LETTER))
                .handler(record -> { })
                .build().start()) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(fixture.committed(group, new TopicPartition(topic, 0))).isEqualTo(21));
            assertThat(consumer.stats().deadLettered()).isEqualTo(1);
            assertThat(consumer.health().isUp()).isTrue();
        }
        assertThat(fixture.readAll(topic + ".DLT", 1)).extracting(ConsumerRecord::value).containsExactly("DEEP-1");
    }

    @Test
    void outOfMemoryFailsTheConsumerVisiblyAndNothingAfterTheRecordIsCommitted() throws Exception {
        String topic = fixture.topic(1);
        String group = Fixture.unique("g");
        TopicPartition tp = new TopicPartition(topic, 0);
        fixture.produce(topic, 1, "v", 0, 30);
        try (GroupConsumer<String, String> consumer = fixture.builder(group, "classic", topic)
                .errorPolicy(ErrorPolicy.retry(3, Backoff.fixed(FAST)).thenDeadLetter())
                .handler(record -> {
                    if (record.offset() == 20) {
                        throw new OutOfMemoryError("simulated by the test: no memory left for the order");
                    }
                })
                .build().start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> consumer.state() == ConsumerState.FAILED);
            Health health = consumer.health();
            assertThat(health.status()).isEqualTo(Health.Status.DOWN);
            assertThat(health.reasons()).anySatisfy(r -> assertThat(r).contains("OutOfMemoryError").contains(topic + "-0"));
            assertThat(consumer.failure()).contains("OutOfMemoryError");
            assertThat(consumer.stats().deadLettered()).as("a fatal error is not the policy's").isZero();
        }
        assertThat(fixture.committed(group, tp)).as("committed up to the record, not past it").isEqualTo(20);
    }

    @Test
    void anExecutorThatRefusesATaskFailsTheConsumerVisibly() throws Exception {
        String topic = fixture.topic(2);
        String group = Fixture.unique("g");
        fixture.produce(topic, 2, "v", 0, 100);
        ExecutorService executor = Executors.newFixedThreadPool(2);
        AtomicInteger handled = new AtomicInteger();
        try (GroupConsumer<String, String> consumer = fixture.builder(group, "classic", topic)
                .executor(executor)
                .concurrency(2)
                .handler(record -> handled.incrementAndGet())
                .build().start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> fixture.committed(group).values().stream()
                    .mapToLong(o -> o.offset()).sum() == 100);
            executor.shutdown(); // a user executor shut down under the consumer
            fixture.produce(topic, 2, "v", 100, 110);

            await().atMost(Duration.ofSeconds(30)).until(() -> consumer.state() == ConsumerState.FAILED);
            assertThat(consumer.health().status()).isEqualTo(Health.Status.DOWN);
            assertThat(consumer.health().reasons()).anySatisfy(r -> assertThat(r).contains("refused"));
            assertThat(consumer.failure()).contains(RejectedExecutionException.class.getSimpleName());
        } finally {
            executor.shutdownNow();
        }
        assertThat(handled).hasValue(100);
        assertThat(fixture.committed(group).values().stream().mapToLong(o -> o.offset()).sum())
                .as("nothing refused was committed").isEqualTo(100);
    }
}
