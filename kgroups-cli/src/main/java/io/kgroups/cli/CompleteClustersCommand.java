package io.kgroups.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** For the completion script: the names of the clusters of the config file, one a line. */
@Command(name = "__complete-clusters", hidden = true, header = "Print the named clusters, for shell completion.",
        description = "One name a line, sorted, from ~/.kgroups/config or $" + ClusterProfiles.CONFIG_ENV + ".")
final class CompleteClustersCommand implements Callable<Integer> {
    @Mixin
    private CommandContext context;

    @Override
    public Integer call() {
        ClusterProfiles.load(context.global().environment()).names().forEach(context.out()::println);
        context.out().flush();
        return CliException.OK;
    }
}
