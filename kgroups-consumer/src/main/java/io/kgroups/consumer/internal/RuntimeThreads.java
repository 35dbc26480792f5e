package io.kgroups.consumer.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The threads a consumer owns: named after its group, and its handler pool stopped the same way by both kinds. */
public final class RuntimeThreads {
    private RuntimeThreads() {
    }

    /** Threads {@code prefix-1}, {@code prefix-2} ... when daemons (a pool's), else one named {@code prefix}. */
    public static ThreadFactory named(String prefix, boolean daemon) {
        AtomicInteger n = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, daemon ? prefix + "-" + n.incrementAndGet() : prefix);
            thread.setDaemon(daemon);
            return thread;
        };
    }

    /** Lets running handlers finish for up to 5 s, then interrupts them. */
    public static void stop(ExecutorService pool) {
        pool.shutdown();
        try {
            if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
