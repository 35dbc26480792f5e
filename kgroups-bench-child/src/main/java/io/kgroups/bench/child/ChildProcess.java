package io.kgroups.bench.child;

import java.io.IOException;

/**
 * How a benchmark child process ends: exit 0 after its result, exit 1 with a message on stderr
 * when something fails, exit 3 when its parent has gone. Halts rather than exits: the consumer
 * group is a fresh one per run, so there is nothing to leave politely and no drain to wait for.
 */
public final class ChildProcess {
    private final String name;

    /** {@code name} prefixes every failure message, to tell the children apart on the shared stderr. */
    public ChildProcess(String name) {
        this.name = name;
    }

    /** Exits when stdin closes: the benchmark that started this process has gone. */
    public void exitWhenParentGoes() {
        Thread watcher = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // nothing is sent; only the end matters
                }
            } catch (IOException e) {
                // the same: the parent has gone
            }
            Runtime.getRuntime().halt(3);
        }, "parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    /** Exit 0, once the result line is out. */
    public void succeed() {
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }

    /** Exit 1 with {@code message} on stderr. */
    public void fail(String message) {
        System.err.println(name + ": " + message);
        System.err.flush();
        Runtime.getRuntime().halt(1);
    }
}
