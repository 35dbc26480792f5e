package io.kgroups.demo;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A demo run: orders flow for {@code duration} at {@code rate} events a second into one broker,
 * loaded by {@link Demo#LOADERS} loaders on the group {@code protocol}; with {@code keep},
 * everything keeps running after the check until a {@link StopRequest}. Kafka's data, the
 * database and the loader logs go to {@code dir}; each loader is started with {@code launch}.
 * With {@code secure}, the broker checks SASL/SCRAM and ACLs (see {@link OrdersRun.Settings}).
 */
public record DemoSettings(Duration duration, double rate, GroupProtocol protocol, boolean keep, Path dir,
        LoaderLaunch launch, boolean secure) { }
