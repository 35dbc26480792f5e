package io.kgroups.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Prints a bash/zsh completion script generated from the command model, so it never goes stale. */
@Command(name = "completion", header = "Print the shell completion script (bash, zsh).",
        description = {"Completes commands, options and option values."},
        footer = {"", "Examples:", "  In bash, for this shell (add the line to ~/.bashrc to keep it):",
            "    source <(kgroups completion)",
            "  In zsh, bash completion first:",
            "    autoload -U +X bashcompinit && bashcompinit && source <(kgroups completion)"})
final class CompletionCommand implements Callable<Integer> {
    @Mixin
    private CommandContext context;

    @Override
    public Integer call() {
        if (context.global().output() != GlobalOptions.OutputFormat.table) {
            throw CliException.usage("--output does not apply to completion: it prints a shell script");
        }
        context.out().print(AutoComplete.bash("kgroups", context.root()));
        context.out().flush();
        return CliException.OK;
    }
}
