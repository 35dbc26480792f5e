package io.kgroups.consumer.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The runtime's handler threads under the simulation's control. They are real threads running
 * the runtime's real chains, but they take turns with the simulation's thread: exactly one of
 * them runs at any moment, and the turn passes only where the simulation says (a task starting,
 * a handler call entered, a handler call returned, a task ended). So a seed replays exactly,
 * while a handler call still spans simulated time in which the poll loop, rebalances and other
 * handlers go on.
 *
 * <p>A thread that keeps the turn (it blocked somewhere other than in a handler call) is a bug in
 * the runtime under test, reported with its stack.
 */
final class SimThreads implements Executor {
    private static final long TURN_LIMIT_SECONDS = 30;

    private final SimWorld world;
    private final Semaphore simulationTurn = new Semaphore(0);
    private final ArrayDeque<Worker> idle = new ArrayDeque<>();
    private final List<Worker> all = new ArrayList<>();
    private final String name;
    /** A throwable that escaped a task: the runtime let one go without an owner. */
    volatile Throwable escaped;

    SimThreads(SimWorld world, String name) {
        this.world = world;
        this.name = name;
    }

    /** The runtime hands a task to a handler thread: it starts a little later (thread wake-up). */
    @Override
    public void execute(Runnable task) {
        world.inside(world.random.nextInt(500_000), "task starts", () -> start(task));
    }

    private void start(Runnable task) {
        Worker worker = idle.poll();
        if (worker == null) {
            worker = new Worker(name + "-handler-" + all.size());
            all.add(worker);
            worker.start();
        }
        worker.task = task;
        turnTo(worker);
    }

    /** Simulation thread: the worker runs until it parks in a handler call or ends its task. */
    void turnTo(Worker worker) {
        worker.turn.release();
        try {
            if (!simulationTurn.tryAcquire(TURN_LIMIT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("handler thread " + worker.getName() + " kept the turn for " + TURN_LIMIT_SECONDS
                        + " s: it blocked outside a handler call\n" + Arrays.stream(worker.getStackTrace())
                        .map(e -> "    at " + e).collect(Collectors.joining("\n")));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Handler thread: gives the turn to the simulation until {@link #resume} hands it back. */
    void park() {
        Worker worker = (Worker) Thread.currentThread();
        simulationTurn.release();
        worker.turn.acquireUninterruptibly();
    }

    /** Simulation thread: the handler call parked on {@code worker} goes on. */
    void resume(Worker worker) {
        turnTo(worker);
    }

    static Worker current() {
        return Thread.currentThread() instanceof Worker worker ? worker : null;
    }

    /** Ends every idle thread; returns how many were still parked in a handler call. */
    int shutdown() {
        int parked = all.size() - idle.size();
        for (Worker worker : idle) {
            worker.stop = true;
            turnTo(worker);
        }
        idle.clear();
        return parked;
    }

    /** A handler thread: runs tasks it is given, one turn at a time. */
    final class Worker extends Thread {
        final Semaphore turn = new Semaphore(0);
        Runnable task;
        boolean stop;

        Worker(String name) {
            super(name);
            setDaemon(true); // one left parked by a failed seed must not keep the JVM alive
        }

        @Override
        public void run() {
            while (true) {
                turn.acquireUninterruptibly();
                if (stop) {
                    simulationTurn.release();
                    return;
                }
                Runnable next = task;
                task = null;
                try {
                    next.run();
                } catch (Throwable e) {
                    escaped = e;
                }
                idle.add(this);
                simulationTurn.release();
            }
        }
    }
}
