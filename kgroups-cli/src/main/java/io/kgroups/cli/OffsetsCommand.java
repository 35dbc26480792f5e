package io.kgroups.cli;

import io.kgroups.admin.GroupAdmin;
import io.kgroups.admin.OffsetsFile;
import io.kgroups.admin.ResetTarget;
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
@Command(name = "offsets", description = "Export, import and copy committed offsets (CSV topic,partition,offset, as Kafka's tool).",
        subcommands = {OffsetsCommand.Export.class, OffsetsCommand.Import.class, OffsetsCommand.Copy.class})
final class OffsetsCommand implements Runnable {
    @Mixin
    private CommandContext context;

    @Override
    public void run() {
        throw CliException.usage("offsets needs a subcommand: export, import or copy");
    }

    @Command(name = "export", description = "Write a group's committed offsets as CSV (to stdout, or --file).")
    static final class Export implements Callable<Integer> {
        @Mixin
        private CommandContext context;

        @Parameters(paramLabel = "GROUP")
        private String group;

        @Option(names = "--file", paramLabel = "FILE", description = "Write here (Kafka's format, whatever --output says) "
                + "instead of stdout.")
        private Path file;

        @Override
        public Integer call() {
            try (GroupAdmin admin = ClusterConnection.groupAdmin(context)) {
                Map<TopicPartition, Long> offsets = admin.committedOffsets(group);
                if (file != null) {
                    OffsetsFile.write(file, ResetTarget.FromOffsets.of(offsets));
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
    }

    @Command(name = "import", description = "Set a group's offsets from a CSV file: planned, backed up and audited as a reset.")
    static final class Import implements Callable<Integer> {
        @Mixin
        private CommandContext context;

        @Parameters(index = "0", paramLabel = "FILE")
        private Path file;

        @Parameters(index = "1", paramLabel = "GROUP")
        private String group;

        @Mixin
        private ResetExecution execution;

        @Override
        public Integer call() throws InterruptedException {
            ResetTarget target = OffsetsFile.read(file);
            try (GroupAdmin admin = ClusterConnection.groupAdmin(context)) {
                return execution.run(context, admin, group, null, target);
            }
        }
    }

    @Command(name = "copy", description = "Start a group where another one stands: planned, backed up and audited as a reset.")
    static final class Copy implements Callable<Integer> {
        @Mixin
        private CommandContext context;

        @Parameters(index = "0", paramLabel = "FROM_GROUP")
        private String from;

        @Parameters(index = "1", paramLabel = "TO_GROUP")
        private String to;

        @Option(names = "--topic", paramLabel = "TOPIC", description = "Only this topic's offsets; repeatable.")
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
