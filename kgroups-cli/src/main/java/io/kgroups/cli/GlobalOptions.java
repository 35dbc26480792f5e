package io.kgroups.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import java.util.Map;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * Options every command takes, before or after its name: how it prints, and how much it says.
 * Where the cluster is belongs to {@link ClusterOptions}, on the commands that talk to one.
 */
public final class GlobalOptions {
    /** How results are printed. */
    public enum OutputFormat { table, json, csv }

    @Option(names = "--output", paramLabel = "table|json|csv", scope = ScopeType.INHERIT,
            description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}). The table is for people, "
                    + "JSON and CSV for scripts.")
    private OutputFormat output = OutputFormat.table;

    private boolean verbose;

    private Map<String, String> environment = System.getenv();

    // The default value makes picocli call this on every run, so a run in-process is quiet after a verbose one.
    @Option(names = "--verbose", scope = ScopeType.INHERIT, defaultValue = "false",
            description = "Log what happens, and print the stack trace of an error.")
    void setVerbose(boolean verbose) {
        this.verbose = verbose;
        ConsoleLogFilter.verbose(verbose);
        if (verbose && LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.INFO);
            context.getLogger("org.apache.kafka").setLevel(Level.WARN);
        }
    }

    /** The environment variables (the process's, or a test's). */
    Map<String, String> environment() {
        return environment;
    }

    /** For tests: the environment variables to read instead of the process's. */
    void environment(Map<String, String> environment) {
        this.environment = environment;
    }

    public boolean verbose() {
        return verbose;
    }

    public OutputFormat output() {
        return output;
    }
}
