package io.kgroups.cli;

import io.kgroups.admin.GroupAdmin;
import io.kgroups.admin.OffsetsFile;
import io.kgroups.admin.ResetTarget;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Moves a group's committed offsets, safely: a dry run unless --execute; targets clamped to the
 * log; a backup of the current offsets before any change (the undo), and an audit line after.
 */
@Command(name = "reset", description = {"Plan (and with --execute, apply) new committed offsets for a group.",
    "Dry run by default. Executing needs the group inactive, writes a backup first (undo with",
    "`kgroups reset GROUP --from-file BACKUP --execute`) and appends to the audit log."})
final class ResetCommand implements Callable<Integer> {
    @Mixin
    private CommandContext context;

    @Parameters(index = "0", paramLabel = "GROUP", description = "The group.")
    private String group;

    static final class Scope {
        @Option(names = "--topic", paramLabel = "TOPIC[:P,P...]", required = true,
                description = "A topic, or some of its partitions; repeatable.")
        List<String> topics;

        @Option(names = "--all-topics", required = true, description = "Every topic the group has offsets for.")
        boolean all;
    }

    @ArgGroup(multiplicity = "0..1")
    private Scope scope;

    static final class Spec {
        @Option(names = "--to-earliest", required = true, description = "The oldest record still in the log.")
        boolean earliest;
        @Option(names = "--to-latest", required = true, description = "The log end (skip what is not read yet).")
        boolean latest;
        @Option(names = "--to-current", required = true, description = "Where the group is now.")
        boolean current;
        @Option(names = "--to-offset", required = true, paramLabel = "N", description = "Offset N in every partition.")
        Long offset;
        @Option(names = "--shift-by", required = true, paramLabel = "N", description = "Move by N (negative: back).")
        Long shift;
        @Option(names = "--to-datetime", required = true, paramLabel = "ISO-8601",
                description = "The first record at or after this time, e.g. 2026-11-24T14:00:00Z (no zone: local time).")
        String datetime;
        @Option(names = "--by-duration", required = true, paramLabel = "ISO-8601",
                description = "The first record not older than this, e.g. PT2H or P1D.")
        String duration;
        @Option(names = "--from-file", required = true, paramLabel = "FILE",
                description = "Offsets from a CSV file topic,partition,offset (an export or a backup).")
        Path file;
    }

    @ArgGroup(multiplicity = "1")
    private Spec spec;

    @Mixin
    private ResetExecution execution;

    @Override
    public Integer call() throws InterruptedException {
        ResetTarget target = target();
        Map<String, Set<Integer>> topics = topics();
        try (GroupAdmin admin = ClusterConnection.groupAdmin(context)) {
            execution.run(context, admin, admin.planReset(group, topics, target));
        }
        return CliException.OK;
    }

    private ResetTarget target() {
        if (spec.earliest) {
            return new ResetTarget.Earliest();
        }
        if (spec.latest) {
            return new ResetTarget.Latest();
        }
        if (spec.current) {
            return new ResetTarget.Current();
        }
        if (spec.offset != null) {
            if (spec.offset < 0) {
                throw CliException.usage("--to-offset must not be negative, was " + spec.offset);
            }
            return new ResetTarget.ToOffset(spec.offset);
        }
        if (spec.shift != null) {
            return new ResetTarget.ShiftBy(spec.shift);
        }
        if (spec.datetime != null) {
            return new ResetTarget.ToDatetime(parseTime(spec.datetime));
        }
        if (spec.duration != null) {
            try {
                return new ResetTarget.ByDuration(Duration.parse(spec.duration));
            } catch (DateTimeParseException e) {
                throw CliException.failed("--by-duration '" + spec.duration + "' is not an ISO-8601 duration: write it as "
                        + "PT30M, PT2H or P1D", e);
            }
        }
        return new ResetTarget.FromOffsets(OffsetsFile.read(spec.file));
    }

    private static Instant parseTime(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException withoutZone) {
            try {
                return LocalDateTime.parse(text).atZone(ZoneId.systemDefault()).toInstant();
            } catch (DateTimeParseException e) {
                throw CliException.failed("--to-datetime '" + text + "' is not an ISO-8601 time: write it as "
                        + "2026-11-24T14:00:00Z, 2026-11-24T14:00:00+01:00 or 2026-11-24T14:00:00 (local time)", e);
            }
        }
    }

    private Map<String, Set<Integer>> topics() {
        if (scope == null) {
            if (spec.file != null) {
                return null; // the file names the partitions
            }
            throw CliException.usage("name the partitions to reset: --topic TOPIC[:P,P...] or --all-topics");
        }
        if (scope.all) {
            return null;
        }
        Map<String, Set<Integer>> topics = new LinkedHashMap<>();
        for (String topic : scope.topics) {
            String[] parts = topic.split(":", 2);
            Set<Integer> partitions = topics.computeIfAbsent(parts[0], t -> new TreeSet<>());
            if (parts.length == 2) {
                for (String p : parts[1].split(",")) {
                    try {
                        partitions.add(Integer.parseInt(p.trim()));
                    } catch (NumberFormatException e) {
                        throw CliException.usage("--topic " + topic + ": partitions are numbers, as in orders:0,1,2");
                    }
                }
            }
        }
        return topics;
    }
}
