package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The storage loader end to end, from the runnable jar: {@code kgroups demo} and the short form of
 * {@code kgroups chaos} (loader processes killed with SIGKILL, a broker of three stopped and
 * restarted) on both group protocols. Each must end with nothing lost and exit code 0.
 */
class StorageLoaderIT {
    private static final Pattern RESULT = Pattern.compile("(?m)^RESULT lost=(\\d+) duplicates=(\\d+) max_recovery_s=([\\d.]+)$");

    @Test
    void theDemoLosesNothingAndSaysSo(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
        JarRun.Result demo = run(dir, "demo", "--duration", "20s", "--http", "127.0.0.1:0");
        assertThat(demo.output()).contains("Dashboard: http://127.0.0.1:", "Killing loader-2", "with SIGKILL",
                "is loading every partition again");
        assertThat(demo.output()).containsPattern("(?m)^lost\\s+0$").containsPattern("(?m)^validNeverStored\\s+0$")
                .containsPattern("(?m)^ordersBehindLatest\\s+0$").containsPattern("(?m)^invalid\\s+[1-9]\\d*$");
        assertThat(demo.exitCode()).as(demo.output()).isZero();
    }

    @ParameterizedTest(name = "group.protocol={0}")
    @ValueSource(strings = {"classic", "consumer"})
    void chaosKillsLoadersAndABrokerAndNothingIsLost(String protocol, @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
        JarRun.Result chaos = run(dir, "chaos", "--duration", "45s", "--kill-every", "8s", "--restart-after", "2s",
                "--protocol", protocol);
        Matcher result = RESULT.matcher(chaos.output());
        assertThat(result.find()).as(chaos.output()).isTrue();
        assertThat(Long.parseLong(result.group(1))).as(chaos.output()).isZero();
        assertThat(chaos.output()).contains("stopping broker", "starting broker").containsPattern("kills [1-9]")
                .containsPattern("(?m)^invalidNotDeadLettered\\s+0$").containsPattern("(?m)^deadLettered\\s+[1-9]\\d*$");
        assertThat(chaos.exitCode()).as(chaos.output()).isZero();
    }

    private static JarRun.Result run(Path dir, String... args) throws Exception {
        return JarRun.run(dir, Duration.ofMinutes(5), args);
    }
}
