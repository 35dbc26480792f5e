package io.kgroups.demo;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A chaos run: orders flow for {@code duration} at {@code rate} events a second ({@code badRatio}
 * of them invalid) while the {@link ChaosSchedule} drawn from {@code seed} kills loaders and stops a
 * broker; a killed loader comes back after {@code restartAfter} (shorter than {@code killEvery}).
 * Kafka's data, the database and the loader logs go to {@code dir}.
 */
public record ChaosSettings(Duration duration, GroupProtocol protocol, Duration killEvery, Duration restartAfter, double rate,
        double badRatio, long seed, Path dir, LoaderLaunch launch) { }
