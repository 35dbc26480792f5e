package io.kgroups.demo;

import java.time.Duration;

/** What a chaos run reports while it runs (times from its start); every method does nothing by default. */
public interface ChaosListener {
    default void loaderEndedByItself(String loader, Integer exitCode, String lastLines) {
    }

    default void brokerStopping(Duration at, int broker) {
    }

    default void brokerStarting(Duration at, int broker) {
    }

    /** Every 30 s. */
    default void progress(Duration at, long produced, int kills, long loadersRunning, int loaders) {
    }

    default void producerStopped(long produced) {
    }
}
