package io.kgroups.cli;

import io.kgroups.demo.StopRequest;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Turns Ctrl-C (SIGINT, SIGTERM) into a stop request, and holds the JVM's exit until the command
 * has finished stopping ({@link #close()}), at most {@code grace}: the JVM ends as soon as its
 * shutdown hooks return, which would cut short the final commits and the report.
 */
final class GracefulStop implements AutoCloseable, StopRequest {
    private final CountDownLatch requested = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;

    GracefulStop(String name, Duration grace) {
        hook = new Thread(() -> {
            requested.countDown();
            try {
                finished.await(grace.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name + "-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Asks for a stop from inside (the run is over, the parent process ended). */
    void request() {
        requested.countDown();
    }

    @Override
    public boolean isRequested() {
        return requested.getCount() == 0;
    }

    /** Waits up to {@code timeout} for a stop request; true when there is one. */
    @Override
    public boolean await(Duration timeout) throws InterruptedException {
        return requested.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The command has stopped: let the JVM end. */
    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down (Ctrl-C): the hook is running
        }
    }
}
