package io.kgroups.consumer;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/** How long to wait before retry number n: exponential, capped, with full jitter. */
public final class Backoff {
    private final long initialMs;
    private final long maxMs;
    private final boolean jitter;

    private Backoff(long initialMs, long maxMs, boolean jitter) {
        this.initialMs = initialMs;
        this.maxMs = maxMs;
        this.jitter = jitter;
    }

    /**
     * initial, 2×initial, 4×initial ... up to max, each delay drawn at random between half of it
     * and all of it, so that consumers retrying together do not hit a database together.
     */
    public static Backoff exponential(Duration initial, Duration max) {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff: need 0 <= initial <= max, was initial " + initial + ", max " + max);
        }
        return new Backoff(initial.toMillis(), max.toMillis(), true);
    }

    /** The same delay before every retry. */
    public static Backoff fixed(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("backoff: delay must not be negative, was " + delay);
        }
        return new Backoff(delay.toMillis(), delay.toMillis(), false);
    }

    /** Milliseconds to wait before retry {@code retry} (1 for the first retry). */
    public long delayMs(int retry) {
        int shift = Math.min(Math.max(retry - 1, 0), 30);
        long delay = Math.min(maxMs, initialMs << shift);
        if (delay < 0) {
            delay = maxMs;
        }
        if (!jitter || delay < 2) {
            return delay;
        }
        return delay / 2 + ThreadLocalRandom.current().nextLong(delay - delay / 2 + 1);
    }

    @Override
    public String toString() {
        return jitter ? "exponential(" + initialMs + "ms, " + maxMs + "ms)" : "fixed(" + initialMs + "ms)";
    }
}
