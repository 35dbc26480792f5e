package io.kgroups.cli;

import io.kgroups.admin.GroupAdmin;
import io.kgroups.monitor.GroupStatus;
import io.kgroups.monitor.LagMonitor;
import io.kgroups.monitor.MonitorSnapshot;
import io.kgroups.monitor.PartitionStatus;
import io.kgroups.monitor.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
        try (GroupAdmin admin = ClusterConnection.groupAdmin(context)) {
            List<Set<String>> chunks = chunks(admin);
            List<LagMonitor> monitors = new ArrayList<>();
            try {
                chunks.forEach(chunk -> monitors.add(monitor(admin, chunk)));
                return show(chunks, monitors);
            } finally {
                monitors.forEach(LagMonitor::close);
            }
        }
    }

    /**
     * The groups a monitor each: one look streams, a monitor per {@link GroupAdmin#GROUPS_PER_CHUNK}
     * groups of the list, each chunk printed before the next is read; {@code --watch} keeps one
     * monitor over every matching group (it needs their history, and sees groups made meanwhile),
     * each redraw printed whole.
     */
    private List<Set<String>> chunks(GroupAdmin admin) {
        if (watch != null) {
            return List.of(Set.copyOf(groups));
        }
        Set<String> listed = new LinkedHashSet<>();
        admin.listed().forEach(l -> listed.add(l.group()));
        for (String group : groups) {
            if (!listed.contains(group)) {
                throw notFound(group);
            }
        }
        List<String> names = groups.isEmpty() ? List.copyOf(listed) : List.copyOf(new LinkedHashSet<>(groups));
        List<Set<String>> chunks = new ArrayList<>();
        for (int i = 0; i < names.size(); i += GroupAdmin.GROUPS_PER_CHUNK) {
            chunks.add(new LinkedHashSet<>(names.subList(i, Math.min(names.size(), i + GroupAdmin.GROUPS_PER_CHUNK))));
        }
        return chunks;
    }

    private static CliException notFound(String group) {
        return CliException.failed("group '" + group + "' does not exist: list the groups with `kgroups groups`", null);
    }

    /** Looks (once, or every --watch until stopped); the exit code. */
    private int show(List<Set<String>> chunks, List<LagMonitor> monitors) {
        Map<String, Long> previous = null;
        long[] failed = new long[monitors.size()];
        while (true) {
            Map<String, Long> positions = new HashMap<>();
            Output output = context.output();
            Output.Rows rows = output.rows(columns().whenEmpty("No groups on this cluster yet."));
            for (int i = 0; i < monitors.size(); i++) {
                LagMonitor monitor = monitors.get(i);
                monitor.cycle();
                MonitorSnapshot snapshot = monitor.snapshot();
                if (snapshot.failedCycles() > failed[i]) {
                    throw monitor.lastFailure(); // one line, exit 1: the cluster did not answer
                }
                failed[i] = snapshot.failedCycles();
                for (String group : groups) {
                    if (snapshot.skipped().containsKey(group)) {
                        throw CliException.failed("group '" + group + "' is " + snapshot.skipped().get(group), null);
                    }
                    if (chunks.get(i).contains(group) && snapshot.group(group).isEmpty()) {
                        throw notFound(group);
                    }
                }
                unread(snapshot, output);
                if (watch != null && output.format() == GlobalOptions.OutputFormat.table) {
                    context.out().print("\033[H\033[2J"); // redraw in place
                }
                rows.add(table(snapshot, previous, positions));
            }
            int exitCode = rows.end();
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

    /** A row per group and topic; {@code positions} gets where each stands, to say next time whether it moved. */
    private static Table table(MonitorSnapshot snapshot, Map<String, Long> previous, Map<String, Long> positions) {
        Table table = columns();
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
        return table;
    }

    private static Table columns() {
        return Table.of("group", "topic", "lag", "lagSeconds", "members", "moved", "status");
    }

    /** Left out, and not read this cycle (a group whose coordinator did not answer, an offline partition): named, exit 3. */
    private static void unread(MonitorSnapshot snapshot, Output output) {
        snapshot.skipped().forEach((group, why) -> output.note("left out " + group + ": " + why));
        for (GroupStatus g : snapshot.groups()) {
            if (g.partitions().isEmpty() && g.lastSampleMs() == null) {
                output.unreadable(g.group() + ": " + String.join("; ", g.reasons()));
            }
            g.partitions().stream().filter(p -> !Long.valueOf(snapshot.timeMs()).equals(p.lastSampleMs()))
                    .forEach(p -> output.unreadable(g.group() + " " + p.topic() + "-" + p.partition() + ": " + p.reason()));
        }
    }

    /** A chunk's monitor; with --watch, GROUP's or (without) the monitor's default: every group, a newline in its name too. */
    private LagMonitor monitor(GroupAdmin admin, Set<String> chunk) {
        LagMonitor.Builder builder = LagMonitor.builder(admin).interval(watch == null ? Duration.ofSeconds(5) : watch);
        if (watch == null) {
            builder.groups(chunk);
        } else if (!groups.isEmpty()) {
            builder.include(Pattern.compile(groups.stream().map(Pattern::quote).collect(Collectors.joining("|"))));
        }
        return builder.build();
    }
}
