package io.kgroups.cli;

import io.kgroups.demo.StopRequest;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Turns Ctrl-C (SIGINT), SIGTERM and SIGHUP into a stop request that the command carries out in
 * its own order; the JVM ends after the command returns, with the command's exit code. Left to the
 * JVM, the signal would start every shutdown hook at once, H2's among them, which closes the
 * database under the batches still being stored, and the exit code would be 130 whatever the
 * command returned. A second Ctrl-C ends the JVM at once, as the JVM would have the first time.
 *
 * <p>Any other end of the JVM (System.exit elsewhere, a signal under {@code java -Xrs}, which
 * leaves signals to the JVM) is held by a shutdown hook until the command has finished stopping
 * ({@link #close()}), at most {@code grace}: the JVM ends as soon as its shutdown hooks return.
 */
final class GracefulStop implements AutoCloseable, StopRequest {
    private static final Set<GracefulStop> RUNNING = ConcurrentHashMap.newKeySet();
    private static boolean signalsHandled;

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
        handleSignals();
        RUNNING.add(this);
    }

    /**
     * Once per JVM, and for good: with no command running the handler does what the JVM's does,
     * so a JVM that runs commands in-process (a test) ends on a signal as before. sun.misc.Signal
     * (module jdk.unsupported) is the JDK's only way to handle a signal; javac warns that it is
     * internal, and it stays until the JDK has a replacement (JEP 260).
     */
    private static synchronized void handleSignals() {
        if (signalsHandled) {
            return;
        }
        signalsHandled = true;
        for (String name : List.of("INT", "TERM", "HUP")) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> signalled(128 + signal.getNumber()));
            } catch (IllegalArgumentException e) {
                // Not ours to handle (java -Xrs, or no such signal here): the shutdown hook holds the exit instead.
            }
        }
    }

    /** A signal (exitCode: 128 + its number, the JVM's): a stop request to every command running, if none had one yet. */
    private static synchronized void signalled(int exitCode) {
        boolean asked = false;
        for (GracefulStop stop : RUNNING) {
            if (!stop.isRequested()) {
                stop.requested.countDown();
                asked = true;
            }
        }
        if (!asked) {
            // Nothing running, or asked again while stopping: end now, without waiting for the stops under way.
            RUNNING.forEach(stop -> stop.finished.countDown());
            System.exit(exitCode);
        }
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
        RUNNING.remove(this);
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook is running
        }
    }
}
