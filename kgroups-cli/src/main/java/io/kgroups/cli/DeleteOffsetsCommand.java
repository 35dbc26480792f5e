package io.kgroups.cli;

import io.kgroups.admin.GroupAdmin;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Deletes a group's offsets of one topic; refused while the group consumes it. */
@Command(name = "delete-offsets", header = "Delete a group's committed offsets of a topic.",
        description = "Refused while the group consumes the topic.")
final class DeleteOffsetsCommand implements Callable<Integer> {
    @Mixin
    private CommandContext context;

    @Mixin
    private ClusterOptions cluster;

    @Parameters(paramLabel = "GROUP", completionCandidates = GroupNameCandidates.class,
            description = "The group whose offsets to delete.")
    private String group;

    @Option(names = "--topic", paramLabel = "TOPIC", required = true, description = "The topic whose offsets to delete.")
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
