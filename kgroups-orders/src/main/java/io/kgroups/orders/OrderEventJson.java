package io.kgroups.orders;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The JSON form of an {@link OrderEvent}, read strictly: an event that is not valid JSON, lacks a
 * field, has an unknown one, or a value out of its range is refused with a reason that names the
 * field, so that the dead-letter topic says what to fix. Thread-safe.
 *
 * <pre>{@code
 * {"order_id":"o-17","customer_id":"c-3","status":"PAID","amount":"19.90","currency":"EUR",
 *  "event_version":2,"occurred_at":"2026-11-24T10:15:30Z"}
 * }</pre>
 */
public final class OrderEventJson implements Deserializer<OrderEvent> {
    static final int MAX_ID_LENGTH = 64;
    /** Fits the table's DECIMAL(19,4). */
    static final int MAX_SCALE = 4;
    static final int MAX_INTEGER_DIGITS = 15;
    private static final Set<String> FIELDS = Set.of("order_id", "customer_id", "status", "amount", "currency",
            "event_version", "occurred_at");
    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The event as JSON bytes. */
    public static byte[] write(OrderEvent event) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("order_id", event.orderId());
        node.put("customer_id", event.customerId());
        node.put("status", event.status().name());
        node.put("amount", event.amount().toPlainString());
        node.put("currency", event.currency());
        node.put("event_version", event.eventVersion());
        node.put("occurred_at", event.occurredAt().toString());
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an order event as JSON", e);
        }
    }

    /** Reads and validates one event; {@link SerializationException} with the reason when it is invalid. */
    public static OrderEvent read(byte[] json) {
        if (json == null) {
            throw invalid("the value is empty (a tombstone?), expected an order event");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw invalid("not JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw invalid("not JSON: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw invalid("not a JSON object: " + abbreviate(new String(json, StandardCharsets.UTF_8)));
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw invalid("unknown field '" + name + "'");
            }
        }
        String orderId = id(node, "order_id");
        String customerId = id(node, "customer_id");
        OrderEvent.Status status;
        String statusText = text(node, "status");
        try {
            status = OrderEvent.Status.valueOf(statusText);
        } catch (IllegalArgumentException e) {
            throw invalid("status '" + abbreviate(statusText) + "' is not one of CREATED, PAID, SHIPPED, DELIVERED, CANCELLED");
        }
        BigDecimal amount = amount(text(node, "amount"));
        String currency = text(node, "currency");
        if (!CURRENCY.matcher(currency).matches()) {
            throw invalid("currency '" + abbreviate(currency) + "' is not three capital letters (ISO 4217, e.g. EUR)");
        }
        JsonNode version = node.get("event_version");
        if (version == null || version.isNull()) {
            throw invalid("event_version is missing");
        }
        if (!version.canConvertToExactIntegral() || !version.canConvertToLong() || version.asLong() < 1) {
            throw invalid("event_version " + abbreviate(version.toString()) + " is not a whole number of 1 or more");
        }
        Instant occurredAt;
        String occurredText = text(node, "occurred_at");
        try {
            occurredAt = Instant.parse(occurredText);
        } catch (DateTimeParseException e) {
            throw invalid("occurred_at '" + abbreviate(occurredText) + "' is not an ISO-8601 instant (e.g. 2026-11-24T10:15:30Z)");
        }
        return new OrderEvent(orderId, customerId, status, amount, currency, version.asLong(), occurredAt);
    }

    @Override
    public OrderEvent deserialize(String topic, byte[] data) {
        return read(data);
    }

    private static BigDecimal amount(String text) {
        BigDecimal amount;
        try {
            amount = new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw invalid("amount '" + abbreviate(text) + "' is not a decimal number (a string such as \"19.90\")");
        }
        if (amount.signum() < 0) {
            throw invalid("amount " + text + " is negative");
        }
        if (amount.scale() > MAX_SCALE || amount.precision() - amount.scale() > MAX_INTEGER_DIGITS) {
            throw invalid("amount " + abbreviate(text) + " has more than " + MAX_INTEGER_DIGITS + " digits before the point or "
                    + MAX_SCALE + " after it");
        }
        return amount;
    }

    private static String id(JsonNode node, String field) {
        String value = text(node, field);
        if (value.isBlank() || value.length() > MAX_ID_LENGTH) {
            throw invalid(field + " must have 1 to " + MAX_ID_LENGTH + " characters, has " + value.length());
        }
        return value;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw invalid(field + " is missing");
        }
        if (!value.isTextual()) {
            throw invalid(field + " must be a string, is " + abbreviate(value.toString()));
        }
        return value.textValue();
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }

    private static SerializationException invalid(String reason) {
        return new SerializationException("invalid order event: " + reason);
    }
}
