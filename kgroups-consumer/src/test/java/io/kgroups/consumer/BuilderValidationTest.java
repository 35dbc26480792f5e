package io.kgroups.consumer;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every setting is checked at build(), and the message names the setting and the fix. */
class BuilderValidationTest {

    private static GroupConsumer.Builder<String, String> valid() {
        return GroupConsumer.<String, String>builder()
                .kafkaProperties(Map.of("bootstrap.servers", "localhost:9092", "group.id", "storage_loader"))
                .topics("orders")
                .keyDeserializer(new StringDeserializer())
                .valueDeserializer(new StringDeserializer())
                .handler(record -> { });
    }

    static Stream<Arguments> badSettings() {
        return Stream.of(
                bad("no bootstrap.servers", b -> GroupConsumer.<String, String>builder()
                        .kafkaProperties(Map.of("group.id", "g")).topics("orders"), "bootstrap.servers is missing"),
                bad("no group.id", b -> GroupConsumer.<String, String>builder()
                        .kafkaProperties(Map.of("bootstrap.servers", "b:9092")).topics("orders"), "group.id is missing"),
                bad("auto-commit", b -> b.kafkaProperties(Map.of("enable.auto.commit", "true")),
                        "enable.auto.commit=true commits offsets of records the handler has not finished"),
                bad("auto-commit names the fix", b -> b.kafkaProperties(Map.of("enable.auto.commit", "TRUE")),
                        "commitPolicy(CommitPolicy.periodic"),
                bad("topics and pattern", b -> b.topicPattern(Pattern.compile("orders.*")),
                        "give topics(...) or topicPattern(...), exactly one"),
                bad("empty topic", b -> b.topics(" "), "a topic name is empty"),
                bad("no value deserializer", b -> b.valueDeserializer(null), "valueDeserializer is missing"),
                bad("deserializer in properties", b -> b.kafkaProperties(Map.of("value.deserializer", "x")),
                        "value.deserializer is set: the runtime deserializes records itself"),
                bad("two handlers", b -> b.batchHandler(records -> { }), "exactly one of them"),
                bad("per-record commits out of partition order", b -> b.ordering(Ordering.KEY)
                        .commitPolicy(CommitPolicy.perRecord()), "commitPolicy perRecord() needs Ordering.PARTITION"),
                bad("metadata budget", b -> b.offsetMetadataBudget(-1), "offsetMetadataBudget must be 0 to 1048576 characters, was -1"),
                bad("metadata budget over any broker's", b -> b.offsetMetadataBudget(5_000_000),
                        "offsetMetadataBudget must be 0 to 1048576 characters, was 5000000: it must stay under the brokers' "
                                + "offset.metadata.max.bytes"),
                bad("concurrency", b -> b.concurrency(0), "concurrency must be 1 to 10000, was 0"),
                bad("revoke timeout", b -> b.revokeTimeout(Duration.ZERO), "revokeTimeout must be positive"),
                bad("revoke timeout vs max.poll.interval.ms", b -> b.kafkaProperties(Map.of("max.poll.interval.ms", "5000"))
                        .revokeTimeout(Duration.ofSeconds(10)), "must be shorter than max.poll.interval.ms (5000 ms)"),
                bad("assignor with the consumer protocol", b -> b.kafkaProperties(Map.of("group.protocol", "consumer",
                        "partition.assignment.strategy", "range")), "partition.assignment.strategy does not apply"),
                bad("unknown protocol", b -> b.kafkaProperties(Map.of("group.protocol", "eager")), "group.protocol 'eager'"),
                bad("bad auto.offset.reset", b -> b.kafkaProperties(Map.of("auto.offset.reset", "oldest")),
                        "auto.offset.reset: offsetReset 'oldest' is not one of earliest, latest, none, by_duration"),
                bad("queue", b -> b.partitionQueueRecords(0), "partitionQueueRecords must be at least 1"));
    }

    private static Arguments bad(String name, UnaryOperator<GroupConsumer.Builder<String, String>> change, String message) {
        return Arguments.of(name, change, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSettings")
    void refusedWithAMessageNamingTheSetting(String name, UnaryOperator<GroupConsumer.Builder<String, String>> change,
            String message) {
        assertThatThrownBy(() -> change.apply(valid()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("policies")
    void policiesCheckTheirOwnValues(String name, Runnable make, String message) {
        assertThatThrownBy(make::run).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    static Stream<Arguments> policies() {
        return Stream.of(
                Arguments.of("periodic interval", (Runnable) () -> CommitPolicy.periodic(Duration.ZERO, 1),
                        "periodic interval must be positive"),
                Arguments.of("periodic records", (Runnable) () -> CommitPolicy.periodic(Duration.ofSeconds(1), 0),
                        "maxRecords must be at least 1"),
                Arguments.of("retries", (Runnable) () -> ErrorPolicy.retry(-1, Backoff.fixed(Duration.ZERO)),
                        "retries must not be negative"),
                Arguments.of("backoff", (Runnable) () -> Backoff.exponential(Duration.ofSeconds(2), Duration.ofSeconds(1)),
                        "need 0 <= initial <= max"),
                Arguments.of("dead-letter topic", (Runnable) () -> ErrorPolicy.retry(1, Backoff.fixed(Duration.ZERO))
                        .thenDeadLetter(" "), "dead-letter topic must not be empty"));
    }
}
