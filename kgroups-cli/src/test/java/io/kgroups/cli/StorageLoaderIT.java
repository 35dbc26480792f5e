package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.kgroups.demo.Chaos;
import io.kgroups.demo.ChaosListener;
import io.kgroups.demo.ChaosResult;
import io.kgroups.demo.ChaosSchedule;
import io.kgroups.demo.ChaosSettings;
import io.kgroups.demo.GroupProtocol;
import io.kgroups.demo.StopRequest;
import io.kgroups.orders.LoadVerification;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storage loader end to end: {@code kgroups demo} and the short form of {@code kgroups chaos}
 * (loader processes killed with SIGKILL, a broker of three stopped and restarted) from the runnable
 * jar, and the chaos run on the other group protocol in this JVM, checked on the records it
 * returns. Each must end with nothing lost.
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

    @Test
    void chaosFromTheJarSaysWhatItDidAndThatNothingWasLost(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir)
            throws Exception {
        JarRun.Result chaos = run(dir, "chaos", "--duration", "45s", "--kill-every", "8s", "--restart-after", "2s",
                "--protocol", "classic");
        Matcher result = RESULT.matcher(chaos.output());
        assertThat(result.find()).as(chaos.output()).isTrue();
        assertThat(Long.parseLong(result.group(1))).as(chaos.output()).isZero();
        assertThat(chaos.output()).contains("stopping broker", "starting broker", "--seed").containsPattern("kills [1-9]")
                .containsPattern("(?m)^invalidNotDeadLettered\\s+0$").containsPattern("(?m)^deadLettered\\s+[1-9]\\d*$");
        assertThat(chaos.exitCode()).as(chaos.output()).isZero();
    }

    /** The same run in this JVM (the loaders in JVMs of their own), checked on what it returns. */
    @Test
    void chaosOnTheConsumerProtocolKillsLoadersAndABrokerAndNothingIsLost(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir)
            throws Exception {
        ChaosSettings settings = new ChaosSettings(Duration.ofSeconds(45), GroupProtocol.consumer, Duration.ofSeconds(8),
                Duration.ofSeconds(2), 400, 0.01, 13, dir, Kgroups.LOADER);
        List<String> progress = new CopyOnWriteArrayList<>();
        ChaosResult result = assertTimeoutPreemptively(Duration.ofMinutes(5), () -> Chaos.run(settings, new ChaosListener() {
            @Override
            public void loaderEndedByItself(String loader, Integer exitCode, String lastLines) {
                progress.add(loader + " ended by itself (exit " + exitCode + "):\n" + lastLines);
            }

            @Override
            public void progress(Duration at, long produced, int kills, long running, int loaders) {
                progress.add(at.toSeconds() + " s: produced " + produced + ", kills " + kills + ", running " + running);
            }
        }, NEVER), () -> "the chaos run did not end within 5 minutes; it reported:\n" + String.join("\n", progress)
                + JarRun.brokerLogs(dir));

        ChaosSchedule schedule = ChaosSchedule.plan(13, settings.duration(), settings.killEvery(), Chaos.LOADERS, Chaos.BROKERS);
        assertThat(result.kills()).as("the seed's kill schedule").extracting(ChaosResult.Kill::loader)
                .containsExactlyElementsOf(schedule.kills().stream().map(k -> "loader-" + (k.loader() + 1)).toList());
        assertThat(result.kills()).as("every kill recovered").allSatisfy(k -> assertThat(k.recovery()).isNotNull());
        assertThat(result.brokerStops()).extracting(ChaosResult.BrokerStop::broker).containsExactly(schedule.broker());
        assertThat(result.caughtUp()).isTrue();
        LoadVerification check = result.verification();
        assertThat(check.lost()).as("lost: %s; progress: %s", check, progress).isZero();
        assertThat(check.invalid()).isPositive();
        assertThat(check.deadLettered()).isGreaterThanOrEqualTo(check.invalid());
        assertThat(check.lostInvalid()).isZero();
        assertThat(check.ordersBehind()).isZero();
    }

    private static final StopRequest NEVER = new StopRequest() {
        @Override
        public boolean isRequested() {
            return false;
        }

        @Override
        public boolean await(Duration timeout) throws InterruptedException {
            Thread.sleep(timeout.toMillis()); // the run's own pace between two looks at the schedule
            return false;
        }
    };

    private static JarRun.Result run(Path dir, String... args) throws Exception {
        return JarRun.run(dir, Duration.ofMinutes(5), args);
    }
}
