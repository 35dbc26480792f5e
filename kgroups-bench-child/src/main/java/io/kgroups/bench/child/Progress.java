package io.kgroups.bench.child;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * The records handled, timestamps at the first, at 10% and at 90% of them, and the wait of each
 * mode, which ends in the result line:
 *
 * <pre>
 *   mode=throughput  until N records are handled; records/s between 10% and 90% of N
 *   mode=bounded     records/s over {@code seconds}, from 2 s after the first record was handled
 *   mode=log         until killed (the records go to an {@link OffsetLog})
 * </pre>
 */
public final class Progress {
    private static final long STALL_NANOS = 60_000_000_000L;
    private final long records;
    private final ChildProcess child;
    private final long low;
    private final long high;
    private final AtomicLong handled = new AtomicLong();
    private final long start = System.nanoTime();
    private volatile long firstNanos;
    private volatile long lowNanos;
    private volatile long highNanos;

    /** Starts the clock: made right before the consumer, so that the end-to-end rate counts its start-up. */
    public Progress(long records, ChildProcess child) {
        this.records = records;
        this.child = child;
        this.low = Math.max(1, records / 10);
        this.high = Math.max(low + 1, records - records / 10);
    }

    /** Called by the handler, once per handled record. */
    public void handled() {
        long count = handled.incrementAndGet();
        if (count == 1) {
            firstNanos = System.nanoTime();
        }
        if (count == low) {
            lowNanos = System.nanoTime();
        }
        if (count == high) {
            highNanos = System.nanoTime();
        }
    }

    /**
     * Waits as the mode in {@code args} says and prints the result line; fails the child with
     * {@code failure} as soon as {@code failed} holds, and when the records stall.
     */
    public void await(ChildArgs args, BooleanSupplier failed, String failure) throws InterruptedException {
        Runnable check = () -> {
            if (failed.getAsBoolean()) {
                child.fail(failure);
            }
        };
        switch (args.mode()) {
            case "throughput" -> awaitAll(check);
            case "bounded" -> awaitWindow(Double.parseDouble(args.required("seconds")), check);
            case "log" -> awaitForever(check);
            default -> child.fail("unknown mode '" + args.mode() + "': throughput, bounded or log");
        }
    }

    private void awaitAll(Runnable check) throws InterruptedException {
        long last = 0;
        long lastChange = System.nanoTime();
        while (handled.get() < records || highNanos == 0 || lowNanos == 0 || firstNanos == 0) {
            check.run();
            long now = System.nanoTime();
            long count = handled.get();
            if (count != last) {
                last = count;
                lastChange = now;
            } else if (now - lastChange > STALL_NANOS) {
                child.fail("stalled after " + count + " of " + records + " records");
            }
            Thread.sleep(1);
        }
        long end = System.nanoTime();
        ResultLine.print(handled.get(), (highNanos - lowNanos) / 1e9, (high - low) / ((highNanos - lowNanos) / 1e9),
                records / ((end - start) / 1e9), (firstNanos - start) / 1e9);
    }

    private void awaitWindow(double seconds, Runnable check) throws InterruptedException {
        long deadline = System.nanoTime() + STALL_NANOS;
        while (handled.get() == 0) {
            check.run();
            if (System.nanoTime() > deadline) {
                child.fail("no record handled within 60 s");
            }
            Thread.sleep(1);
        }
        Thread.sleep(2_000);
        long from = System.nanoTime();
        long before = handled.get();
        Thread.sleep((long) (seconds * 1000));
        long to = System.nanoTime();
        long after = handled.get();
        check.run();
        double window = (to - from) / 1e9;
        ResultLine.print(after - before, window, (after - before) / window, Double.NaN, (firstNanos - start) / 1e9);
    }

    private void awaitForever(Runnable check) throws InterruptedException {
        while (true) {
            check.run();
            Thread.sleep(100);
        }
    }
}
