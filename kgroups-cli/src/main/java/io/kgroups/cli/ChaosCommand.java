package io.kgroups.cli;

import io.kgroups.orders.LoadVerification;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Proof under crashes: a 3-broker cluster (replication factor 3, min.insync.replicas 2, acks=all),
 * three loader processes, a producer with invalid events mixed in; a random loader killed with
 * SIGKILL and restarted every few seconds, one broker stopped and restarted half-way. At the end
 * every acknowledged event is checked against the table and the dead-letter topic. The last line is
 * {@code RESULT lost=N duplicates=N max_recovery_s=S}; exit code 0 only when lost is 0.
 */
@Command(name = "chaos", description = {"Kill storage loaders (SIGKILL) and a broker while orders flow, then check that",
    "nothing was lost. Last line: RESULT lost=N duplicates=N max_recovery_s=S; exit code 0 only when lost = 0."})
final class ChaosCommand implements Callable<Integer> {
    private static final int PARTITIONS = 6;
    private static final int LOADERS = 3;

    @Mixin
    private CommandContext context;

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "10m",
            description = "How long orders flow and loaders die (default: ${DEFAULT-VALUE}).")
    private Duration duration;

    @Option(names = "--protocol", paramLabel = "classic|consumer", defaultValue = "classic",
            description = "The loaders' group protocol (default: ${DEFAULT-VALUE}).")
    private GroupProtocol protocol;

    @Option(names = "--kill-every", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "15s",
            description = "Time between two kills (default: ${DEFAULT-VALUE}).")
    private Duration killEvery;

    @Option(names = "--restart-after", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "3s",
            description = "Time a killed loader stays down (default: ${DEFAULT-VALUE}).")
    private Duration restartAfter;

    @Option(names = "--rate", paramLabel = "R/s", defaultValue = "400", converter = EventRateConverter.class,
            description = "Events per second, at least 10 (default: ${DEFAULT-VALUE}).")
    private double rate;

    @Option(names = "--bad-ratio", paramLabel = "X", defaultValue = "0.01",
            description = "Share of invalid events (default: ${DEFAULT-VALUE}).")
    private double badRatio;

    @Option(names = "--seed", paramLabel = "N", description = "Makes the choice of victims repeatable (default: random).")
    private Long seed;

    /** A kill and, once measured, how long until every partition was loaded again. */
    private record Kill(String loader, long atMs, Future<Duration> recovery) { }

    @Override
    public Integer call() throws Exception {
        if (duration.compareTo(Duration.ofSeconds(30)) < 0) {
            throw CliException.usage("--duration must be at least 30s, was " + CommandContext.seconds(duration));
        }
        if (restartAfter.compareTo(killEvery) >= 0) {
            throw CliException.usage("--restart-after (" + CommandContext.seconds(restartAfter) + ") must be shorter than "
                    + "--kill-every (" + CommandContext.seconds(killEvery) + "): a loader must be back before the next kill");
        }
        if (!(badRatio >= 0 && badRatio <= 1)) {
            throw CliException.usage("--bad-ratio must be 0 to 1, was " + badRatio);
        }
        if (rate < 10) {
            throw CliException.usage("--rate must be at least 10 events per second, was " + rate);
        }
        Random random = new Random(seed != null ? seed : System.nanoTime());
        PrintWriter out = context.out();
        Path dir = Files.createTempDirectory("kgroups-chaos-");
        out.println("chaos: 3 brokers, " + LOADERS + " loader processes (" + protocol + " protocol), " + Math.round(rate)
                + " events/s, a loader killed every " + CommandContext.seconds(killEvery) + " for "
                + CommandContext.seconds(duration) + "; work directory " + dir);
        out.flush();
        List<Kill> kills = new ArrayList<>();
        boolean passed = false;
        int loaderFailures = 0;
        ExecutorService measuring = Executors.newSingleThreadExecutor(r -> new Thread(r, "chaos-recovery"));
        GracefulStop stop = new GracefulStop("kgroups-chaos", Duration.ofSeconds(60));
        // Closed last, after the work directory is gone: closing it lets a Ctrl-C'd JVM end.
        try (OrdersRun run = OrdersRun.start(new OrdersRun.Settings(3, PARTITIONS, protocol, LOADERS, rate, badRatio,
                     5_000, dir))) {
            run.cancelWhen(stop::isRequested);
            long begin = System.currentTimeMillis();
            run.startProducing();
            if (run.awaitRecovery(begin, Duration.ofSeconds(90)) == null && !stop.isRequested()) {
                throw CliException.failed("the loaders did not load every partition within 90 s: " + run.unexpectedExits(),
                        null);
            }
            long start = System.currentTimeMillis();
            long end = start + duration.toMillis();
            long brokerDownAt = start + duration.toMillis() / 2;
            long brokerUpAt = brokerDownAt + Math.min(20_000, duration.toMillis() / 6);
            int brokerDown = 0;
            long nextKill = start + killEvery.toMillis();
            LoaderProcess down = null;
            long restartAt = 0;
            long nextProgress = start;
            // No kill in the last stretch: the last recovery is measured while orders still flow.
            long lastKill = end - Math.max(killEvery.toMillis(), 20_000);
            while (System.currentTimeMillis() < end && !stop.isRequested()) {
                long now = System.currentTimeMillis();
                if (down != null && now >= restartAt) {
                    down.start();
                    down = null;
                }
                for (LoaderProcess loader : run.loaders()) {
                    if (loader != down && !loader.isAlive()) {
                        loaderFailures++;
                        out.println("  " + loader.name() + " ended by itself (exit " + loader.exitCode() + "); restarting it:\n"
                                + loader.tail());
                        loader.start();
                    }
                }
                if (down == null && now >= nextKill && now < lastKill) {
                    down = run.loaders().get(random.nextInt(run.loaders().size()));
                    long at = down.kill();
                    kills.add(new Kill(down.name(), at, measuring.submit(() -> run.awaitRecovery(at, Duration.ofSeconds(120)))));
                    restartAt = at + restartAfter.toMillis();
                    nextKill = at + killEvery.toMillis();
                }
                if (brokerDown == 0 && now >= brokerDownAt) {
                    brokerDown = 1 + random.nextInt(3);
                    out.printf("  %4ds  stopping broker %d%n", (now - start) / 1000, brokerDown);
                    run.kafka().stopBroker(brokerDown);
                } else if (brokerDown > 0 && now >= brokerUpAt) {
                    out.printf("  %4ds  starting broker %d again%n", (now - start) / 1000, brokerDown);
                    run.kafka().startBroker(brokerDown);
                    brokerDown = -1;
                }
                if (now >= nextProgress) {
                    out.printf("  %4ds  produced %,9d  kills %3d  loaders running %d/%d%n", (now - start) / 1000,
                            run.produced(), kills.size(), run.loaders().stream().filter(LoaderProcess::isAlive).count(),
                            run.loaders().size());
                    out.flush();
                    nextProgress += 30_000;
                }
                stop.await(Duration.ofMillis(100));
            }
            if (down != null) {
                down.start();
            }
            if (brokerDown > 0) {
                run.kafka().startBroker(brokerDown);
            }
            if (stop.isRequested()) {
                return stoppedByCtrlC();
            }
            double maxRecovery = 0;
            int unrecovered = 0;
            for (Kill kill : kills) {
                Duration recovery = kill.recovery().get();
                if (recovery == null) {
                    unrecovered++;
                } else {
                    maxRecovery = Math.max(maxRecovery, recovery.toMillis() / 1e3);
                }
            }
            run.stopProducing();
            out.println("Producer stopped after " + run.produced() + " events; waiting for the loaders to commit everything...");
            out.flush();
            boolean caughtUp = run.awaitCaughtUp(Duration.ofSeconds(180));
            if (stop.isRequested()) {
                return stoppedByCtrlC();
            }
            LoadVerification check = run.verify();
            out.println();
            context.print(OrdersRun.verificationTable(check, "worstRecoveryAfterKill", String.format("%.1f s", maxRecovery)));
            out.printf("%nkills %d (not recovered within 120 s: %d), loaders that ended by themselves %d, broker %s stopped "
                    + "and restarted, caught up %s%n", kills.size(), unrecovered, loaderFailures,
                    brokerDown == 0 ? "never" : "once", caughtUp ? "yes" : "NO (within 180 s)");
            out.printf("RESULT lost=%d duplicates=%d max_recovery_s=%.1f%n", check.lost(), check.duplicates(), maxRecovery);
            out.flush();
            passed = check.lost() == 0;
            if (!passed) {
                throw CliException.failed("lost " + check.lost() + " records: loader logs and broker logs are in " + dir, null);
            }
        } finally {
            measuring.shutdownNow();
            measuring.awaitTermination(10, TimeUnit.SECONDS);
            // Kept when the run failed, for its logs; a run stopped by Ctrl-C has nothing to look into.
            try {
                if (passed || stop.isRequested()) {
                    OrdersRun.deleteWorkDirectory(dir);
                }
            } finally {
                stop.close();
            }
        }
        return CliException.OK;
    }

    private int stoppedByCtrlC() {
        context.out().println("Stopped by Ctrl-C before the check.");
        context.out().flush();
        return CliException.FAILED;
    }
}
