package io.kgroups.orders;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * One change of an order, as published on the {@code orders} topic (key = order id). Versions
 * increase per order; the table keeps the highest one, whatever order events arrive in.
 */
public record OrderEvent(String orderId, String customerId, Status status, BigDecimal amount, String currency,
        long eventVersion, Instant occurredAt) {

    /** The life of an order. */
    public enum Status { CREATED, PAID, SHIPPED, DELIVERED, CANCELLED }

    public OrderEvent {
        Objects.requireNonNull(orderId, "orderId");
        Objects.requireNonNull(customerId, "customerId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(amount, "amount");
        Objects.requireNonNull(currency, "currency");
        Objects.requireNonNull(occurredAt, "occurredAt");
    }
}
