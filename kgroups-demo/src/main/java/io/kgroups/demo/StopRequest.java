package io.kgroups.demo;

import java.time.Duration;

/** A stop asked for from outside a run (Ctrl-C): the run's waits give up, and it returns what it has. */
public interface StopRequest {
    boolean isRequested();

    /** Waits up to {@code timeout} for a stop request; true when there is one. */
    boolean await(Duration timeout) throws InterruptedException;
}
