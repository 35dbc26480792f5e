package io.kgroups.cli;

import io.kgroups.admin.GroupAdmin;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** Deletes groups and their offsets; refused while a group has members. */
@Command(name = "delete", description = "Delete groups (refused while a group has active members).")
final class DeleteCommand implements Callable<Integer> {
    @Mixin
    private CommandContext context;

    @Mixin
    private ClusterOptions cluster;

    @Parameters(paramLabel = "GROUP", arity = "1..*", completionCandidates = GroupNameCandidates.class,
            description = "The groups to delete.")
    private List<String> groups;

    @Override
    public Integer call() {
        try (GroupAdmin admin = ClusterConnection.groupAdmin(context)) {
            admin.deleteGroups(groups);
        }
        context.out().println("Deleted " + String.join(", ", groups) + ".");
        context.out().flush();
        return CliException.OK;
    }
}
