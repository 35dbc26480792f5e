package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Bad usage: exit code 2 and one line on stderr naming what was wrong, never a stack trace. And
 * the help: every command's, at the widths of common terminals.
 */
class UsageTest {
    private static final List<String> CLUSTER_OPTIONS = List.of("--cluster", "--bootstrap-server", "--command-config",
            "--timeout");
    /** The commands that talk to no cluster: broker, demo and chaos run their own Kafka. */
    private static final Set<String> NO_CLUSTER = Set.of("broker", "demo", "chaos", "completion", "__complete-clusters",
            "help");

    @ParameterizedTest(name = "kgroups {0}")
    @CsvSource(delimiter = '|', value = {
        "''                                          | a command is required",
        "--no-such-flag                              | Unknown option: '--no-such-flag'",
        "brokr                                       | did you mean broker",
        "broker --no-such-flag                       | Unknown option: '--no-such-flag'",
        "broker --port nope                          | '--port'",
        "broker --brokers 0                          | --brokers must be 1 to 9, was 0",
        "broker --partitions 0                       | --partitions must be at least 1",
        "broker --port 70000                         | --port must be 0 (any free port) to 65535",
        "cluster --timeout soon                      | 'soon' is not a duration",
        "cluster --timeout 0s                        | --timeout must be positive",
        "cluster --output xml                        | --output",
        "cluster --bootstrap-server localhost        | is not a list of HOST:PORT",
        "cluster --command-config /no/such/file      | --command-config /no/such/file: no such file",
        // Cluster options where no cluster is talked to: refused after the name, and before it too.
        "broker --bootstrap-server 127.0.0.1:1       | Unknown options: '--bootstrap-server'",
        "demo --cluster prod                         | Unknown options: '--cluster'",
        "--bootstrap-server 127.0.0.1:1 broker --brokers 0 | --bootstrap-server does not apply to 'kgroups broker'",
        "--timeout 5s --cluster x demo --duration 1s | --cluster and --timeout do not apply to 'kgroups demo'",
        "--command-config x chaos --duration 1s      | --command-config does not apply to 'kgroups chaos'",
        "--cluster x completion                      | --cluster does not apply to 'kgroups completion'",
        "completion --output json                    | completion prints a shell script",
    })
    void badUsageExitsWithTwoAndOneLine(String args, String expected) {
        Cli.Result result = Cli.run(args.isBlank() ? new String[0] : args.trim().split("\\s+"));

        assertThat(result.exitCode()).as(result.err()).isEqualTo(CliException.USAGE);
        assertThat(result.err().lines()).hasSize(1);
        assertThat(result.err()).startsWith("kgroups: ").contains(expected).doesNotContain("Exception", "\tat ");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void badBootstrapFromTheEnvironmentIsNamedAsSuch() {
        Cli.Result result = Cli.run(Map.of(ClusterOptions.BOOTSTRAP_ENV, "nope"), "cluster");

        assertThat(result.exitCode()).isEqualTo(CliException.USAGE);
        assertThat(result.err()).contains("$KGROUPS_BOOTSTRAP_SERVERS 'nope' is not a list of HOST:PORT");
    }

    @Test
    void versionNamesKgroupsAndKafka() {
        Cli.Result result = Cli.run("--version");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("kgroups ").contains("Kafka clients 4.4.0");
    }

    @Test
    void helpListsTheCommandsAndExitCodes() {
        Cli.Result result = Cli.run("help");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("broker", "cluster", "completion", "--bootstrap-server", "--command-config",
                "--cluster", "--output", "--verbose", "Exit codes: 0 done, 1 the operation failed, 2 bad usage, 3 done in part")
                .doesNotContain("__complete-groups");
    }

    @Test
    void clusterCommandsShowTheClusterOptionsAndTheOthersDoNot() {
        Cli.Result groups = Cli.run("groups", "--help");
        Cli.Result broker = Cli.run("broker", "--help");

        assertThat(groups.out()).contains("--state", "--output", "--verbose").contains(CLUSTER_OPTIONS);
        assertThat(broker.out()).contains("--port", "--data-dir", "--output", "--verbose");
        // Its help may name them (what to give another command), but it does not list them: an
        // option's line is the option, its parameter, and its description two spaces on or none.
        CLUSTER_OPTIONS.forEach(option -> assertThat(broker.out().lines().map(String::strip))
                .noneMatch(line -> line.matches("(-\\w, )?" + option + "(=\\S+)?( {2,}.*)?")));
    }

    /** In the model: the commands that talk to a cluster take the cluster options, the others do not. */
    @Test
    void clusterOptionsAreOnTheCommandsThatTalkToACluster() {
        for (CommandLine command : everyCommand()) {
            if (command.getParent() == null) {
                continue; // the root takes them for the command that follows
            }
            Set<String> options = command.getCommandSpec().optionsMap().keySet();
            String name = command.getCommandSpec().qualifiedName();
            if (NO_CLUSTER.contains(command.getCommandName())) {
                assertThat(options).as(name).doesNotContainAnyElementsOf(CLUSTER_OPTIONS);
                assertThat(CommandContext.clusterOptions(command.getCommandSpec())).as(name).isNull();
            } else {
                assertThat(options).as(name).containsAll(CLUSTER_OPTIONS);
            }
        }
    }

    @Test
    void clusterOptionsGoBeforeOrAfterTheCommandAndAfterWins() {
        Cli.Result before = Cli.run("--bootstrap-server", "localhost", "cluster");
        Cli.Result after = Cli.run("cluster", "--bootstrap-server", "localhost");
        Cli.Result both = Cli.run("--bootstrap-server", "before", "cluster", "--bootstrap-server", "after");
        Cli.Result middle = Cli.run("offsets", "--bootstrap-server", "middle", "export", "g");

        assertThat(before.err()).contains("--bootstrap-server 'localhost' is not a list of HOST:PORT");
        assertThat(after.err()).contains("--bootstrap-server 'localhost' is not a list of HOST:PORT");
        assertThat(both.err()).contains("'after'");
        assertThat(middle.err()).contains("'middle'");
    }

    @ParameterizedTest(name = "width {0}")
    @ValueSource(ints = {80, 100, 120})
    void helpOfEveryCommandFitsTheTerminalAndBreaksNoWord(int width) {
        List<String> problems = new ArrayList<>();
        for (CommandLine command : everyCommand()) {
            String name = command.getCommandSpec().qualifiedName();
            String wrapped = help(command, width);
            // The same help on one long line per paragraph: the words as written.
            Set<String> words = new HashSet<>(Arrays.asList(help(command, 10_000).split("\\s+")));
            List<String> lines = wrapped.lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).length() > width) {
                    problems.add(name + ": longer than " + width + ": " + lines.get(i));
                }
                if (i + 1 < lines.size() && !lines.get(i).isBlank() && !lines.get(i + 1).isBlank()) {
                    String end = last(lines.get(i));
                    String start = lines.get(i + 1).trim().split("\\s+")[0];
                    // A word cut in two by the wrap; a hyphenated word may end a line at its hyphen.
                    if (words.stream().anyMatch(w -> w.startsWith(end + start)) && !end.matches("\\p{L}+-")) {
                        problems.add(name + ": '" + end + start + "' cut at the end of: " + lines.get(i));
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everyCommandHasASummaryThatFitsTheCommandList() {
        List<String> problems = new ArrayList<>();
        for (CommandLine command : everyCommand()) {
            String help = help(command, 80);
            for (CommandLine sub : command.getSubcommands().values()) {
                CommandSpec spec = sub.getCommandSpec();
                if (spec.usageMessage().hidden()) {
                    continue;
                }
                String[] header = spec.usageMessage().header();
                String summary = header.length > 0 ? header[0] : spec.usageMessage().description()[0];
                if (!Pattern.compile("(?m)^  " + Pattern.quote(sub.getCommandName()) + " +" + Pattern.quote(summary) + "$")
                        .matcher(help).find()) {
                    problems.add(spec.qualifiedName() + ": '" + summary + "' is not one line of the list");
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    /** One string per paragraph: an element of a description that stops mid-sentence was a hand-made line break. */
    @Test
    void everyCommandOptionAndArgumentIsDescribedInWholeSentences() {
        List<String> problems = new ArrayList<>();
        for (CommandLine command : everyCommand()) {
            CommandSpec spec = command.getCommandSpec();
            List<String> texts = new ArrayList<>(Arrays.asList(spec.usageMessage().header()));
            texts.addAll(Arrays.asList(spec.usageMessage().description()));
            if (texts.stream().allMatch(String::isBlank)) {
                problems.add(spec.qualifiedName() + " has no description");
            }
            List<ArgSpec> args = new ArrayList<>(spec.options());
            args.addAll(spec.positionalParameters());
            for (ArgSpec arg : args) {
                String label = spec.qualifiedName() + " " + (arg.isOption() ? ((CommandLine.Model.OptionSpec) arg).longestName()
                        : arg.paramLabel());
                if (String.join("", arg.description()).isBlank()) {
                    problems.add(label + " has no description");
                }
                texts.addAll(Arrays.asList(arg.description()));
            }
            for (String text : texts) {
                if (!text.isBlank() && !text.strip().replaceAll("%n$", "").matches("(?s).*[.:?!)]")) {
                    problems.add(spec.qualifiedName() + ": stops mid-sentence: " + text);
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void theCommonTasksHaveExamples() {
        assertThat(Cli.run("describe", "--help").out()).contains("Examples:", "Consumer stuck?",
                "kgroups describe storage_loader", "kgroups lag storage_loader --watch 5s");
        assertThat(Cli.run("lag", "--help").out()).contains("Examples:", "kgroups lag storage_loader --watch 5s");
        assertThat(Cli.run("reset", "--help").out()).contains("Examples:", "Replay from a time",
                "--by-duration 2h", "--by-duration 2h --execute", "--to-datetime 2026-11-24T14:00:00Z",
                "Skip a poison pill", "--topic orders:3 --shift-by 1 --execute", "Undo a reset",
                "--from-file BACKUP --execute");
        assertThat(Cli.run("offsets", "export", "--help").out()).contains("Examples:",
                "kgroups offsets export storage_loader --file", "kgroups offsets import before-deploy.csv storage_loader");
        assertThat(Cli.run("cluster", "--help").out()).contains("Examples:", "cluster.prod.bootstrap=", "default=prod",
                "kgroups cluster --cluster local");
    }

    /** Examples are lines to copy: none is long enough to be wrapped on an 80-column terminal. */
    @Test
    void examplesAreNeverWrapped() {
        for (CommandLine command : everyCommand()) {
            List<String> footer = Arrays.asList(command.getCommandSpec().usageMessage().footer());
            int examples = footer.indexOf("Examples:");
            for (String line : examples < 0 ? List.<String>of() : footer.subList(examples + 1, footer.size())) {
                assertThat(line.length()).as(command.getCommandSpec().qualifiedName() + ": " + line).isLessThanOrEqualTo(80);
            }
        }
    }

    @Test
    void loadOrdersSaysWhichUserTheDefaultDatabaseHas() {
        assertThat(Cli.run("load-orders", "--help").out().replaceAll("\\s+", " ")).doesNotContain("sa)")
                .contains("default: none, the empty user name, which is what the default H2 database is created with");
    }

    @Test
    void completionScriptCompletesCommandsOptionsAndGroups() {
        Cli.Result result = Cli.run("completion");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("complete -F", "kgroups", "broker", "--data-dir", "--cluster",
                "_kgroups_complete_groups").doesNotContain(GroupNameCandidates.PLACEHOLDER);
        assertThat(result.out().lines().filter(l -> l.contains("local commands="))).allMatch(l -> !l.contains("__complete"));
    }

    @Test
    void aMissingCommandConfigSaysNoSuchFile(@TempDir Path dir) {
        Path missing = dir.resolve("client.properties");

        Cli.Result result = Cli.run("cluster", "--command-config", missing.toString());

        assertThat(result.exitCode()).isEqualTo(CliException.USAGE);
        assertThat(result.err()).contains("--command-config " + missing + ": no such file");
    }

    @Test
    void anUnreadableCommandConfigSaysPermissionDenied(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("client.properties"), "security.protocol=SSL\n");
        Files.setPosixFilePermissions(config, Set.of());
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.isReadable(config), "root reads any file");

        Cli.Result result = Cli.run("cluster", "--command-config", config.toString());

        assertThat(result.exitCode()).isEqualTo(CliException.USAGE);
        assertThat(result.err()).contains("--command-config " + config + ": permission denied").doesNotContain("Exception");
    }

    @Test
    void aDirectoryAsCommandConfigIsBadUsage(@TempDir Path dir) throws Exception {
        Path notAFile = Files.createDirectory(dir.resolve("config"));

        Cli.Result result = Cli.run("cluster", "--command-config", notAFile.toString());

        assertThat(result.exitCode()).isEqualTo(CliException.USAGE);
        assertThat(result.err()).contains("--command-config " + notAFile + ": is a directory");
    }

    private static List<CommandLine> everyCommand() {
        List<CommandLine> all = new ArrayList<>();
        Deque<CommandLine> todo = new ArrayDeque<>(List.of(Kgroups.commandLine(new Kgroups())));
        while (!todo.isEmpty()) {
            CommandLine command = todo.pop();
            all.add(command);
            todo.addAll(command.getSubcommands().values().stream().distinct().collect(Collectors.toList()));
        }
        return all;
    }

    private static String help(CommandLine command, int width) {
        command.getCommandSpec().usageMessage().autoWidth(false).width(width);
        return command.getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    private static String last(String line) {
        String[] words = line.trim().split("\\s+");
        return words[words.length - 1];
    }
}
