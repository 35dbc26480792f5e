package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.kgroups.demo.Chaos;
import io.kgroups.demo.ChaosListener;
import io.kgroups.demo.ChaosResult;
import io.kgroups.demo.ChaosSchedule;
import io.kgroups.demo.ChaosSettings;
import io.kgroups.demo.Demo;
import io.kgroups.demo.DemoListener;
import io.kgroups.demo.DemoResult;
import io.kgroups.demo.DemoSettings;
import io.kgroups.demo.GroupProtocol;
import io.kgroups.demo.StopRequest;
import io.kgroups.orders.LoadVerification;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storage loader end to end: {@code kgroups demo} and the short form of {@code kgroups chaos}
 * (loader processes killed with SIGKILL, a broker of three stopped and restarted) from the runnable
 * jar, checked on what they print; the demo (secured: SASL/SCRAM and ACLs, the loaders as a
 * least-privilege principal), and the chaos run on the other group protocol, in this JVM, checked
 * on the records they return. Each must end with nothing lost.
 */
class StorageLoaderIT {
    private static final Pattern RESULT = Pattern.compile("(?m)^RESULT lost=(\\d+) duplicates=(\\d+) max_recovery_s=([\\d.]+)$");

    /**
     * The demo twice, from the jar (what it prints) and in this JVM (what it returns), one after the
     * other: on 2 cores, two demos at once (two brokers, six loader JVMs) would time each other's kills.
     */
    @Nested
    class TheDemo {
        /** What the demo prints, from the jar; what it found is {@link #theDemoKillsALoaderAndNothingIsLost}'s business. */
        @Test
        void theDemoSaysWhatItDoesAndWhatItFound(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
            JarRun.Result demo = run(dir, "demo", "--duration", "20s", "--http", "127.0.0.1:0");
            assertThat(demo.output()).containsSubsequence("Kafka at 127.0.0.1:", "Dashboard: http://127.0.0.1:",
                    "Producing 300 order events a second (2 % invalid) for 20s.", "All 6 partitions are being loaded",
                    "Killing loader-2 (pid ", ") with SIGKILL", "The group is loading every partition again",
                    "Bringing loader-2 back.", "Producer stopped after", "lost = 0: every valid event is in the table");
            assertThat(demo.output()).containsPattern("(?m)^  +\\d+s  produced +[\\d,]+   lag +\\S+   loaders running \\d/3$")
                    .containsPattern("(?m)^lost +\\d+$").containsPattern("(?m)^recoveryAfterKill +\\d+\\.\\d s$");
            assertThat(demo.exitCode()).as(demo.output()).isZero();
        }

        /** The demo in this JVM (the loaders in JVMs of their own), checked on what it returns. */
        @Test
        void theDemoKillsALoaderAndNothingIsLost(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
            List<String> progress = new CopyOnWriteArrayList<>();
            DemoListener listener = new DemoListener() {
                @Override
                public void progress(Duration at, long produced, OptionalLong lag, long running, int loaders) {
                    progress.add(at.toSeconds() + " s: produced " + produced + ", lag " + lag + ", running " + running);
                }

                @Override
                public void killing(String loader, long pid) {
                    progress.add("killing " + loader + " (pid " + pid + ")");
                }
            };
            DemoResult result = assertTimeoutPreemptively(Duration.ofMinutes(5), () -> Demo.run(new DemoSettings(
                    Duration.ofSeconds(20), 300, GroupProtocol.classic, false, dir, Kgroups.LOADER, true), listener, NEVER),
                    () -> "the demo did not end within 5 minutes; it reported:\n" + String.join("\n", progress)
                    + JarRun.brokerLogs(dir));

            assertThat(result.firstLoad()).isNotNull();
            assertThat(result.kill().loader()).isEqualTo("loader-2");
            assertThat(result.kill().recovery()).as("every partition loaded again after the kill").isNotNull();
            assertThat(result.caughtUp()).as("the group committed everything; progress: %s", progress).isTrue();
            LoadVerification check = result.verification();
            assertThat(check.lost()).as("lost: %s; progress: %s", check, progress).isZero();
            assertThat(check.invalid()).as("invalid events, which must be in the DLT").isPositive();
            assertThat(result.passed()).isTrue();
        }
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

    /**
     * The same run in this JVM (the loaders in JVMs of their own), checked on what it returns: on the
     * consumer protocol, and on a share group, whose killed loaders' records go to the others when
     * their session ends.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = GroupProtocol.class, names = {"consumer", "share"})
    void chaosKillsLoadersAndABrokerAndNothingIsLost(GroupProtocol protocol, @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir)
            throws Exception {
        ChaosSettings settings = new ChaosSettings(Duration.ofSeconds(45), protocol, Duration.ofSeconds(8),
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
