package io.kgroups.cli;

import io.kgroups.admin.GroupAdmin;
import io.kgroups.demo.Demo;
import io.kgroups.demo.DemoListener;
import io.kgroups.demo.DemoResult;
import io.kgroups.demo.DemoSettings;
import io.kgroups.demo.GroupProtocol;
import io.kgroups.demo.OrdersRun;
import io.kgroups.monitor.LagMonitor;
import io.kgroups.monitor.MonitorServer;
import io.kgroups.orders.LoadVerification;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kgroups demo}: the options and the printing of a {@link Demo} run, and the monitor with
 * its dashboard on the run's cluster. Exit code 0 only when nothing was lost.
 */
@Command(name = "demo", header = "Run the whole system on a Kafka of its own, then check it.",
        description = {"Starts Kafka in this process, produces orders and loads them with 3 storage loaders in "
            + "processes of their own; one loader is killed with SIGKILL and brought back. The dashboard shows it as "
            + "it happens. At the end every event is checked: exit code 0 only when nothing was lost.", "",
            "No set-up and no cluster: the demo runs its own Kafka."})
final class DemoCommand implements Callable<Integer> {
    @Mixin
    private CommandContext context;

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "60s",
            description = "How long to produce (default: ${DEFAULT-VALUE}); the check follows.")
    private Duration duration;

    @Option(names = "--rate", paramLabel = "R/s", defaultValue = "300", converter = EventRateConverter.class,
            description = "Events per second, at least 10 (default: ${DEFAULT-VALUE}).")
    private double rate;

    @Option(names = "--http", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8080", converter = HttpAddress.Converter.class,
            description = "Where to serve the dashboard, a loopback address (default: ${DEFAULT-VALUE}; a free port if "
                    + "taken).")
    private HttpAddress http;

    @Option(names = "--no-dashboard", description = "Do not start the monitor and its dashboard.")
    private boolean noDashboard;

    @Option(names = "--keep", description = "Keep everything running after the check, until Ctrl-C.")
    private boolean keep;

    @Option(names = "--protocol", paramLabel = "classic|consumer", defaultValue = "classic",
            description = "The loaders' group protocol (default: ${DEFAULT-VALUE}).")
    private GroupProtocol protocol;

    @Option(names = "--group-type", paramLabel = "consumer|share", defaultValue = "consumer",
            description = "consumer: the loaders form a consumer group (with --protocol); share: a share group (KIP-932), "
                    + "each event handed to any loader and acknowledged once stored (default: ${DEFAULT-VALUE}).")
    private LoadOrdersCommand.LoaderGroupType groupType;

    @Option(names = "--secure", description = "Run Kafka with SASL/SCRAM and ACLs: the loaders authenticate as "
            + "User:" + OrdersRun.LOADER_USER + " with exactly READ on the group and the topic and WRITE on the dead-letter "
            + "topic; the demo's own producer, checks and dashboard as the admin (its client.properties is printed).")
    private boolean secure;

    @Override
    public Integer call() throws Exception {
        if (groupType == LoadOrdersCommand.LoaderGroupType.share) {
            protocol = GroupProtocol.share;
        }
        context.textOnly("its progress and check");
        if (duration.compareTo(Duration.ofSeconds(20)) < 0) {
            throw CliException.usage("--duration must be at least 20s (a loader is killed and brought back in it), was "
                    + CommandContext.seconds(duration));
        }
        if (rate < 10) {
            throw CliException.usage("--rate must be at least 10 events per second, was " + rate);
        }
        if (!noDashboard && !MonitorServer.loopback(http.host())) {
            throw CliException.usage("--http " + http.host() + ":" + http.port() + " is not a loopback address, and the "
                    + "demo's dashboard has no credentials: serve it on 127.0.0.1, or run kgroups monitor with "
                    + "--http-basic-file to show a cluster to others");
        }
        PrintWriter out = context.out();
        Path dir = Files.createTempDirectory("kgroups-demo-");
        boolean passed = false;
        // Closed last, after the work directory is gone: closing it lets a Ctrl-C'd JVM end.
        GracefulStop stop = new GracefulStop("kgroups-demo", Duration.ofSeconds(60));
        try {
            out.println("Starting Kafka, the database and " + Demo.LOADERS + " loaders (work directory " + dir + ")...");
            out.flush();
            DemoResult result = Demo.run(new DemoSettings(duration, rate, protocol, keep, dir, Kgroups.LOADER, secure),
                    new Printing(dir), stop);
            if (result.stopped()) {
                out.println("Stopped by Ctrl-C before the check.");
                out.flush();
                return CliException.FAILED;
            }
            passed = result.passed();
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

    /** The run's lines, and the monitor with its dashboard while the run's Kafka is up. */
    private final class Printing implements DemoListener {
        private final Path dir;
        private final PrintWriter out = context.out();
        private LagMonitor monitor;
        private MonitorServer server;

        Printing(Path dir) {
            this.dir = dir;
        }

        @Override
        public void started(String bootstrapServers, GroupAdmin admin) {
            out.println("Kafka at " + bootstrapServers + "; topic " + OrdersRun.TOPIC + " (" + Demo.PARTITIONS
                    + " partitions); group " + OrdersRun.GROUP + " (" + protocol + " protocol); loader logs in " + dir);
            if (secure) {
                out.println("SASL/SCRAM and ACLs: the admin's client config is " + dir.resolve("kafka").resolve(
                        "client.properties") + "; the loaders run as User:" + OrdersRun.LOADER_USER + " (READ on "
                        + OrdersRun.GROUP + " and " + OrdersRun.TOPIC + ", WRITE on " + OrdersRun.TOPIC + ".DLT), config "
                        + dir.resolve("loader.properties"));
            }
            if (!noDashboard) {
                monitor = LagMonitor.builder(admin).interval(Duration.ofSeconds(2)).window(10).build();
                server = serve(monitor);
                monitor.start();
                out.println("Dashboard: " + http.url(server.port()) + "/");
                out.println("What is wrong with the group, from the dashboard's history: kgroups doctor " + OrdersRun.GROUP
                        + " --monitor " + http.url(server.port()));
            }
            out.printf("Producing %.0f order events a second (%.0f %% invalid) for %s.%n", rate, Demo.BAD_RATIO * 100,
                    CommandContext.seconds(duration));
            out.flush();
        }

        @Override
        public void allPartitionsLoading(Duration after) {
            out.printf("All %d partitions are being loaded (%.1f s after start).%n", Demo.PARTITIONS, after.toMillis() / 1e3);
            out.flush();
        }

        @Override
        public void progress(Duration at, long produced, OptionalLong lag, long loadersRunning, int loaders) {
            out.printf("  %3ds  produced %,8d   lag %6s   loaders running %d/%d%n", at.toSeconds(), produced,
                    lag.isPresent() ? String.format("%,d", lag.getAsLong()) : "?", loadersRunning, loaders);
            out.flush();
        }

        @Override
        public void killing(String loader, long pid) {
            out.println("Killing " + loader + " (pid " + pid + ") with SIGKILL: no commit, no leave. "
                    + "Its partitions move to the others when its session times out (" + OrdersRun.SESSION_TIMEOUT_MS / 1000
                    + " s).");
            out.flush();
        }

        @Override
        public void recovered(String loader, Duration recovery) {
            out.printf("The group is loading every partition again %.1f s after the kill. Bringing %s back.%n",
                    recovery.toMillis() / 1e3, loader);
            out.flush();
        }

        @Override
        public void producerStopped(long produced) {
            out.println("Producer stopped after " + produced + " events; waiting for the loaders to commit everything...");
            out.flush();
        }

        @Override
        public void checked(DemoResult result) {
            LoadVerification check = result.verification();
            out.println();
            context.printText(VerificationTable.of(check, "recoveryAfterKill",
                    String.format("%.1f s", result.kill().recovery().toMillis() / 1e3)));
            out.println();
            out.println(result.passed() ? "lost = 0: every valid event is in the table at its latest version, every invalid "
                    + "one in " + OrdersRun.TOPIC + ".DLT; " + check.duplicates() + " events stored twice after the kill were "
                    + "absorbed by the upsert."
                    : "LOST " + check.lost() + (result.caughtUp() ? "" : " (the group did not catch up within "
                    + Demo.CATCH_UP_WITHIN.toSeconds() + " s)") + ": see the loader logs in " + dir);
            if (keep) {
                out.println("Everything keeps running (--keep); Ctrl-C to stop.");
            }
            out.flush();
        }

        @Override
        public void stopping() {
            if (server != null) {
                server.close();
            }
            if (monitor != null) {
                monitor.close();
            }
        }
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
