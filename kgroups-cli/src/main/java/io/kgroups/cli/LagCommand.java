package io.kgroups.cli;

import io.kgroups.admin.GroupAdmin;
import io.kgroups.monitor.GroupStatus;
import io.kgroups.monitor.LagMonitor;
import io.kgroups.monitor.MonitorSnapshot;
import io.kgroups.monitor.PartitionStatus;
import io.kgroups.monitor.Status;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Lag per group and topic, compact; with --watch, redrawn in place and saying what moved. */
@Command(name = "lag", header = "Lag per group and topic, and whether the offsets move.",
        description = {"Per group and topic: the lag in records, the time lag, the members, whether the committed "
            + "offsets moved since the last look, and the monitor's status. One look cannot tell a slow group from a "
            + "stuck one, so the status is UNKNOWN until --watch has seen the group commit.",
            "Consumer, streams and share groups alike. A share group commits no offset: its lag is the broker's "
            + "(KIP-1226: records not yet delivery-complete, i.e. not yet acknowledged, rejected or archived, which is "
            + "not log-end minus an offset), its time lag the age of the record at its start offset, and 'moved' says "
            + "whether the start offset moved. Classic groups of other protocols (Kafka Connect ...) have no consumer "
            + "offsets: they are left out, with a note on stderr."},
        footer = {"", "Examples:", "  A consumer that seems stuck: do its offsets move, and does its lag grow?",
            "    kgroups lag storage_loader --watch 5s", "  Then see its members and partitions:",
            "    kgroups describe storage_loader"})
final class LagCommand implements Callable<Integer> {
    @Mixin
    private CommandContext context;

    @Mixin
    private ClusterOptions cluster;

    @Parameters(paramLabel = "GROUP", arity = "0..*", completionCandidates = GroupNameCandidates.class,
            description = "The groups to show (default: every group).")
    private List<String> groups = List.of();

    @Option(names = "--watch", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Look again every DURATION (such as 5s or 1m), redrawing in place, until Ctrl-C.")
    private Duration watch;

    @Override
    public Integer call() {
        if (watch != null && watch.compareTo(Duration.ofSeconds(1)) < 0) {
            throw CliException.usage("--watch must be at least 1s, was " + DurationText.of(watch.toSeconds()));
        }
        if (watch != null && context.global().output() == GlobalOptions.OutputFormat.csv) {
            throw CliException.usage("--watch cannot print CSV (one header, then rows of every redraw mixed): use "
                    + "--output json (one envelope per redraw, one per line), or drop --watch");
        }
        // The monitor's own sampling and evaluator, so that `lag --watch` and `kgroups monitor` agree.
        try (GroupAdmin admin = ClusterConnection.groupAdmin(context);
             LagMonitor monitor = monitor(admin)) {
            Map<String, Long> previous = null;
            long failed = 0;
            while (true) {
                monitor.cycle();
                MonitorSnapshot snapshot = monitor.snapshot();
                if (snapshot.failedCycles() > failed) {
                    throw monitor.lastFailure(); // one line, exit 1: the cluster did not answer
                }
                failed = snapshot.failedCycles();
                for (String group : groups) {
                    if (snapshot.skipped().containsKey(group)) {
                        throw CliException.failed("group '" + group + "' is " + snapshot.skipped().get(group), null);
                    }
                    if (snapshot.group(group).isEmpty()) {
                        throw CliException.failed("group '" + group + "' does not exist: list the groups with `kgroups groups`",
                                null);
                    }
                }
                Map<String, Long> positions = new HashMap<>();
                Table table = Table.of("group", "topic", "lag", "lagSeconds", "members", "moved", "status")
                        .whenEmpty("No groups on this cluster yet.");
                for (GroupStatus group : snapshot.groups()) {
                    Map<String, long[]> byTopic = new TreeMap<>();
                    Map<String, Double> seconds = new HashMap<>();
                    Map<String, Status> status = new HashMap<>();
                    for (PartitionStatus p : group.partitions()) {
                        long[] sums = byTopic.computeIfAbsent(p.topic(), t -> new long[2]);
                        sums[0] += p.lagOrZero();
                        // A share group's progress shows in its start offset: it commits none.
                        Long position = p.committedOffset() != null ? p.committedOffset() : p.startOffset();
                        sums[1] += position == null ? 0 : position;
                        if (p.lagSeconds() != null) {
                            seconds.merge(p.topic(), p.lagSeconds(), Math::max);
                        }
                        status.merge(p.topic(), p.status(), Status::worst);
                    }
                    for (Map.Entry<String, long[]> topic : byTopic.entrySet()) {
                        String key = group.group() + " " + topic.getKey();
                        positions.put(key, topic.getValue()[1]);
                        Long before = previous == null ? null : previous.get(key);
                        table.row(group.group(), topic.getKey(), topic.getValue()[0], seconds.get(topic.getKey()),
                                group.members(), before == null ? null : !before.equals(topic.getValue()[1]),
                                status.get(topic.getKey()).toString());
                    }
                }
                Output output = context.output();
                snapshot.skipped().forEach((group, why) -> output.note("left out " + group + ": " + why));
                // Not read this cycle (a group whose coordinator did not answer, an offline partition): named, and exit 3.
                for (GroupStatus g : snapshot.groups()) {
                    if (g.partitions().isEmpty() && g.lastSampleMs() == null) {
                        output.unreadable(g.group() + ": " + String.join("; ", g.reasons()));
                    }
                    g.partitions().stream().filter(p -> !Long.valueOf(snapshot.timeMs()).equals(p.lastSampleMs()))
                            .forEach(p -> output.unreadable(g.group() + " " + p.topic() + "-" + p.partition() + ": " + p.reason()));
                }
                if (watch != null && output.format() == GlobalOptions.OutputFormat.table) {
                    context.out().print("\033[H\033[2J"); // redraw in place
                }
                int exitCode = output.print(table);
                if (watch == null) {
                    return exitCode;
                }
                previous = positions;
                try {
                    Thread.sleep(watch.toMillis());
                } catch (InterruptedException e) {
                    // Stopped by an embedding program or a test, as by Ctrl-C: the last redraw stands.
                    Thread.currentThread().interrupt();
                    return CliException.OK;
                }
            }
        }
    }

    /** Without GROUP, the monitor's default: every group, whatever its name holds (a newline too). */
    private LagMonitor monitor(GroupAdmin admin) {
        LagMonitor.Builder builder = LagMonitor.builder(admin).interval(watch == null ? Duration.ofSeconds(5) : watch);
        if (!groups.isEmpty()) {
            builder.include(Pattern.compile(groups.stream().map(Pattern::quote).collect(Collectors.joining("|"))));
        }
        return builder.build();
    }
}
