package io.kgroups.consumer.internal;

import java.util.function.BooleanSupplier;

/**
 * The runtime's time: what time it is, running something later, and the poll thread's bounded
 * waits. The runtime takes all of it from here, never from {@code System} or {@code Thread}
 * directly, so that the deterministic simulation can run the real stages on a virtual clock.
 */
public interface Clock {
    long nanos();

    /**
     * Runs {@code task} after {@code delayMs} (a retry's backoff). Throws
     * RejectedExecutionException once the consumer is shutting down.
     */
    void schedule(long delayMs, Runnable task);

    /**
     * Poll thread: waits until {@code ready} holds or the clock reaches {@code deadlineNanos},
     * and says whether it holds. {@link #signal()} wakes it to look again.
     */
    boolean await(BooleanSupplier ready, long deadlineNanos) throws InterruptedException;

    /** Something a waiter in {@link #await} may be waiting for has changed. Any thread; cheap when nobody waits. */
    void signal();

    /** Poll thread: a pause before a commit is tried again. */
    void sleep(long millis) throws InterruptedException;
}
