package io.kgroups.cli;

import io.kgroups.demo.Chaos;
import io.kgroups.demo.ChaosListener;
import io.kgroups.demo.ChaosResult;
import io.kgroups.demo.ChaosSettings;
import io.kgroups.demo.GroupProtocol;
import io.kgroups.demo.OrdersRun;
import io.kgroups.orders.LoadVerification;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kgroups chaos}: the options and the printing of a {@link Chaos} run. The last line is
 * {@code RESULT lost=N duplicates=N max_recovery_s=S}; exit code 0 only when lost is 0.
 */
@Command(name = "chaos", header = "Kill loaders and a broker under load; check nothing is lost.",
        description = {"Runs 3 brokers of its own and storage loader processes; while orders flow (poison pills "
            + "among them), kills a loader with SIGKILL every --kill-every and stops and restarts a broker, then "
            + "checks that every event was stored. The last line is RESULT lost=N duplicates=N max_recovery_s=S; "
            + "exit code 0 only when lost is 0."})
final class ChaosCommand implements Callable<Integer> {
    @Mixin
    private CommandContext context;

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "10m",
            description = "How long orders flow and loaders die (default: ${DEFAULT-VALUE}).")
    private Duration duration;

    @Option(names = "--protocol", paramLabel = "classic|consumer", defaultValue = "classic",
            description = "The loaders' group protocol (default: ${DEFAULT-VALUE}).")
    private GroupProtocol protocol;

    @Option(names = "--group-type", paramLabel = "consumer|share", defaultValue = "consumer",
            description = "consumer: the loaders form a consumer group (with --protocol); share: a share group (KIP-932), "
                    + "each event handed to any loader and acknowledged once stored (default: ${DEFAULT-VALUE}).")
    private LoadOrdersCommand.LoaderGroupType groupType;

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

    @Option(names = "--seed", paramLabel = "N", description = "Replays a kill schedule: which loaders die and which "
            + "broker stops (default: random, printed).")
    private Long seed;

    @Override
    public Integer call() throws Exception {
        if (groupType == LoadOrdersCommand.LoaderGroupType.share) {
            protocol = GroupProtocol.share;
        }
        context.textOnly("its progress and check (the last line, RESULT ..., is for scripts)");
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
        long chosenSeed = seed != null ? seed : new Random().nextLong();
        PrintWriter out = context.out();
        Path dir = Files.createTempDirectory("kgroups-chaos-");
        out.println("chaos: " + Chaos.BROKERS + " brokers, " + Chaos.LOADERS + " loader processes (" + protocol
                + " protocol), " + Math.round(rate) + " events/s, a loader killed every " + CommandContext.seconds(killEvery)
                + " for " + CommandContext.seconds(duration) + "; work directory " + dir);
        out.println("kill schedule of seed " + chosenSeed + " (--seed " + chosenSeed + " replays it)");
        out.flush();
        boolean passed = false;
        GracefulStop stop = new GracefulStop("kgroups-chaos", Duration.ofSeconds(60));
        try {
            ChaosResult result = Chaos.run(new ChaosSettings(duration, protocol, killEvery, restartAfter, rate, badRatio,
                    chosenSeed, dir, Kgroups.LOADER), new Progress(out), stop);
            if (result.stopped()) {
                return stoppedByCtrlC();
            }
            LoadVerification check = result.verification();
            double maxRecovery = result.maxRecovery().toMillis() / 1e3;
            out.println();
            context.printText(VerificationTable.of(check, "worstRecoveryAfterKill", String.format("%.1f s", maxRecovery)));
            out.printf("%nkills %d (not recovered within 120 s: %d), loaders that ended by themselves %d, broker %s stopped "
                    + "and restarted, caught up %s%n", result.kills().size(), result.unrecovered(),
                    result.loadersEndedByThemselves(), result.brokerStops().isEmpty() ? "never" : "once",
                    result.caughtUp() ? "yes" : "NO (within 180 s)");
            out.printf("RESULT lost=%d duplicates=%d max_recovery_s=%.1f%n", check.lost(), check.duplicates(), maxRecovery);
            out.flush();
            passed = check.lost() == 0;
            if (!passed) {
                throw CliException.failed("lost " + check.lost() + " records (seed " + chosenSeed + "): loader logs and "
                        + "broker logs are in " + dir, null);
            }
        } finally {
            // Kept when the run failed, for its logs; a run stopped by Ctrl-C has nothing to look into.
            // The stop is closed last, after the work directory is gone: closing it lets a Ctrl-C'd JVM end.
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

    /** The run's progress lines. */
    private record Progress(PrintWriter out) implements ChaosListener {
        @Override
        public void loaderEndedByItself(String loader, Integer exitCode, String lastLines) {
            out.println("  " + loader + " ended by itself (exit " + exitCode + "); restarting it:\n" + lastLines);
        }

        @Override
        public void brokerStopping(Duration at, int broker) {
            out.printf("  %4ds  stopping broker %d%n", at.toSeconds(), broker);
        }

        @Override
        public void brokerStarting(Duration at, int broker) {
            out.printf("  %4ds  starting broker %d again%n", at.toSeconds(), broker);
        }

        @Override
        public void progress(Duration at, long produced, int kills, long loadersRunning, int loaders) {
            out.printf("  %4ds  produced %,9d  kills %3d  loaders running %d/%d%n", at.toSeconds(), produced, kills,
                    loadersRunning, loaders);
            out.flush();
        }

        @Override
        public void producerStopped(long produced) {
            out.println("Producer stopped after " + produced + " events; waiting for the loaders to commit everything...");
            out.flush();
        }
    }

    private int stoppedByCtrlC() {
        context.out().println("Stopped by Ctrl-C before the check.");
        context.out().flush();
        return CliException.FAILED;
    }
}
