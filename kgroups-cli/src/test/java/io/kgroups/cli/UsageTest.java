package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad usage: exit code 2 and one line on stderr naming what was wrong, never a stack trace. */
class UsageTest {

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
        "cluster --command-config /no/such/file      | --command-config /no/such/file does not exist",
    })
    void badUsageExitsWithTwoAndOneLine(String args, String expected) {
        Cli.Result result = Cli.run(args.isBlank() ? new String[0] : args.trim().split("\\s+"));

        assertThat(result.exitCode()).isEqualTo(CliException.USAGE);
        assertThat(result.err().lines()).hasSize(1);
        assertThat(result.err()).startsWith("kgroups: ").contains(expected).doesNotContain("Exception", "\tat ");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void badBootstrapFromTheEnvironmentIsNamedAsSuch() {
        Cli.Result result = Cli.run(java.util.Map.of(GlobalOptions.BOOTSTRAP_ENV, "nope"), "cluster");

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
                "--output", "--verbose", "Exit codes: 0 done, 1 the operation failed, 2 bad usage.");
    }

    @Test
    void subcommandHelpShowsTheGlobalOptionsToo() {
        Cli.Result result = Cli.run("broker", "--help");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("--port", "--brokers", "--data-dir", "--partitions", "--bootstrap-server");
    }

    @Test
    void completionScriptCompletesCommandsAndOptions() {
        Cli.Result result = Cli.run("completion");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("complete -F", "kgroups", "broker", "--data-dir");
    }

    @Test
    void unreadableCommandConfigIsBadUsage(@TempDir Path dir) throws Exception {
        Path notAFile = Files.createDirectory(dir.resolve("config"));

        Cli.Result result = Cli.run("cluster", "--command-config", notAFile.toString());

        assertThat(result.exitCode()).isEqualTo(CliException.USAGE);
        assertThat(result.err()).contains("--command-config " + notAFile + " cannot be read");
    }
}
