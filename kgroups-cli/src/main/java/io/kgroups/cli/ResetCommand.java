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
@Command(name = "reset", header = "Move a group's offsets (a dry run unless --execute).",
        description = {"Plans new committed offsets for some partitions of a group and shows, per partition, the "
            + "current and the target offset, how many records that reads again or skips, and the span of time they "
            + "cover. Targets outside the log are moved to its start or end, with a warning. Nothing changes without "
            + "--execute.", "",
            "With --execute the group must have no members (--wait-for-empty waits for them to leave). A backup of "
            + "the offsets is written first, and its path printed with the command that undoes the reset; a line is "
            + "appended to the audit log. A group that does not exist is refused unless --create-group is given: a "
            + "typo would create a group.", "",
            "Consumer groups (classic and KIP-848), share groups and streams groups. A share group's offsets are its "
            + "start offsets (where delivery begins; the log end where nothing is left to deliver), and what it reads "
            + "again or skips is the change in the broker's lag; --shift-by does not apply to it. A streams group's "
            + "reset moves its input topics only (--all-topics: every input topic of its topology)."},
        footer = {"", "Examples:", "  Replay from a time: see what going back 2 hours would do, then do it:",
            "    kgroups reset storage_loader --all-topics --by-duration 2h",
            "    kgroups reset storage_loader --all-topics --by-duration 2h --execute",
            "  The same from a point in time (Z: UTC; without a zone, local time):",
            "    kgroups reset storage_loader --all-topics --to-datetime 2026-11-24T14:00:00Z",
            "  Skip a poison pill: the record at the committed offset of partition 3:",
            "    kgroups reset storage_loader --topic orders:3 --shift-by 1 --execute",
            "  Undo a reset: execute the backup it printed:",
            "    kgroups reset storage_loader --from-file BACKUP --execute"})
final class ResetCommand implements Callable<Integer> {
    @Mixin
    private CommandContext context;

    @Mixin
    private ClusterOptions cluster;

    @Parameters(index = "0", paramLabel = "GROUP", completionCandidates = GroupNameCandidates.class,
            description = "The group whose offsets move.")
    private String group;

    static final class Scope {
        @Option(names = "--topic", paramLabel = "TOPIC[:P,P...]", required = true,
                description = "A topic, or some of its partitions (orders:0,3); repeatable.")
        List<String> topics;

        @Option(names = "--all-topics", required = true, description = "Every topic the group has offsets for (a streams group: every input topic "
                        + "of its topology).")
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
        @Option(names = "--shift-by", required = true, paramLabel = "N",
                description = "Move each partition by N records (negative: back).")
        String shift;
        @Option(names = "--to-datetime", required = true, paramLabel = "ISO-8601",
                description = "The first record at or after this time, such as 2026-11-24T14:00:00Z (no zone: local "
                        + "time).")
        String datetime;
        @Option(names = "--by-duration", required = true, paramLabel = "DURATION", converter = DurationConverter.class,
                description = "The first record not older than this, such as 2h, 1d or PT2H.")
        java.time.Duration duration;
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
                return new ResetSpec("--by-duration", duration.toString()); // checked here, as every duration is
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
            target = spec.file != null ? OffsetsCommand.read("--from-file", spec.file) : spec.resetSpec().target();
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
