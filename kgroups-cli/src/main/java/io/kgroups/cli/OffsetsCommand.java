package io.kgroups.cli;

import io.kgroups.admin.GroupAdmin;
import io.kgroups.admin.GroupAdminException;
import io.kgroups.admin.OffsetsFile;
import io.kgroups.admin.ResetTarget;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Offsets in and out of files, and from one group to another. */
@Command(name = "offsets", header = "Export, import and copy a group's offsets.",
        description = {"Offsets as CSV lines topic,partition,offset: the format of the --export of Kafka's "
            + "kafka-consumer-groups tool, which reads them too. Import and copy are planned, backed up and audited as "
            + "a reset is: a dry run unless --execute. A share group's offsets are its positions (see reset --help)."},
        footer = {"", "Examples:", "  Keep a group's offsets, and put them back later:",
            "    kgroups offsets export storage_loader --file loader.csv",
            "    kgroups offsets import loader.csv storage_loader --execute",
            "  A new group that starts where another one stands:",
            "    kgroups offsets copy storage_loader loader_v2 --create-group --execute"},
        subcommands = {OffsetsCommand.Export.class, OffsetsCommand.Import.class, OffsetsCommand.Copy.class})
final class OffsetsCommand implements Runnable {
    @Mixin
    private CommandContext context;

    @Mixin
    private ClusterOptions cluster;

    @Override
    public void run() {
        throw CliException.usage("offsets needs a subcommand: export, import or copy");
    }

    /**
     * Reads an offsets file (an export, or a backup) for {@code offsets import} and {@code reset
     * --from-file}: one that cannot be read is bad usage, saying why; a bad line stays the library's error.
     *
     * @param what how the command line names the file ("--from-file"; empty for a positional argument)
     */
    static ResetTarget.FromOffsets read(String what, Path file) {
        try {
            return OffsetsFile.read(file);
        } catch (GroupAdminException e) {
            if (e.getCause() instanceof IOException io) {
                throw FileError.usage(what, file, io, "give a CSV file of topic,partition,offset lines (what `kgroups "
                        + "offsets export --file` or a reset's backup writes)");
            }
            throw e;
        }
    }

    @Command(name = "export", header = "Write a group's offsets as CSV.",
            description = {"One line topic,partition,offset per partition the group has an offset for, to stdout or "
                + "to --file: what offsets import, reset --from-file and Kafka's own tool read."},
            footer = {"", "Examples:", "  Keep the offsets before a risky deploy, and put them back if it goes wrong:",
                "    kgroups offsets export storage_loader --file before-deploy.csv",
                "    kgroups offsets import before-deploy.csv storage_loader --execute"})
    static final class Export implements Callable<Integer> {
        @Mixin
        private CommandContext context;

        @Mixin
        private ClusterOptions cluster;

        @Parameters(paramLabel = "GROUP", completionCandidates = GroupNameCandidates.class,
                description = "The group whose offsets to write.")
        private String group;

        @Option(names = "--file", paramLabel = "FILE", description = "Write here (Kafka's format, whatever --output says) "
                + "instead of stdout.")
        private Path file;

        @Override
        public Integer call() {
            try (GroupAdmin admin = ClusterConnection.groupAdmin(context)) {
                Map<TopicPartition, Long> offsets = admin.committedOffsets(group);
                if (file != null) {
                    write(offsets);
                    context.err().println("kgroups: " + offsets.size() + " offsets of " + group + " written to " + file);
                    context.err().flush();
                    return CliException.OK;
                }
                Output output = context.output();
                if (output.format() == GlobalOptions.OutputFormat.table) {
                    // The text is Kafka's own format, so that `offsets export G > F` is a file both tools import.
                    offsets.forEach((tp, o) -> context.out().println(tp.topic() + "," + tp.partition() + "," + o));
                    return output.done();
                }
                Table table = Table.of("topic", "partition", "offset");
                offsets.forEach((tp, o) -> table.row(tp.topic(), tp.partition(), o));
                return output.print(table);
            }
        }

        private void write(Map<TopicPartition, Long> offsets) {
            try {
                OffsetsFile.write(file, ResetTarget.FromOffsets.of(offsets));
            } catch (GroupAdminException e) {
                if (e.getCause() instanceof IOException io) {
                    throw FileError.usage("--file", file, io, "choose a file kgroups can write (or leave --file out: "
                            + "stdout)");
                }
                throw e;
            }
        }
    }

    @Command(name = "import", header = "Set a group's offsets from a CSV file (dry run unless --execute).",
            description = {"The offsets of the file's partitions, planned, backed up and audited as a reset is: "
                + "without --execute, only the plan is shown. A group that does not exist is refused unless "
                + "--create-group is given."},
            footer = {"", "Examples:", "  See what restoring an export would change, then restore it:",
                "    kgroups offsets import loader.csv storage_loader",
                "    kgroups offsets import loader.csv storage_loader --execute"})
    static final class Import implements Callable<Integer> {
        @Mixin
        private CommandContext context;

        @Mixin
        private ClusterOptions cluster;

        @Parameters(index = "0", paramLabel = "FILE",
                description = "CSV lines topic,partition,offset: an export, a backup, or Kafka's own export.")
        private Path file;

        @Parameters(index = "1", paramLabel = "GROUP", completionCandidates = GroupNameCandidates.class,
                description = "The group whose offsets to set.")
        private String group;

        @Mixin
        private ResetExecution execution;

        @Override
        public Integer call() throws InterruptedException {
            ResetTarget target = read("", file);
            try (GroupAdmin admin = ClusterConnection.groupAdmin(context)) {
                return execution.run(context, admin, group, null, target);
            }
        }
    }

    @Command(name = "copy", header = "Give a group the offsets of another (dry run unless --execute).",
            description = {"TO_GROUP gets the committed offsets of FROM_GROUP, planned, backed up and audited as a "
                + "reset is: without --execute, only the plan is shown. A TO_GROUP that does not exist yet is refused "
                + "unless --create-group is given."},
            footer = {"", "Examples:", "  A new version of a consumer that starts where the old one stands:",
                "    kgroups offsets copy storage_loader loader_v2 --create-group --execute"})
    static final class Copy implements Callable<Integer> {
        @Mixin
        private CommandContext context;

        @Mixin
        private ClusterOptions cluster;

        @Parameters(index = "0", paramLabel = "FROM_GROUP", completionCandidates = GroupNameCandidates.class,
                description = "The group whose committed offsets to copy.")
        private String from;

        @Parameters(index = "1", paramLabel = "TO_GROUP", completionCandidates = GroupNameCandidates.class,
                description = "The group that gets them.")
        private String to;

        @Option(names = "--topic", paramLabel = "TOPIC",
                description = "Only this topic's offsets; repeatable (default: every topic FROM_GROUP has offsets for).")
        private Set<String> topics;

        @Mixin
        private ResetExecution execution;

        @Override
        public Integer call() throws InterruptedException {
            try (GroupAdmin admin = ClusterConnection.groupAdmin(context)) {
                Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
                admin.committedOffsets(from).forEach((tp, o) -> {
                    if (topics == null || topics.contains(tp.topic())) {
                        offsets.put(tp, o);
                    }
                });
                if (offsets.isEmpty()) {
                    throw CliException.failed("group '" + from + "' has no committed offsets"
                            + (topics == null ? "" : " for " + topics) + " to copy", null);
                }
                return execution.run(context, admin, to, null, ResetTarget.FromOffsets.of(offsets));
            }
        }
    }
}
