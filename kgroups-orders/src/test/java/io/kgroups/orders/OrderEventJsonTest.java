package io.kgroups.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class OrderEventJsonTest {
    private static final String VALID = "{\"order_id\":\"o-17\",\"customer_id\":\"c-3\",\"status\":\"PAID\",\"amount\":\"19.90\","
            + "\"currency\":\"EUR\",\"event_version\":2,\"occurred_at\":\"2026-11-24T10:15:30Z\"}";

    @Test
    void readsAValidEvent() {
        OrderEvent event = OrderEventJson.read(VALID.getBytes(StandardCharsets.UTF_8));
        assertThat(event).isEqualTo(new OrderEvent("o-17", "c-3", OrderEvent.Status.PAID, new BigDecimal("19.90"), "EUR", 2,
                Instant.parse("2026-11-24T10:15:30Z")));
    }

    @Test
    void writesWhatItReads() {
        OrderEvent event = new OrderEvent("o-1", "c-1", OrderEvent.Status.SHIPPED, new BigDecimal("0.0001"), "CHF", 7,
                Instant.parse("2026-01-02T03:04:05.123Z"));
        assertThat(OrderEventJson.read(OrderEventJson.write(event))).isEqualTo(event);
    }

    @Test
    void everyGeneratedEventIsReadAsWhatTheGeneratorSaysItIs() {
        OrderEventGenerator generator = new OrderEventGenerator("o", 50, 0.3, 42);
        int invalid = 0;
        for (int i = 0; i < 2_000; i++) {
            OrderEventGenerator.Generated g = generator.next();
            if (g.valid()) {
                OrderEvent event = OrderEventJson.read(g.value());
                assertThat(event.orderId()).isEqualTo(g.orderId()).isEqualTo(g.key());
                assertThat(event.eventVersion()).isEqualTo(g.version());
            } else {
                invalid++;
                assertThatThrownBy(() -> OrderEventJson.read(g.value())).isInstanceOf(SerializationException.class);
            }
        }
        assertThat(invalid).isBetween(500, 700);
    }

    /** Each row: a change to the valid event (field=value, or field=- to remove it), and the words of the reason. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "amount=-          | amount is missing",
        "amount=\"-1.00\"  | amount -1.00 is negative",
        "amount=\"1,00\"   | amount '1,00' is not a decimal number",
        "amount=19.9       | amount must be a string",
        "amount=\"1.00001\" | more than 15 digits before the point or 4 after it",
        "currency=\"euro\" | currency 'euro' is not three capital letters",
        "status=\"LOST\"   | status 'LOST' is not one of CREATED, PAID, SHIPPED, DELIVERED, CANCELLED",
        "event_version=0   | event_version 0 is not a whole number of 1 or more",
        "event_version=1.5 | event_version 1.5 is not a whole number",
        "event_version=-   | event_version is missing",
        "order_id=\"\"     | order_id must have 1 to 64 characters",
        "occurred_at=\"yesterday\" | occurred_at 'yesterday' is not an ISO-8601 instant",
        "colour=\"red\"    | unknown field 'colour'",
    })
    void refusesAnInvalidEventNamingWhatIsWrong(String change, String reason) {
        String[] fieldValue = change.split("=", 2);
        String json = VALID.replaceFirst("\"" + fieldValue[0] + "\":(\"[^\"]*\"|[^,}]*),?", "").replace(",}", "}");
        if (!fieldValue[1].equals("-")) {
            json = json.replaceFirst("\\}$", ",\"" + fieldValue[0] + "\":" + fieldValue[1] + "}");
        }
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> OrderEventJson.read(bytes)).isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("invalid order event: ").hasMessageContaining(reason);
    }

    @Test
    void refusesWhatIsNotAnObject() {
        assertThatThrownBy(() -> OrderEventJson.read("not JSON".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("not JSON");
        assertThatThrownBy(() -> OrderEventJson.read("[1,2]".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> OrderEventJson.read(null)).hasMessageContaining("tombstone");
    }
}
