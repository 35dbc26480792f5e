package io.kgroups.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Prints a bash/zsh completion script generated from the command model, so it never goes stale. */
@Command(name = "completion",
        description = {"Print a shell completion script for bash or zsh.",
            "Use it with: source <(kgroups completion)   (zsh: autoload -U +X bashcompinit && bashcompinit first)"})
final class CompletionCommand implements Callable<Integer> {
    @Mixin
    private CommandContext context;

    @Override
    public Integer call() {
        context.textOnly("a shell script");
        context.out().print(AutoComplete.bash("kgroups", context.root()));
        context.out().flush();
        return CliException.OK;
    }
}
