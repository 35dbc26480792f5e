package io.kgroups.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Mixed into every command: the global options, and where its output goes. */
@Command
public final class CommandContext {
    @Spec(Spec.Target.MIXEE)
    private CommandSpec spec;

    public GlobalOptions global() {
        return ((Kgroups) spec.root().userObject()).global();
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
