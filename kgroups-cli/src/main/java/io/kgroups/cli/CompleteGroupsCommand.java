package io.kgroups.cli;

import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.GroupListing;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * For the completion script: the group names of the cluster, one a line. The script passes the
 * cluster options typed so far and a short --timeout: a slow cluster completes nothing.
 */
@Command(name = "__complete-groups", hidden = true, header = "Print the cluster's group names, for shell completion.",
        description = "One name a line, sorted; a name with a line break in it is left out, as no shell could complete it.")
final class CompleteGroupsCommand implements Callable<Integer> {
    @Mixin
    private CommandContext context;

    @Mixin
    private ClusterOptions cluster;

    @Override
    public Integer call() {
        try (ClusterConnection connection = ClusterConnection.open(context)) {
            TreeSet<String> names = new TreeSet<>();
            for (GroupListing group : connection.await(connection.admin().listGroups().all(), "list the groups")) {
                if (!group.groupId().contains("\n") && !group.groupId().contains("\r")) {
                    names.add(group.groupId());
                }
            }
            names.forEach(context.out()::println);
            context.out().flush();
        }
        return CliException.OK;
    }
}
