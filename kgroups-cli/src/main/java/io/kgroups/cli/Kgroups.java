package io.kgroups.cli;

import io.kgroups.admin.GroupAdminException;
import io.kgroups.demo.LoaderLaunch;
import io.kgroups.demo.RunFailedException;
import io.kgroups.embedded.EmbeddedKafkaException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code kgroups} command. Exit codes: 0 done, 1 the operation failed, 2 bad usage, 3 done in
 * part. Errors are one line on stderr; stack traces only with {@code --verbose}. The help of every
 * command: a one-line header (the summary in the command list), then whole paragraphs, wrapped at
 * spaces to the terminal's width ({@link HelpWrapping}).
 */
@Command(name = "kgroups", scope = ScopeType.INHERIT, mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class, usageHelpAutoWidth = true,
        descriptionHeading = "%n", parameterListHeading = "%nArguments:%n", optionListHeading = "%nOptions:%n",
        commandListHeading = "%nCommands:%n",
        description = {"Kafka consumer groups in production: run them, operate them, watch their lag.", "",
            "The cluster options (--cluster, --bootstrap-server, --command-config, --timeout) go before or after the "
            + "command name, on the commands that talk to a cluster; kgroups cluster --help tells how named clusters "
            + "are kept."},
        subcommands = {GroupsCommand.class, DescribeCommand.class, LagCommand.class, DoctorCommand.class, ResetCommand.class,
            MonitorCommand.class,
            LoadOrdersCommand.class, ProduceOrdersCommand.class, DemoCommand.class,
            ChaosCommand.class,
            OffsetsCommand.class, DeleteCommand.class, DeleteOffsetsCommand.class, BrokerCommand.class,
            ClusterCommand.class, CompletionCommand.class, CompleteGroupsCommand.class, CompleteClustersCommand.class,
            HelpCommand.class},
        footer = {"", "Exit codes: 0 done, 1 the operation failed, 2 bad usage, 3 done in part (what could not be read is named "
            + "on stderr)."})
public final class Kgroups implements Runnable {
    /** How the demo and the chaos run start a storage loader: {@code kgroups load-orders} in a JVM of its own. */
    static final LoaderLaunch LOADER = new LoaderLaunch(Kgroups.class.getName(), List.of("load-orders"));

    @Mixin
    private GlobalOptions global;

    @Mixin
    private ClusterOptions cluster;

    @Spec
    private CommandSpec spec;

    GlobalOptions global() {
        return global;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a command is required");
    }

    public static void main(String[] args) {
        PrintWriter out = new Stdout(System.out);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(execute(args, out, err, System.getenv()));
    }

    /** Runs one command line; returns its exit code. */
    static int execute(String[] args, PrintWriter out, PrintWriter err, Map<String, String> environment) {
        Kgroups root = new Kgroups();
        CommandLine commandLine = commandLine(root);
        root.global.environment(environment);
        commandLine.setOut(out);
        commandLine.setErr(err);
        // Enum values as users type them (--output JSON, --isolation READ_COMMITTED, --protocol Consumer).
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setParameterExceptionHandler(Kgroups::usageError);
        commandLine.setExecutionExceptionHandler((e, command, parseResult) -> failure(e, root, err));
        commandLine.setExecutionStrategy(parseResult -> {
            refuseUnusedClusterOptions(parseResult);
            return new CommandLine.RunLast().execute(parseResult);
        });
        return commandLine.execute(args);
    }

    /**
     * Cluster options before the name of a command that talks to no cluster (broker, demo and chaos
     * run their own Kafka) would be ignored: refused, as they are after its name.
     */
    private static void refuseUnusedClusterOptions(ParseResult parseResult) {
        ParseResult leaf = parseResult;
        while (leaf.hasSubcommand()) {
            leaf = leaf.subcommand();
        }
        CommandSpec command = leaf.commandSpec();
        if (CommandContext.clusterOptions(command) != null) {
            return;
        }
        for (CommandSpec level = command.parent(); level != null; level = level.parent()) {
            ClusterOptions options = CommandContext.clusterOptions(level);
            if (options != null && !options.given().isEmpty()) {
                List<String> given = options.given();
                throw new ParameterException(command.commandLine(), String.join(" and ", given)
                        + (given.size() == 1 ? " does" : " do") + " not apply to '" + command.qualifiedName()
                        + "': only the commands that connect to a cluster take the cluster options");
            }
        }
    }

    /** The command tree of {@code root}, its help wrapped at spaces only. */
    static CommandLine commandLine(Kgroups root) {
        CommandLine commandLine = new CommandLine(root);
        HelpWrapping.install(commandLine);
        return commandLine;
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        String message = e.getMessage();
        if (e instanceof UnmatchedArgumentException unmatched) {
            List<String> suggestions = unmatched.getSuggestions();
            if (!suggestions.isEmpty()) {
                message += "; did you mean " + String.join(" or ", suggestions) + "?";
            }
        }
        err.println("kgroups: " + message + " (see '" + command.getCommandSpec().qualifiedName() + " --help')");
        err.flush();
        return CliException.USAGE;
    }

    private static int failure(Exception e, Kgroups root, PrintWriter err) {
        int code;
        String message;
        if (e instanceof CliException cli) {
            code = cli.exitCode();
            message = cli.getMessage();
        } else if (e instanceof EmbeddedKafkaException || e instanceof GroupAdminException || e instanceof RunFailedException) {
            code = CliException.FAILED;
            message = e.getMessage();
        } else {
            code = CliException.FAILED;
            message = "unexpected error: " + e + (root.global.verbose() ? "" : " (run with --verbose for the stack trace)");
        }
        err.println("kgroups: " + message);
        if (root.global.verbose()) {
            e.printStackTrace(err);
        }
        err.flush();
        return code;
    }
}
