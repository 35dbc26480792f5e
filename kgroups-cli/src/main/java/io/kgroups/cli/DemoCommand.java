package io.kgroups.cli;

import io.kgroups.demo.GroupProtocol;
import io.kgroups.demo.LoaderProcess;
import io.kgroups.demo.OrdersRun;
import io.kgroups.demo.RunFailedException;
import io.kgroups.monitor.LagMonitor;
import io.kgroups.monitor.MonitorServer;
import io.kgroups.orders.LoadVerification;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The whole system in one command, with no set-up: Kafka, the orders topic, three storage
 * loaders, a producer, the monitor and its dashboard; one loader is killed and comes back; at the
 * end the table is checked against what Kafka acknowledged. Exit code 0 only when nothing was lost.
 */
@Command(name = "demo", description = {"Run the storage loader on an embedded Kafka with no set-up: produce orders, load them",
    "with 3 loaders (one killed with SIGKILL and brought back), watch it on the dashboard, and check",
    "at the end that nothing was lost. Exit code 0 only when lost = 0."})
final class DemoCommand implements Callable<Integer> {
    private static final int PARTITIONS = 6;
    private static final int LOADERS = 3;

    @Mixin
    private CommandContext context;

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "60s",
            description = "How long to produce (default: ${DEFAULT-VALUE}); the check follows.")
    private Duration duration;

    @Option(names = "--rate", paramLabel = "R/s", defaultValue = "300", converter = EventRateConverter.class,
            description = "Events per second, at least 10 (default: ${DEFAULT-VALUE}).")
    private double rate;

    @Option(names = "--http", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8080", converter = HttpAddress.Converter.class,
            description = "Where to serve the dashboard (default: ${DEFAULT-VALUE}; a free port if taken).")
    private HttpAddress http;

    @Option(names = "--no-dashboard", description = "Do not start the monitor and its dashboard.")
    private boolean noDashboard;

    @Option(names = "--keep", description = "Keep everything running after the check, until Ctrl-C.")
    private boolean keep;

    @Option(names = "--protocol", paramLabel = "classic|consumer", defaultValue = "classic",
            description = "The loaders' group protocol (default: ${DEFAULT-VALUE}).")
    private GroupProtocol protocol;

    @Override
    public Integer call() throws Exception {
        if (duration.compareTo(Duration.ofSeconds(20)) < 0) {
            throw CliException.usage("--duration must be at least 20s (a loader is killed and brought back in it), was "
                    + CommandContext.seconds(duration));
        }
        if (rate < 10) {
            throw CliException.usage("--rate must be at least 10 events per second, was " + rate);
        }
        PrintWriter out = context.out();
        Path dir = Files.createTempDirectory("kgroups-demo-");
        boolean passed = false;
        // Closed last, after the work directory is gone: closing it lets a Ctrl-C'd JVM end.
        GracefulStop stop = new GracefulStop("kgroups-demo", Duration.ofSeconds(60));
        try {
            out.println("Starting Kafka, the database and " + LOADERS + " loaders (work directory " + dir + ")...");
            out.flush();
            long begin = System.currentTimeMillis();
            try (OrdersRun run = OrdersRun.start(new OrdersRun.Settings(1, PARTITIONS, protocol, LOADERS, rate, 0.02, 2_000, dir,
                    Kgroups.LOADER));
                 LagMonitor monitor = noDashboard ? null : LagMonitor.builder(run.admin()).interval(Duration.ofSeconds(2))
                         .window(10).build();
                 MonitorServer server = monitor == null ? null : serve(monitor)) {
                run.cancelWhen(stop::isRequested);
                out.println("Kafka at " + run.kafka().bootstrapServers() + "; topic " + OrdersRun.TOPIC + " (" + PARTITIONS
                        + " partitions); group " + OrdersRun.GROUP + " (" + protocol + " protocol); loader logs in " + dir);
                if (server != null) {
                    monitor.start();
                    out.println("Dashboard: " + http.url(server.port()) + "/");
                }
                run.startProducing();
                out.printf("Producing %.0f order events a second (2 %% invalid) for %s.%n", rate,
                        CommandContext.seconds(duration));
                out.flush();
                Duration first = run.awaitRecovery(begin, Duration.ofSeconds(60));
                if (first == null || stop.isRequested()) {
                    return stopped(stop, run);
                }
                out.printf("All %d partitions are being loaded (%.1f s after start).%n", PARTITIONS, first.toMillis() / 1e3);
                long end = System.currentTimeMillis() + duration.toMillis();
                long killAt = System.currentTimeMillis() + duration.toMillis() / 3;
                Duration recovery = null;
                boolean killed = false;
                long nextProgress = System.currentTimeMillis();
                while (System.currentTimeMillis() < end && !stop.isRequested()) {
                    if (System.currentTimeMillis() >= nextProgress) {
                        progress(run, begin);
                        nextProgress += 5_000;
                    }
                    if (!killed && System.currentTimeMillis() >= killAt) {
                        killed = true;
                        recovery = killAndBringBack(run, stop);
                        if (recovery == null) {
                            return stopped(stop, run);
                        }
                    }
                    stop.await(Duration.ofMillis(200));
                }
                if (stop.isRequested()) {
                    return stopped(stop, run);
                }
                run.stopProducing();
                out.println("Producer stopped after " + run.produced() + " events; waiting for the loaders to commit everything...");
                out.flush();
                boolean caughtUp = run.awaitCaughtUp(Duration.ofSeconds(120));
                if (stop.isRequested()) {
                    return stopped(stop, run);
                }
                LoadVerification check = run.verify();
                out.println();
                context.print(VerificationTable.of(check, "recoveryAfterKill",
                        String.format("%.1f s", recovery.toMillis() / 1e3)));
                out.println();
                passed = check.lost() == 0 && caughtUp;
                out.println(passed ? "lost = 0: every valid event is in the table at its latest version, every invalid one "
                        + "in " + OrdersRun.TOPIC + ".DLT; " + check.duplicates() + " events stored twice after the kill were "
                        + "absorbed by the upsert."
                        : "LOST " + check.lost() + (caughtUp ? "" : " (the group did not catch up within 120 s)")
                        + ": see the loader logs in " + dir);
                out.flush();
                if (keep) {
                    out.println("Everything keeps running (--keep); Ctrl-C to stop.");
                    out.flush();
                    stop.await(Duration.ofDays(365));
                }
            }
        } finally {
            // Kept when the check failed, for its logs; a run stopped by Ctrl-C has nothing to look into.
            try {
                if (passed || stop.isRequested()) {
                    OrdersRun.deleteWorkDirectory(dir);
                }
            } finally {
                stop.close();
            }
        }
        if (!passed) {
            throw CliException.failed("the demo lost records or did not finish: see above (work directory kept: " + dir + ")",
                    null);
        }
        return CliException.OK;
    }

    /** Kills loader-2 with SIGKILL, waits until every partition is loaded again, brings it back. */
    private Duration killAndBringBack(OrdersRun run, GracefulStop stop) throws InterruptedException, SQLException {
        PrintWriter out = context.out();
        LoaderProcess victim = run.loaders().get(1);
        out.println("Killing " + victim.name() + " (pid " + victim.pid() + ") with SIGKILL: no commit, no leave. "
                + "Its partitions move to the others when its session times out (" + OrdersRun.SESSION_TIMEOUT_MS / 1000
                + " s).");
        out.flush();
        long killedAt = victim.kill();
        Duration recovery = run.awaitRecovery(killedAt, Duration.ofSeconds(60));
        if (recovery == null || stop.isRequested()) {
            return null;
        }
        out.printf("The group is loading every partition again %.1f s after the kill. Bringing %s back.%n",
                recovery.toMillis() / 1e3, victim.name());
        out.flush();
        victim.start();
        return recovery;
    }

    private void progress(OrdersRun run, long begin) throws InterruptedException {
        long alive = run.loaders().stream().filter(LoaderProcess::isAlive).count();
        String lag;
        try {
            lag = String.format("%,d", run.lag());
        } catch (RunFailedException | org.apache.kafka.common.KafkaException e) {
            lag = "?";
        }
        context.out().printf("  %3ds  produced %,8d   lag %6s   loaders running %d/%d%n",
                (System.currentTimeMillis() - begin) / 1000, run.produced(), lag, alive, run.loaders().size());
        context.out().flush();
    }

    private int stopped(GracefulStop stop, OrdersRun run) {
        if (stop.isRequested()) {
            context.out().println("Stopped by Ctrl-C before the check.");
            context.out().flush();
            return CliException.FAILED;
        }
        throw CliException.failed("the loaders did not load every partition within 60 s: " + run.unexpectedExits(), null);
    }

    /** A demo must start: when the port is taken, a free one. */
    private MonitorServer serve(LagMonitor monitor) {
        try {
            return MonitorServer.start(monitor, http.host(), http.port());
        } catch (RuntimeException e) {
            context.err().println("kgroups: " + http.host() + ":" + http.port() + " is not free ("
                    + ClusterConnection.rootMessage(e) + "); serving the dashboard on a free port instead");
            return MonitorCommand.startServer(monitor, null, new HttpAddress(http.host(), 0));
        }
    }
}
