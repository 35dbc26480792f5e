package io.kgroups.cli;

import io.kgroups.admin.GroupAdmin;
import io.kgroups.admin.ResetSpec;
import io.kgroups.admin.ResetTarget;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
        // Values stay text here: ResetSpec parses them, as it does for the monitor's reset preview.
        @Option(names = "--to-earliest", required = true, description = "The oldest record still in the log.")
        boolean earliest;
        @Option(names = "--to-latest", required = true, description = "The log end (skip what is not read yet).")
        boolean latest;
        @Option(names = "--to-current", required = true, description = "Where the group is now.")
        boolean current;
        @Option(names = "--to-offset", required = true, paramLabel = "N", description = "Offset N in every partition.")
        String offset;
        @Option(names = "--shift-by", required = true, paramLabel = "N", description = "Move by N (negative: back).")
        String shift;
        @Option(names = "--to-datetime", required = true, paramLabel = "ISO-8601",
                description = "The first record at or after this time, e.g. 2026-11-24T14:00:00Z (no zone: local time).")
        String datetime;
        @Option(names = "--by-duration", required = true, paramLabel = "DURATION",
                description = "The first record not older than this, e.g. 2h, 1d or PT2H.")
        String duration;
        @Option(names = "--from-file", required = true, paramLabel = "FILE",
                description = "Offsets from a CSV file topic,partition,offset (an export or a backup).")
        Path file;

        ResetSpec resetSpec() {
            if (earliest) {
                return new ResetSpec("--to-earliest", null);
            }
            if (latest) {
                return new ResetSpec("--to-latest", null);
            }
            if (current) {
                return new ResetSpec("--to-current", null);
            }
            if (offset != null) {
                return new ResetSpec("--to-offset", offset);
            }
            if (shift != null) {
                return new ResetSpec("--shift-by", shift);
            }
            if (datetime != null) {
                return new ResetSpec("--to-datetime", datetime);
            }
            if (duration != null) {
                return new ResetSpec("--by-duration", duration);
            }
            return new ResetSpec("--from-file", file.toString());
        }
    }

    @ArgGroup(multiplicity = "1")
    private Spec spec;

    @Mixin
    private ResetExecution execution;

    @Override
    public Integer call() throws InterruptedException {
        ResetTarget target;
        Map<String, Set<Integer>> topics;
        try {
            target = spec.resetSpec().target();
            topics = topics();
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
        try (GroupAdmin admin = ClusterConnection.groupAdmin(context)) {
            return execution.run(context, admin, group, topics, target);
        }
    }

    private Map<String, Set<Integer>> topics() {
        if (scope == null) {
            if (spec.file != null) {
                return null; // the file names the partitions
            }
            throw CliException.usage("name the partitions to reset: --topic TOPIC[:P,P...] or --all-topics");
        }
        return scope.all ? null : ResetSpec.topics(scope.topics);
    }
}
