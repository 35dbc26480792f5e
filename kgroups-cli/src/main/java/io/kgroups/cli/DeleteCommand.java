package io.kgroups.cli;

import io.kgroups.admin.DeletePlan;
import io.kgroups.admin.ExecutedDelete;
import io.kgroups.admin.GroupAdmin;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Deletes groups, safely: a dry run unless --execute; every group checked before any is deleted
 * (a typo, a member, a group with no offsets of its own refuse the whole command); a backup of
 * each group's offsets and configs before it goes, and an audit line after. Consumer, share and
 * streams groups alike; a streams group's internal topics only when asked for.
 */
@Command(name = "delete", header = "Delete groups, with their offsets and dynamic configs.",
        description = {"A dry run unless --execute. Executing needs each group to exist and have no members, writes a "
            + "backup first and appends to the audit log.",
            "Consumer, share and streams groups (a share group's offsets are its start offsets). Undo it with: kgroups "
            + "offsets import BACKUP GROUP --create-group --execute."})
final class DeleteCommand implements Callable<Integer> {
    @Mixin
    private CommandContext context;

    @Mixin
    private ClusterOptions cluster;

    @Parameters(paramLabel = "GROUP", arity = "1..*", completionCandidates = GroupNameCandidates.class,
            description = "The groups to delete: consumer, share or streams groups that exist and have no members.")
    private List<String> groups;

    @Option(names = "--execute", description = "Delete (without it: a dry run that shows what would be deleted).")
    private boolean execute;

    @Option(names = "--keep-configs", description = "Keep the groups' dynamic configs. Without this option they are "
            + "deleted too, and backed up: Kafka keeps them after a delete, and they would apply to the next group of that "
            + "name.")
    private boolean keepConfigs;

    @Option(names = "--internal-topics", description = "Streams groups: delete the topics Kafka Streams made for the app "
            + "too (its repartition and changelog topics, named in the dry run), after the group, as kafka-streams-groups "
            + "--delete --delete-all-internal-topics does. Their records are gone for good: no backup restores them.")
    private boolean internalTopics;

    @Mixin
    private BackupOptions backups;

    @Override
    public Integer call() {
        try (GroupAdmin admin = ClusterConnection.groupAdmin(context)) {
            // Every group is checked before any is deleted: a typo among them changes nothing.
            List<DeletePlan> plans = new ArrayList<>();
            for (String group : new LinkedHashSet<>(groups)) {
                plans.add(admin.planDelete(group, keepConfigs, internalTopics));
            }
            List<DeleteOutput.Shown> shown = new ArrayList<>();
            if (!execute) {
                plans.forEach(plan -> shown.add(new DeleteOutput.Shown(plan, false, null)));
                return DeleteOutput.print(context, shown, true);
            }
            for (DeletePlan plan : plans) {
                if (plan.refusal() != null) {
                    throw CliException.failed(plan.refusal() + "; nothing was changed", null);
                }
            }
            backups.checkWritable();
            try {
                for (DeletePlan plan : plans) {
                    ExecutedDelete done = admin.executeDelete(plan.group(), keepConfigs, internalTopics, backups.backupDir(),
                            backups.auditLog());
                    shown.add(new DeleteOutput.Shown(done.plan(), true, done.backupFile()));
                }
            } finally {
                if (!shown.isEmpty()) {
                    DeleteOutput.print(context, shown, true); // what was deleted before a failure, with its undo
                }
            }
        }
        return CliException.OK;
    }
}
