package io.kgroups.consumer.internal;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** The real clock: {@code System.nanoTime()}, a scheduler thread for retries, a monitor for waits. */
public final class SystemClock implements Clock {
    private final ScheduledExecutorService scheduler;
    private final Object monitor = new Object();
    private volatile int waiters;

    public SystemClock(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
    }

    @Override
    public long nanos() {
        return System.nanoTime();
    }

    @Override
    public void schedule(long delayMs, Runnable task) {
        scheduler.schedule(task, delayMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public boolean await(BooleanSupplier ready, long deadlineNanos) throws InterruptedException {
        synchronized (monitor) {
            // Counted before ready is read: a signaller that changes what ready reads sees the waiter.
            waiters++;
            try {
                while (!ready.getAsBoolean()) {
                    long left = deadlineNanos - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    TimeUnit.NANOSECONDS.timedWait(monitor, left);
                }
                return true;
            } finally {
                waiters--;
            }
        }
    }

    @Override
    public void signal() {
        if (waiters > 0) {
            synchronized (monitor) {
                monitor.notifyAll();
            }
        }
    }

    @Override
    public void sleep(long millis) throws InterruptedException {
        Thread.sleep(millis);
    }
}
