package io.kgroups.cli;

import io.kgroups.admin.GroupAdmin;
import io.kgroups.monitor.Diagnosis;
import io.kgroups.monitor.Diagnosis.Finding;
import io.kgroups.monitor.GroupStatus;
import io.kgroups.monitor.LagMonitor;
import io.kgroups.monitor.MonitorSnapshot;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The guide's troubleshooting list, run: watches one group, then says what is wrong, most severe first, and what to do. */
@Command(name = "doctor", header = "Watch a group a while; say what is wrong and what to do.",
        description = {"Samples GROUP every --interval for --watch (by the monitor's own sampler and evaluator), then "
            + "prints findings, most severe first, each with its evidence and what to do: no members, or members "
            + "without partitions; a rebalancing storm (who came and went, the likely cause, the settings to look at); "
            + "stuck partitions (the committed offset not moving while records wait; the record it waits on, secrets "
            + "masked, and the reset that skips it); falling behind (consumption against production, the members "
            + "needed at the current per-member rate, or 'add partitions' when the partitions are the cap); catching "
            + "up; one member holding most of the lag; records deleted by retention unread, or soon; consumer-protocol "
            + "members reconciling for long; a classic group that could move to the consumer protocol; what this "
            + "principal may not see.", "",
            "A group that commits less often than --watch looks stuck to the doctor: watch longer than its commit "
            + "interval. Read-only: the record peek is a consumer of no group, which commits nothing. With --monitor, "
            + "the history a running monitor keeps stands for the watch: the findings come at once.", "",
            "Exit code 0 when nothing is wrong (advice only), 1 when something is."},
        footer = {"", "Examples:", "  What is wrong with the storage loader? (a minute of watching)",
            "    kgroups doctor storage_loader", "  In a script, every finding as JSON:",
            "    kgroups doctor storage_loader --watch 2m --output json",
            "  At once, from the monitor's history:", "    kgroups doctor storage_loader --monitor http://127.0.0.1:8080"})
final class DoctorCommand implements Callable<Integer> {
    private static final Duration PEEK_TIMEOUT = Duration.ofSeconds(5);
    /** Records read for stuck partitions, at most: a group stuck everywhere is one cause, seen in a few. */
    private static final int PEEKS = 10;

    @Mixin
    private CommandContext context;

    @Mixin
    private ClusterOptions cluster;

    @Parameters(paramLabel = "GROUP", completionCandidates = GroupNameCandidates.class, description = "The group to examine.")
    private String group;

    @Option(names = "--watch", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long to watch (default: 60s); 0s: one look, which cannot measure rates.")
    private Duration watch;

    @Option(names = "--interval", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Time between looks within the watch (default: 5s): membership changes between two looks of a "
                + "classic group are not seen.")
    private Duration interval;

    @Option(names = "--no-peek", description = "Do not read the record a stuck partition waits on.")
    private boolean noPeek;

    @Option(names = "--monitor", paramLabel = "URL",
            description = "Read the group's history from a running `kgroups monitor` at URL (e.g. http://127.0.0.1:8080) "
                + "instead of watching: its window of commits per partition and its storm window, at once. The cluster is "
                + "not read (no record peek).")
    private String monitor;

    @Option(names = "--monitor-token-file", paramLabel = "FILE",
            description = "A token of the monitor's --http-token-file, sent as a bearer token (its first line). Or in $"
                + MonitorAccess.TOKEN_ENV + ".")
    private java.nio.file.Path monitorTokenFile;

    @Override
    public Integer call() {
        if (context.global().output() == GlobalOptions.OutputFormat.csv) {
            throw CliException.usage("doctor's findings are not rows: use --output json (or the default text)");
        }
        if (monitor != null) {
            return fromMonitor();
        }
        watch = watch == null ? Duration.ofSeconds(60) : watch;
        interval = interval == null ? Duration.ofSeconds(5) : interval;
        if (watch.isNegative()) {
            throw CliException.usage("--watch must be 0s or more, was " + watch);
        }
        if (interval.compareTo(Duration.ofMillis(200)) < 0) {
            throw CliException.usage("--interval must be at least 200ms, was " + interval.toMillis() + "ms");
        }
        // Ctrl-C ends the watch, not the JVM: the findings of what was seen are printed.
        try (GracefulStop stop = new GracefulStop("kgroups-doctor", Duration.ofSeconds(30));
             GroupAdmin admin = ClusterConnection.groupAdmin(context);
             LagMonitor monitor = LagMonitor.builder(admin).interval(interval).groups(Set.of(group))
                     // Every change of the watch counts; three make a storm, as within any few minutes.
                     .rebalanceStorm(3, watch.plus(interval))
                     .reconcileThreshold(Duration.ofMillis(Math.max(interval.toMillis(), watch.toMillis() / 2))).build()) {
            MonitorSnapshot first = look(monitor);
            if (!watch.isZero() && context.global().output() == GlobalOptions.OutputFormat.table) {
                context.err().println("kgroups: watching " + group + " for " + DurationText.of(watch.toSeconds())
                        + ", a look every " + CommandContext.seconds(interval) + " (Ctrl-C to stop early)");
                context.err().flush();
            }
            MonitorSnapshot last = first;
            int looks = 1;
            long end = first.timeMs() + watch.toMillis();
            while (last.timeMs() < end) {
                try {
                    long untilNext = Math.min(interval.toMillis(), Math.max(1, end - System.currentTimeMillis()));
                    if (stop.await(Duration.ofMillis(untilNext))) {
                        break; // stopped early: diagnose what was seen
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // as Ctrl-C, from an embedding program
                    break;
                }
                last = look(monitor);
                looks++;
            }
            GroupStatus before = first.group(group).orElseThrow();
            GroupStatus after = last.group(group).orElseThrow();
            List<Finding> findings = peek(Diagnosis.diagnose(new Diagnosis.Watch(before, first.timeMs(), after, last.timeMs(),
                    monitor.rules().retentionRiskSeconds())));
            return print(after, findings, last.timeMs() - first.timeMs(), looks, false);
        }
    }

    /** The findings of a running monitor's history of the group: its windows are the watch. */
    private int fromMonitor() {
        if (watch != null || interval != null) {
            throw CliException.usage("--monitor reads the monitor's history, which spans its own window: drop --watch and "
                    + "--interval (or drop --monitor to watch the group here)");
        }
        List<String> tokens = MonitorAccess.secretLines("--monitor-token-file", monitorTokenFile, MonitorAccess.TOKEN_ENV,
                context.global().environment(), new ArrayList<>());
        MonitorReading.Looks looks = new MonitorReading(monitor, tokens == null ? null : tokens.get(0)).read(group);
        // The monitor's own threshold for retention risk: the hour of its AT_RISK.
        List<Finding> findings = new ArrayList<>();
        for (Finding f : Diagnosis.diagnose(new Diagnosis.Watch(looks.first(), looks.firstMs(), looks.last(), looks.lastMs(),
                io.kgroups.monitor.Evaluator.Rules.defaults().retentionRiskSeconds()))) {
            findings.add(f.kind().equals("stuck") ? f.withEvidence("the record it waits on: `kgroups doctor " + group
                    + "` on the cluster shows it (--monitor reads no record)") : f);
        }
        return print(looks.last(), findings, looks.lastMs() - looks.firstMs(), 2, true);
    }

    /** One cycle of the monitor; the group must be there and readable as a consumer group. */
    private MonitorSnapshot look(LagMonitor monitor) {
        long failed = monitor.snapshot().failedCycles();
        monitor.cycle();
        MonitorSnapshot snapshot = monitor.snapshot();
        if (snapshot.failedCycles() > failed) {
            throw monitor.lastFailure(); // one line, exit 1: the cluster did not answer
        }
        if (snapshot.skipped().containsKey(group)) {
            throw CliException.failed("group '" + group + "' is " + snapshot.skipped().get(group), null);
        }
        if (snapshot.group(group).isEmpty()) {
            throw CliException.failed("group '" + group + "' does not exist: list the groups with `kgroups groups`", null);
        }
        return snapshot;
    }

    /**
     * The stuck partitions' findings with the record each waits on, unless --no-peek: the first
     * {@link #PEEKS} of them (most severe first, as the findings come), by one consumer.
     */
    private List<Finding> peek(List<Finding> findings) {
        if (noPeek || findings.stream().noneMatch(DoctorCommand::peekable)) {
            return findings;
        }
        List<Finding> peeked = new ArrayList<>();
        int peeks = 0;
        try (RecordPeek records = RecordPeek.open(context.cluster().clientConfig().properties())) {
            for (Finding f : findings) {
                if (!peekable(f)) {
                    peeked.add(f);
                } else if (peeks++ < PEEKS) {
                    String name = f.partitions().get(0);
                    int dash = name.lastIndexOf('-');
                    TopicPartition tp = new TopicPartition(name.substring(0, dash), Integer.parseInt(name.substring(dash + 1)));
                    peeked.add(f.withEvidence(records.at(tp, (Long) f.figures().get("offset"), PEEK_TIMEOUT)));
                } else {
                    peeked.add(f.withEvidence("the record it waits on: not read (the first " + PEEKS + " stuck partitions are)"));
                }
            }
        }
        return peeked;
    }

    private static boolean peekable(Finding f) {
        return f.kind().equals("stuck") && f.figures().get("offset") instanceof Long;
    }

    /** @param fromMonitor whether the looks are a running monitor's history, not a watch of this command's */
    private int print(GroupStatus g, List<Finding> findings, long watchedMs, int looks, boolean fromMonitor) {
        boolean wrong = Diagnosis.somethingWrong(findings);
        Output output = context.output();
        if (output.format() == GlobalOptions.OutputFormat.json) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("group", g.group());
            data.put("type", g.type());
            data.put("state", g.state());
            data.put("members", g.members());
            data.put("partitions", g.partitions().size());
            data.put("lag", g.totalLag());
            data.put("watchedSeconds", Math.round(watchedMs / 100.0) / 10.0);
            data.put("looks", looks);
            data.put("from", fromMonitor ? "monitor" : "watch");
            data.put("healthy", !wrong);
            data.put("findings", findings);
            output.json(data);
        } else {
            text(context.out(), g, findings, fromMonitor ? "from the monitor's history of "
                    + DurationText.of(Math.round(watchedMs / 1000.0)) : "watched " + DurationText.of(Math.round(watchedMs / 1000.0))
                    + " (" + looks + " looks)");
        }
        int code = output.done();
        return wrong ? CliException.FAILED : code;
    }

    private static void text(PrintWriter out, GroupStatus g, List<Finding> findings, String seen) {
        out.println(g.group() + ": " + g.type() + " group, " + g.state() + ", " + g.members() + " member(s), "
                + g.partitions().size() + " partition(s), lag " + g.totalLag() + "; " + seen);
        for (Finding f : findings) {
            out.println();
            out.println(String.format("%-8s  %s", f.severity(), f.title()));
            f.evidence().forEach(line -> out.println("    " + line));
            f.advice().forEach(line -> out.println("  do: " + line));
        }
        out.println();
        long problems = findings.stream().filter(f -> f.severity() != Diagnosis.Severity.INFO).count();
        out.println(problems == 0 ? "Nothing wrong found" + (findings.isEmpty() ? "." : " (advice above).")
                : problems + " problem(s) found.");
    }
}
