package io.kgroups.orders;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Random;

/**
 * Makes a stream of order events over a fixed set of orders: each event is the next version of a
 * random order (CREATED, PAID, SHIPPED, then DELIVERED or CANCELLED and corrections after), and a
 * share of them invalid in one of the ways real producers get wrong. Not thread-safe.
 */
public final class OrderEventGenerator {
    /** One event to send: its key, its bytes and, when valid, which version of which order it is. */
    public record Generated(String key, byte[] value, boolean valid, String orderId, long version) { }

    private static final String[] CURRENCIES = {"EUR", "USD", "GBP", "CHF"};
    private static final String[] INVALID = {
        "not JSON at all",
        "{\"order_id\":\"%s\",\"customer_id\":\"c-1\",\"status\":\"PAID\",\"currency\":\"EUR\",\"event_version\":1,"
                + "\"occurred_at\":\"2026-11-24T10:00:00Z\"}",
        "{\"order_id\":\"%s\",\"customer_id\":\"c-1\",\"status\":\"PAID\",\"amount\":\"-5.00\",\"currency\":\"EUR\","
                + "\"event_version\":1,\"occurred_at\":\"2026-11-24T10:00:00Z\"}",
        "{\"order_id\":\"%s\",\"customer_id\":\"c-1\",\"status\":\"PAID\",\"amount\":\"5.00\",\"currency\":\"euro\","
                + "\"event_version\":1,\"occurred_at\":\"2026-11-24T10:00:00Z\"}",
        "{\"order_id\":\"%s\",\"customer_id\":\"c-1\",\"status\":\"LOST_IN_TRANSIT\",\"amount\":\"5.00\",\"currency\":\"EUR\","
                + "\"event_version\":1,\"occurred_at\":\"2026-11-24T10:00:00Z\"}",
        "{\"order_id\":\"%s\",\"customer_id\":\"c-1\",\"status\":\"PAID\",\"amount\":\"5.00\",\"currency\":\"EUR\","
                + "\"event_version\":0,\"occurred_at\":\"2026-11-24T10:00:00Z\"}",
    };

    private final String prefix;
    private final long[] versions;
    private final Random random;
    private final double badRatio;

    /**
     * {@code orders} orders named {@code <prefix>-<n>}; {@code badRatio} of the events invalid
     * (0 to 1); {@code seed} makes the stream repeatable.
     */
    public OrderEventGenerator(String prefix, int orders, double badRatio, long seed) {
        if (orders < 1) {
            throw new IllegalArgumentException("orders must be at least 1, was " + orders);
        }
        if (!(badRatio >= 0 && badRatio <= 1)) {
            throw new IllegalArgumentException("bad ratio must be 0 to 1, was " + badRatio);
        }
        this.prefix = prefix;
        this.versions = new long[orders];
        this.random = new Random(seed);
        this.badRatio = badRatio;
    }

    public Generated next() {
        int n = random.nextInt(versions.length);
        String orderId = prefix + "-" + n;
        if (badRatio > 0 && random.nextDouble() < badRatio) {
            String bad = INVALID[random.nextInt(INVALID.length)].formatted(orderId);
            return new Generated(orderId, bad.getBytes(StandardCharsets.UTF_8), false, orderId, 0);
        }
        long version = ++versions[n];
        OrderEvent event = new OrderEvent(orderId, "c-" + (n % 997), status(n, version),
                BigDecimal.valueOf(100 + (n * 7919L) % 100_000, 2), CURRENCIES[n % CURRENCIES.length], version,
                Instant.now());
        return new Generated(orderId, OrderEventJson.write(event), true, orderId, version);
    }

    private static OrderEvent.Status status(int order, long version) {
        if (version <= 3) {
            return OrderEvent.Status.values()[(int) version - 1];
        }
        return order % 10 == 0 ? OrderEvent.Status.CANCELLED : OrderEvent.Status.DELIVERED;
    }
}
