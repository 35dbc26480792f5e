package io.kgroups.consumer.internal;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * The simulation's world: virtual time, a seeded random source, and two queues of events, run
 * one at a time in time order on the simulation's thread (which is also the runtime's poll
 * thread). <em>Inside</em> events are the handler side (a task starting on a handler thread, a
 * handler call returning, a retry's timer): they may also run while the poll thread waits in the
 * runtime (a revoke, a commit pause). <em>Outside</em> events (a turn of the poll loop, a fault, new
 * records) run only between turns. It is the runtime's {@link Clock}.
 */
final class SimWorld implements Clock {
    private static final int TRACE_LINES = 400;

    final Random random;
    private final Thread owner = Thread.currentThread();
    private final PriorityQueue<Event> inside = new PriorityQueue<>(Comparator.comparingLong(Event::time).thenComparingLong(Event::seq));
    private final PriorityQueue<Event> outside = new PriorityQueue<>(Comparator.comparingLong(Event::time).thenComparingLong(Event::seq));
    private final ArrayDeque<Line> trace = new ArrayDeque<>();
    private final boolean fullTrace;
    private long now;
    private long seq;
    private long events;
    /** Checked after every event. */
    Runnable afterEvent = () -> { };

    private record Event(long time, long seq, String what, Runnable action) {
    }

    /** A line of the trace, formatted only when printed. */
    private record Line(long time, String what) {
    }

    SimWorld(long seed, boolean fullTrace) {
        this.random = new Random(mix(seed));
        this.fullTrace = fullTrace;
    }

    /**
     * SplitMix64's finalizer: java.util.Random's first values are nearly the same for neighbouring
     * seeds (1, 2, 3 ...), which would draw nearly the same setup for all of them.
     */
    private static long mix(long seed) {
        long z = seed + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public long nanos() {
        return now;
    }

    long millis() {
        return now / 1_000_000;
    }

    long events() {
        return events;
    }

    void inside(long delayNanos, String what, Runnable action) {
        inside.add(new Event(now + Math.max(0, delayNanos), seq++, what, action));
    }

    void outside(long delayNanos, String what, Runnable action) {
        outside.add(new Event(now + Math.max(0, delayNanos), seq++, what, action));
    }

    /** Runs the earliest event of either queue; false when there is none. */
    boolean runNext() {
        Event i = inside.peek();
        Event o = outside.peek();
        if (i == null && o == null) {
            return false;
        }
        boolean takeInside = o == null || (i != null && (i.time < o.time || (i.time == o.time && i.seq < o.seq)));
        run(takeInside ? inside.poll() : outside.poll());
        return true;
    }

    /** Time of the next outside event, or Long.MAX_VALUE. */
    long nextOutside() {
        Event o = outside.peek();
        return o == null ? Long.MAX_VALUE : o.time;
    }

    private void run(Event event) {
        now = Math.max(now, event.time);
        events++;
        note(event.what);
        event.action.run();
        afterEvent.run();
    }

    /** The poll thread waits: handler-side events run until {@code ready} or the deadline. */
    @Override
    public boolean await(BooleanSupplier ready, long deadlineNanos) {
        requireOwner();
        while (!ready.getAsBoolean()) {
            Event next = inside.peek();
            if (next == null || next.time > deadlineNanos) {
                now = Math.max(now, deadlineNanos);
                return ready.getAsBoolean();
            }
            run(inside.poll());
        }
        return true;
    }

    @Override
    public void signal() {
        // the waiter is this thread, and looks again after every event
    }

    @Override
    public void sleep(long millis) {
        await(() -> false, now + millis * 1_000_000);
    }

    @Override
    public void schedule(long delayMs, Runnable task) {
        inside(delayMs * 1_000_000, "retry timer", task);
    }

    private void requireOwner() {
        if (Thread.currentThread() != owner) {
            throw new AssertionError("the poll thread's wait was entered from " + Thread.currentThread().getName());
        }
    }

    // ---- randomness ----

    boolean chance(double probability) {
        return random.nextDouble() < probability;
    }

    int between(int lowInclusive, int highInclusive) {
        return lowInclusive + random.nextInt(highInclusive - lowInclusive + 1);
    }

    long millisBetween(long low, long high) {
        return (low + (long) (random.nextDouble() * (high - low))) * 1_000_000;
    }

    <T> T pick(java.util.List<T> from) {
        return from.get(random.nextInt(from.size()));
    }

    // ---- trace ----

    void note(String line) {
        trace.add(new Line(now, line));
        if (!fullTrace && trace.size() > TRACE_LINES) {
            trace.poll();
        }
    }

    String trace() {
        StringBuilder text = new StringBuilder();
        for (Line line : trace) {
            text.append(String.format("%10.3f ms  %s%n", line.time / 1e6, line.what));
        }
        return text.toString();
    }
}
