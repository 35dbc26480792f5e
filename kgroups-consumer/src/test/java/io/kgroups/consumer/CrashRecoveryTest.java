package io.kgroups.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kgroups.consumer.internal.DoneOffsetsCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A loader killed with SIGKILL mid-run, then restarted: every record processed at least once. */
class CrashRecoveryTest extends SharedKafkaTest {
    private static final int RECORDS = 3_000;
    private static final int PARTITIONS = 3;

    @ParameterizedTest(name = "group.protocol={0}")
    @ValueSource(strings = {"classic", "consumer"})
    void killedWithoutCommitThenRestartedLosesNothing(String protocol, @TempDir Path dir) throws Exception {
        String topic = fixture.topic(PARTITIONS);
        String group = Fixture.unique("g");
        fixture.produce(topic, PARTITIONS, "v", 0, RECORDS);
        Path firstRun = dir.resolve("first-run.txt");
        Files.createFile(firstRun);
        fixture.shortSessionTimeout(group);

        Process loader = startLoader(topic, group, firstRun, protocol);
        try {
            awaitWhileRunning(Duration.ofSeconds(60), firstRun, () -> Files.readAllLines(firstRun).size() >= RECORDS / 3);
            awaitWhileRunning(Duration.ofSeconds(30), firstRun, () -> !fixture.committed(group).isEmpty());
        } finally {
            loader.destroyForcibly(); // SIGKILL: no final commit, no leave
            assertThat(loader.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        List<String> beforeKill = Files.readAllLines(firstRun);
        Map<org.apache.kafka.common.TopicPartition, OffsetAndMetadata> committedAtKill = fixture.committed(group);
        assertThat(beforeKill.size()).isLessThan(RECORDS);

        // A new member of the same group picks up from the committed offsets.
        Set<String> secondRun = ConcurrentHashMap.newKeySet();
        try (GroupConsumer<String, String> restarted = fixture.builder(group, protocol, topic)
                .handler(record -> secondRun.add(record.partition() + ":" + record.offset()))
                .build().start()) {
            await().atMost(Duration.ofSeconds(90)).until(() -> fixture.committed(group).values().stream()
                    .mapToLong(OffsetAndMetadata::offset).sum() == RECORDS);
        }

        Set<String> all = new HashSet<>(beforeKill);
        all.addAll(secondRun);
        Set<String> expected = IntStream.range(0, RECORDS).mapToObj(i -> (i % PARTITIONS) + ":" + (i / PARTITIONS))
                .collect(Collectors.toSet());
        assertThat(all).as("every record processed at least once").containsAll(expected);
        // Only what the killed loader had done but not yet committed is handled again.
        long replayed = beforeKill.stream().filter(secondRun::contains).count();
        long uncommittedAtKill = beforeKill.size() - committedAtKill.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
        assertThat(replayed).isLessThanOrEqualTo(uncommittedAtKill);
    }

    @ParameterizedTest(name = "group.protocol={0}")
    @ValueSource(strings = {"classic", "consumer"})
    void killedWithManyOutOfOrderCompletionsThenRestartedRepeatsNoneRecordedAsDone(String protocol, @TempDir Path dir)
            throws Exception {
        String topic = fixture.topic(PARTITIONS);
        String group = Fixture.unique("g");
        fixture.produce(topic, PARTITIONS, "v", 0, RECORDS);
        Path firstRun = dir.resolve("first-run.txt");
        Files.createFile(firstRun);
        fixture.shortSessionTimeout(group);

        Process loader = startLoader(topic, group, firstRun, protocol, "KEY");
        try {
            // Killed while committed offsets carry done offsets above them in their metadata.
            awaitWhileRunning(Duration.ofSeconds(60), firstRun, () -> Files.readAllLines(firstRun).size() >= RECORDS / 3
                    && doneInMetadata(group).size() > 20);
        } finally {
            loader.destroyForcibly();
            assertThat(loader.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        Set<String> recordedDone = doneInMetadata(group);
        List<String> beforeKill = Files.readAllLines(firstRun);
        assertThat(beforeKill).containsAll(recordedDone);

        Set<String> secondRun = ConcurrentHashMap.newKeySet();
        long alreadyDone;
        try (GroupConsumer<String, String> restarted = fixture.builder(group, protocol, topic)
                .ordering(Ordering.KEY)
                .concurrency(32)
                .handler(record -> secondRun.add(record.partition() + ":" + record.offset()))
                .build().start()) {
            await().atMost(Duration.ofSeconds(90)).until(() -> fixture.committed(group).values().stream()
                    .mapToLong(OffsetAndMetadata::offset).sum() == RECORDS);
            alreadyDone = restarted.stats().alreadyDone();
        }
        Set<String> all = new HashSet<>(beforeKill);
        all.addAll(secondRun);
        assertThat(all).hasSize(RECORDS);
        assertThat(secondRun).as("records recorded as done are not handled again").doesNotContainAnyElementsOf(recordedDone);
        assertThat(alreadyDone).isGreaterThanOrEqualTo(recordedDone.size());
    }

    /** Awaits {@code condition} while the loader writing {@code out} runs; on timeout, fails with its log. */
    private static void awaitWhileRunning(Duration max, Path out, Callable<Boolean> condition) throws IOException {
        try {
            await().atMost(max).until(condition);
        } catch (ConditionTimeoutException e) {
            Path log = loaderLog(out);
            throw new AssertionError(e.getMessage() + "; records handled: " + Files.readAllLines(out).size()
                    + "; the loader's output (" + log + "):\n" + (Files.exists(log) ? Files.readString(log) : "(none)"), e);
        }
    }

    private static Path loaderLog(Path out) {
        return out.resolveSibling(out.getFileName() + ".log");
    }

    /** "partition:offset" of every record the group's commit metadata records as done. */
    private Set<String> doneInMetadata(String group) throws Exception {
        Set<String> done = new HashSet<>();
        for (var entry : fixture.committed(group).entrySet()) {
            for (long offset : DoneOffsetsCodec.decode(entry.getValue().metadata(), entry.getValue().offset(),
                    entry.getValue().leaderEpoch()).offsets()) {
                done.add(entry.getKey().partition() + ":" + offset);
            }
        }
        return done;
    }

    private Process startLoader(String topic, String group, Path out, String protocol) throws Exception {
        return startLoader(topic, group, out, protocol, "PARTITION");
    }

    private Process startLoader(String topic, String group, Path out, String protocol, String ordering) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), CrashingLoader.class.getName(),
                fixture.kafka.bootstrapServers(), topic, group, out.toString(), protocol, ordering)
                .redirectErrorStream(true)
                .redirectOutput(loaderLog(out).toFile())
                .start();
    }
}
