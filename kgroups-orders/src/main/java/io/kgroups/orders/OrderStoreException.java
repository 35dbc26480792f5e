package io.kgroups.orders;

/** The database cannot be used; the message says what to check. */
public final class OrderStoreException extends RuntimeException {
    public OrderStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
