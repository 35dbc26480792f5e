package io.kgroups.consumer;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A share member's settings are checked at build(); what does not apply to a share group is refused, saying why. */
class ShareBuilderValidationTest {

    private static ShareGroupConsumer.Builder<String, String> valid() {
        return ShareGroupConsumer.<String, String>builder()
                .kafkaProperties(Map.of("bootstrap.servers", "localhost:9092", "group.id", "storage_loader"))
                .topics("orders")
                .keyDeserializer(new StringDeserializer())
                .valueDeserializer(new StringDeserializer())
                .handler(record -> { });
    }

    static Stream<Arguments> badSettings() {
        return Stream.of(
                bad("no group.id", b -> ShareGroupConsumer.<String, String>builder()
                        .kafkaProperties(Map.of("bootstrap.servers", "b:9092")).topics("orders"), "group.id is missing"),
                bad("implicit acknowledgement", b -> b.kafkaProperties(Map.of("share.acknowledgement.mode", "implicit")),
                        "share.acknowledgement.mode=implicit acknowledges records the handler has not finished"),
                bad("auto.offset.reset", b -> b.kafkaProperties(Map.of("auto.offset.reset", "earliest")),
                        "--add-config share.auto.offset.reset=earliest"),
                bad("group.protocol", b -> b.kafkaProperties(Map.of("group.protocol", "consumer")),
                        "group.protocol does not apply to a share group"),
                bad("deserializer class", b -> b.kafkaProperties(Map.of("value.deserializer", StringDeserializer.class.getName())),
                        "give keyDeserializer(...) and valueDeserializer(...) instead"),
                bad("no topics", b -> b.topics(new String[0]), "topics: give topics(...), at least one"),
                bad("no handler", b -> b.handler(null), "handler is missing"),
                bad("concurrency 0", b -> b.concurrency(0), "concurrency must be 1 to 10000, was 0"),
                bad("zero commit timeout", b -> b.commitTimeout(Duration.ZERO), "commitTimeout must be positive"));
    }

    private static Arguments bad(String name, UnaryOperator<ShareGroupConsumer.Builder<String, String>> change, String message) {
        return Arguments.of(name, change, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSettings")
    void aBadSettingIsRefusedNamingItAndTheFix(String name, UnaryOperator<ShareGroupConsumer.Builder<String, String>> change,
            String message) {
        assertThatThrownBy(() -> change.apply(valid()).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void explicitAcknowledgementMayBeSaidAloud() {
        assertThatCode(() -> valid().kafkaProperties(Map.of("share.acknowledgement.mode", "EXPLICIT")).build().close())
                .doesNotThrowAnyException();
    }
}
