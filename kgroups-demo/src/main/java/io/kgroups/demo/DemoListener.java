package io.kgroups.demo;

import io.kgroups.admin.GroupAdmin;
import java.time.Duration;
import java.util.OptionalLong;

/** What a demo run reports while it runs (times from its start); every method does nothing by default. */
public interface DemoListener {
    /**
     * Kafka, the database, the loaders and the producer are running; {@code admin} reaches the
     * cluster until {@link #stopping()}. Where to start what watches the run (the CLI's monitor
     * and dashboard).
     */
    default void started(String bootstrapServers, GroupAdmin admin) {
    }

    /** Every partition is being loaded, {@code after} the start. */
    default void allPartitionsLoading(Duration after) {
    }

    /** Every 5 s, except while waiting for the recovery after the kill; {@code lag} empty when it could not be read. */
    default void progress(Duration at, long produced, OptionalLong lag, long loadersRunning, int loaders) {
    }

    default void killing(String loader, long pid) {
    }

    /** The group loads every partition again, {@code recovery} after the kill; the loader is started again next. */
    default void recovered(String loader, Duration recovery) {
    }

    default void producerStopped(long produced) {
    }

    /** The check is done (the same result the run returns); with {@code keep}, everything runs on after this. */
    default void checked(DemoResult result) {
    }

    /**
     * Kafka is about to stop: close what uses it. Called however the run ends, once
     * {@link #started} has been called (also when it threw).
     */
    default void stopping() {
    }
}
