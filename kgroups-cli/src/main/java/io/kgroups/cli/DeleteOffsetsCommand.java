package io.kgroups.cli;

import io.kgroups.admin.DeletePlan;
import io.kgroups.admin.ExecutedDelete;
import io.kgroups.admin.GroupAdmin;
import io.kgroups.admin.ResetSpec;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Deletes some of a group's committed offsets, safely: a dry run unless --execute; backed up and audited. */
@Command(name = "delete-offsets", header = "Delete a group's offsets of some topics.",
        description = {"A dry run unless --execute. Refused while the group consumes one of the topics. Executing writes "
            + "a backup first and appends to the audit log. A share group's offsets (its start offsets) are deleted by "
            + "whole topics, as Kafka does.",
            "Undo it with: kgroups offsets import BACKUP GROUP --create-group --execute."})
final class DeleteOffsetsCommand implements Callable<Integer> {
    @Mixin
    private CommandContext context;

    @Mixin
    private ClusterOptions cluster;

    @Parameters(index = "0", paramLabel = "GROUP", completionCandidates = GroupNameCandidates.class, description = "The group whose offsets are deleted.")
    private String group;

    static final class Scope {
        @Option(names = "--topic", paramLabel = "TOPIC[:P,P...]", required = true,
                description = "A topic whose offsets are deleted, or some of its partitions; repeatable.")
        List<String> topics;

        @Option(names = "--all-topics", required = true,
                description = "Every topic the group has offsets for (the group is left with none).")
        boolean all;
    }

    @ArgGroup(multiplicity = "1")
    private Scope scope;

    @Option(names = "--execute", description = "Delete (without it: a dry run that shows what would be deleted).")
    private boolean execute;

    @Mixin
    private BackupOptions backups;

    @Override
    public Integer call() {
        Map<String, Set<Integer>> topics;
        try {
            topics = scope.all ? null : ResetSpec.topics(scope.topics);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
        try (GroupAdmin admin = ClusterConnection.groupAdmin(context)) {
            DeleteOutput.Shown shown;
            if (execute) {
                backups.checkWritable();
                ExecutedDelete done = admin.executeDeleteOffsets(group, topics, backups.backupDir(), backups.auditLog());
                shown = new DeleteOutput.Shown(done.plan(), true, done.backupFile());
            } else {
                DeletePlan plan = admin.planDeleteOffsets(group, topics);
                shown = new DeleteOutput.Shown(plan, false, null);
            }
            return DeleteOutput.print(context, List.of(shown), false);
        }
    }
}
