package io.kgroups.cli;

import io.kgroups.admin.GroupAdmin;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Deletes a group's offsets of one topic; refused while the group consumes it. */
@Command(name = "delete-offsets", description = "Delete a group's committed offsets of a topic (refused while it consumes it).")
final class DeleteOffsetsCommand implements Callable<Integer> {
    @Mixin
    private CommandContext context;

    @Parameters(paramLabel = "GROUP")
    private String group;

    @Option(names = "--topic", paramLabel = "TOPIC", required = true)
    private String topic;

    @Override
    public Integer call() {
        try (GroupAdmin admin = ClusterConnection.groupAdmin(context)) {
            admin.deleteOffsets(group, topic);
        }
        context.out().println("Deleted the offsets of " + group + " for " + topic + ".");
        context.out().flush();
        return CliException.OK;
    }
}
