package io.kgroups.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Mixed into every command: the global options, the cluster, and where its output goes. */
@Command
public final class CommandContext {
    @Spec(Spec.Target.MIXEE)
    private CommandSpec spec;

    public GlobalOptions global() {
        return ((Kgroups) spec.root().userObject()).global();
    }

    /**
     * The cluster this command talks to: its {@link ClusterOptions} (given after its name, else
     * after a parent's, else before them), the environment and the config file.
     */
    public ClusterOptions.Settings cluster() {
        if (clusterOptions(spec) == null) {
            throw new IllegalStateException(spec.qualifiedName() + " has no @Mixin ClusterOptions");
        }
        List<ClusterOptions> levels = new ArrayList<>();
        for (CommandSpec level = spec; level != null; level = level.parent()) {
            ClusterOptions options = clusterOptions(level);
            if (options != null) {
                levels.add(options);
            }
        }
        return ClusterOptions.resolve(levels, global().environment());
    }

    /** The cluster options mixed into a command, or null for a command that talks to no cluster. */
    static ClusterOptions clusterOptions(CommandSpec command) {
        return command.mixins().values().stream().map(CommandSpec::userObject).filter(ClusterOptions.class::isInstance)
                .map(ClusterOptions.class::cast).findFirst().orElse(null);
    }

    public PrintWriter out() {
        return spec.commandLine().getOut();
    }

    public PrintWriter err() {
        return spec.commandLine().getErr();
    }

    public CommandLine root() {
        return spec.root().commandLine();
    }

    /** Prints any object as JSON (for results richer than a table). */
    public void printJson(Object value) {
        TablePrinter.printJson(out(), value);
    }

    /** A duration as the CLI writes it: 5s, 500ms. */
    static String seconds(java.time.Duration d) {
        return ClusterConnection.format(d);
    }

    public void print(Table table) {
        new TablePrinter(out(), global().output()).print(table);
    }
}
