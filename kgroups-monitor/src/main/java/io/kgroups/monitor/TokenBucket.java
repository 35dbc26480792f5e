package io.kgroups.monitor;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A token bucket: up to {@code burst} takes at once, then one per {@code refill}. What the
 * monitor's reset previews are limited by (each reads the cluster), shared by every client: the
 * limit protects the cluster, whoever asks.
 */
final class TokenBucket {
    private final int burst;
    private final long refillNanos;
    private final LongSupplier nanoTime;
    private double tokens; // guarded by this
    private long updatedNanos; // guarded by this

    TokenBucket(int burst, Duration refill, LongSupplier nanoTime) {
        if (burst < 1 || refill.isNegative() || refill.isZero()) {
            throw new IllegalArgumentException("a burst of 1 or more, and a positive refill");
        }
        this.burst = burst;
        this.refillNanos = refill.toNanos();
        this.nanoTime = nanoTime;
        this.tokens = burst;
        this.updatedNanos = nanoTime.getAsLong();
    }

    int burst() {
        return burst;
    }

    Duration refill() {
        return Duration.ofNanos(refillNanos);
    }

    /** Takes a token: 0 when one was there, else the milliseconds until the next one comes. */
    synchronized long take() {
        long now = nanoTime.getAsLong();
        tokens = Math.min(burst, tokens + (double) (now - updatedNanos) / refillNanos);
        updatedNanos = now;
        if (tokens >= 1) {
            tokens--;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((1 - tokens) * refillNanos / 1e6));
    }
}
