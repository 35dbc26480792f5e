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
@Command(name = "lag", description = {"Lag per group and topic: records, time lag, members, whether offsets moved",
    "since the last look, and the monitor's status (UNKNOWN where one look cannot tell; --watch collects commits).",
    "Without GROUP, every consumer group."})
final class LagCommand implements Callable<Integer> {
    @Mixin
    private CommandContext context;

    @Parameters(paramLabel = "GROUP", arity = "0..*", description = "Groups to show (default: all).")
    private List<String> groups = List.of();

    @Option(names = "--watch", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Redraw every DURATION (5s, 1m ...) until Ctrl-C.")
    private Duration watch;

    @Override
    public Integer call() throws InterruptedException {
        if (watch != null && watch.compareTo(Duration.ofSeconds(1)) < 0) {
            throw CliException.usage("--watch must be at least 1s, was " + DurationText.of(watch.toSeconds()));
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
                Table table = Table.of("group", "topic", "lag", "lag-seconds", "members", "moved", "status")
                        .whenEmpty("No consumer groups on this cluster yet.");
                for (GroupStatus group : snapshot.groups()) {
                    Map<String, long[]> byTopic = new TreeMap<>();
                    Map<String, Double> seconds = new HashMap<>();
                    Map<String, Status> status = new HashMap<>();
                    for (PartitionStatus p : group.partitions()) {
                        long[] sums = byTopic.computeIfAbsent(p.topic(), t -> new long[2]);
                        sums[0] += p.lagOrZero();
                        sums[1] += p.committedOffset() == null ? 0 : p.committedOffset();
                        if (p.lagSeconds() != null) {
                            seconds.merge(p.topic(), p.lagSeconds(), Math::max);
                        }
                        status.merge(p.topic(), p.status(), Status::worst);
                    }
                    for (Map.Entry<String, long[]> topic : byTopic.entrySet()) {
                        String key = group.group() + " " + topic.getKey();
                        positions.put(key, topic.getValue()[1]);
                        Long before = previous == null ? null : previous.get(key);
                        String moved = before == null ? null : before.equals(topic.getValue()[1]) ? "no" : "yes";
                        Double lagSeconds = seconds.get(topic.getKey());
                        table.row(group.group(), topic.getKey(), topic.getValue()[0],
                                lagSeconds == null ? null : Math.round(lagSeconds * 10) / 10.0, group.members(), moved,
                                status.get(topic.getKey()).toString());
                    }
                }
                if (watch != null && context.global().output() == GlobalOptions.OutputFormat.table) {
                    context.out().print("\033[H\033[2J"); // redraw in place
                }
                context.print(table);
                snapshot.skipped().forEach((group, why) -> context.err().println("kgroups: note: left out " + group + ": " + why));
                // Not read this cycle (a group whose coordinator did not answer, an offline partition): named, and exit 3.
                List<String> unknown = new java.util.ArrayList<>();
                for (GroupStatus g : snapshot.groups()) {
                    if (g.partitions().isEmpty() && g.lastSampleMs() == null) {
                        unknown.add(g.group() + ": " + String.join("; ", g.reasons()));
                    }
                    g.partitions().stream().filter(p -> !Long.valueOf(snapshot.timeMs()).equals(p.lastSampleMs()))
                            .forEach(p -> unknown.add(g.group() + " " + p.topic() + "-" + p.partition() + ": " + p.reason()));
                }
                unknown.forEach(r -> context.err().println("kgroups: warning: " + r));
                context.err().flush();
                if (watch == null) {
                    return unknown.isEmpty() ? CliException.OK : CliException.PARTIAL;
                }
                previous = positions;
                Thread.sleep(watch.toMillis());
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
