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

    /**
     * The clusters named by more than one {@code --cluster}, by name in the order given (a monitor
     * of several); empty when at most one is named: then {@link #cluster()} says which.
     */
    public java.util.Map<String, ClusterOptions.Settings> clusters() {
        List<ClusterOptions> levels = new ArrayList<>();
        for (CommandSpec level = spec; level != null; level = level.parent()) {
            ClusterOptions options = clusterOptions(level);
            if (options != null) {
                levels.add(options);
            }
        }
        return ClusterOptions.named(levels).size() < 2 ? java.util.Map.of()
                : ClusterOptions.resolveEach(levels, global().environment());
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

    /** The command's answer, in the format the user chose; named in JSON as the command is typed ("offsets export"). */
    Output output() {
        String name = spec.qualifiedName(" ");
        return new Output(this, name.substring(name.indexOf(' ') + 1));
    }

    /**
     * For commands that print progress as they go (demo, chaos, load-orders, completion):
     * {@code --output json} or {@code csv} is refused, so that no script takes text for data.
     */
    void textOnly(String prints) {
        if (global().output() != GlobalOptions.OutputFormat.table) {
            String name = spec.qualifiedName(" ");
            throw CliException.usage(name.substring(name.indexOf(' ') + 1) + " prints " + prints + ", not JSON or CSV: drop "
                    + "--output " + global().output());
        }
    }

    /** A duration as the CLI writes it: 5s, 500ms. */
    static String seconds(java.time.Duration d) {
        return ClusterConnection.format(d);
    }

    /** A table for people, whatever --output says (part of a command's text output). */
    void printText(Table table) {
        new TablePrinter(out()).printText(table);
    }
}
