package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kgroups.demo.LoaderProcess;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import io.kgroups.orders.DeadLetters;
import io.kgroups.orders.LoadVerification;
import io.kgroups.orders.OrderEventGenerator;
import io.kgroups.orders.OrderProducer;
import io.kgroups.orders.OrderStore;
import io.kgroups.orders.ProducedOrders;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kgroups load-orders} with its default H2 database, stopped with Ctrl-C (SIGINT) while a
 * producer adds 2,000 events a second: ten times, each run a new process on the same database and
 * group. Every stop is clean (exit code 0, no failed batch, no error, no stack trace, the dead
 * letters in a few lines) and at the end nothing is lost: every valid order at its latest version,
 * every invalid event in the dead-letter topic, the group committed to the end; and nothing was
 * stored twice, as it would be after a stop that did not commit all it had stored.
 */
@ExtendWith(KafkaExtension.class)
class LoadOrdersStopTest {
    private static final int RUNS = 10;
    private static final int RATE = 2_000;
    /**
     * The producer waits while this many events wait for the group: a machine whose loader stores
     * fewer than 2,000 a second is not buried in a backlog that the last run would take minutes to load.
     */
    private static final long MAX_WAITING = 40_000;
    private static final Duration STOP_LIMIT = Duration.ofSeconds(60);

    @Test
    void ctrlCStoresAndCommitsWhatIsInFlightTenTimesAndNothingIsLost(EmbeddedKafka kafka,
            @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
        String topic = "stop-orders";
        String group = "stop_loader";
        kafka.createTopic(topic, 3);
        kafka.createTopic(topic + ".DLT", 1);
        Map<String, Object> client = Map.of("bootstrap.servers", kafka.bootstrapServers());
        ProducedOrders ledger = new ProducedOrders();
        AtomicBoolean stopProducing = new AtomicBoolean();
        // 2 % invalid: dead letters by the hundred, far more than the log shows one by one.
        OrderEventGenerator events = new OrderEventGenerator("stop", 2_000, 0.02, 14);
        try (OrderProducer producer = new OrderProducer(client, topic, events, ledger); Admin admin = Admin.create(client)) {
            CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> {
                while (!stopProducing.get()) {
                    if (waiting(admin, topic, group) > MAX_WAITING) {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                    } else {
                        producer.run(RATE, RATE, stopProducing::get); // a second's worth
                    }
                }
            });
            try {
                long mostDeadLetters = 0;
                for (int run = 1; run <= RUNS; run++) {
                    long before = committed(admin, group);
                    mostDeadLetters = Math.max(mostDeadLetters, stopCleanly(loader(run, kafka, topic, group, dir),
                            "run " + run + " (under load)", () -> committed(admin, group) > before,
                            () -> waiting(admin, topic, group) > 0));
                }
                assertThat(mostDeadLetters).as("dead letters of the run with most: more than the log shows one by one")
                        .isGreaterThan(10);
                stopProducing.set(true);
                producing.get(1, TimeUnit.MINUTES);
                stopCleanly(loader(RUNS + 1, kafka, topic, group, dir), "the last run (producer stopped)",
                        () -> caughtUp(admin, topic, group), () -> true);
            } finally {
                stopProducing.set(true);
            }
            assertThat(caughtUp(admin, topic, group)).as("the group committed the log end of every partition").isTrue();
        }

        assertThat(ledger.failedSends()).isZero();
        try (OrderStore store = OrderStore.open("jdbc:h2:" + dir.resolve("kgroups-data/orders") + ";AUTO_SERVER=TRUE", null,
                null, 1, true)) {
            LoadVerification check = LoadVerification.check(ledger, store,
                    DeadLetters.read(client, topic + ".DLT", Duration.ofSeconds(30)));
            assertThat(check.invalid()).as("%s", check).isPositive();
            assertThat(check.lostValid()).as("valid events never stored: %s", check).isZero();
            assertThat(check.lostInvalid()).as("invalid events not in the dead-letter topic: %s", check).isZero();
            assertThat(check.ordersBehind()).as("orders behind their latest version: %s", check).isZero();
            assertThat(check.rowsAtLatest()).isEqualTo(ledger.latestVersions().size());
            assertThat(check.duplicates()).as("events stored twice: a stop that did not commit all it had stored; %s", check)
                    .isZero();
        }
    }

    private static LoaderProcess loader(int run, EmbeddedKafka kafka, String topic, String group, Path dir) {
        // No --jdbc-url: the default H2 database, ./kgroups-data/orders under the loader's directory.
        LoaderProcess loader = new LoaderProcess("loader-" + run, Kgroups.LOADER, List.of("--bootstrap-server",
                kafka.bootstrapServers(), "--topic", topic, "--group", group, "--record-deliveries", "--report-every", "1s"),
                dir);
        loader.start();
        return loader;
    }

    /**
     * Waits for {@code ready} (a commit of this run: batches are being stored), checks {@code atStop} (records wait:
     * there is work in flight), sends Ctrl-C and checks the stop; returns the dead letters of the run, by its totals.
     */
    private static long stopCleanly(LoaderProcess loader, String run, Check ready, Check atStop) throws Exception {
        long started = System.nanoTime();
        waitFor(loader, run + ": a commit", Duration.ofMinutes(2), () -> !loader.isAlive() || ready.holds());
        assertThat(loader.isAlive()).as("%s: %s ended before it committed; it printed:%n%s", run, loader.name(),
                output(loader)).isTrue();
        assertThat(atStop.holds()).as("%s: at the stop", run).isTrue();
        String signal = ignoresSigint(loader.pid()) ? "TERM" : "INT";
        assertThat(new ProcessBuilder("kill", "-" + signal, String.valueOf(loader.pid())).start().waitFor()).isZero();
        waitFor(loader, run + ": the end after SIG" + signal, STOP_LIMIT, () -> !loader.isAlive());
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        String output = output(loader);
        assertThat(loader.exitCode()).as("%s: exit code after SIG%s; it printed:%n%s", run, signal, output).isZero();
        assertThat(output).as(run).doesNotContain("Database is already closed", "\tat ", "ERROR", "processing_failed",
                "consumer_failed", "Exception in thread");
        // The last totals come after the stop: the loader got to the end of it.
        String totals = output.lines().reduce((a, b) -> b).orElse("");
        Matcher deadLettered = Pattern.compile("^stored=\\d+ .*dead_lettered=(\\d+) ").matcher(totals);
        assertThat(deadLettered.find()).as("%s: the last line is the totals; it printed:%n%s", run, output).isTrue();
        long lines = output.lines().filter(line -> line.contains("DeadLetterLog")).count();
        assertThat(lines).as("%s: dead-letter lines in %d s (the first 10, then one each 30 s and one at the stop)",
                run, seconds).isLessThanOrEqualTo(10 + seconds / 30 + 1);
        System.out.println(run + ", " + seconds + " s, SIG" + signal + ": " + totals); // the pace of this machine, for the record
        return Long.parseLong(deadLettered.group(1));
    }

    /** Waits for {@code condition}; when it does not come, fails with what the loader printed. */
    private static void waitFor(LoaderProcess loader, String what, Duration limit, Check condition) throws IOException {
        try {
            await().atMost(limit).pollInterval(Duration.ofMillis(100)).until(condition::holds);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(what + " did not come within " + limit.toSeconds() + " s; " + loader.name()
                    + " printed:\n" + output(loader), e);
        }
    }

    /**
     * Java starts a child with the signals its own process ignores ignored: a build started in the
     * background of a non-interactive shell ignores SIGINT, and so would the loader. SIGTERM takes
     * the same way through the loader (GracefulStop); this says when it must stand in.
     */
    static boolean ignoresSigint(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("SigIgn:")) {
                boolean ignored = (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 0x2) != 0;
                if (ignored) {
                    System.err.println("this JVM ignores SIGINT (started in the background): the loader gets SIGTERM");
                }
                return ignored;
            }
        }
        return false;
    }

    private static String output(LoaderProcess loader) throws IOException {
        return new String(Files.readAllBytes(loader.log()), StandardCharsets.UTF_8);
    }

    private static long committed(Admin admin, String group) throws Exception {
        return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().values().stream()
                .mapToLong(OffsetAndMetadata::offset).sum();
    }

    private static boolean caughtUp(Admin admin, String topic, String group) throws Exception {
        return waiting(admin, topic, group) == 0;
    }

    /** Records of the topic's 3 partitions past the group's committed offsets (all of them before it commits). */
    private static long waiting(Admin admin, String topic, String group) {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, OffsetSpec> partitions = Map.of(new TopicPartition(topic, 0), OffsetSpec.latest(),
                    new TopicPartition(topic, 1), OffsetSpec.latest(), new TopicPartition(topic, 2), OffsetSpec.latest());
            long waiting = 0;
            for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end
                    : admin.listOffsets(partitions).all().get().entrySet()) {
                OffsetAndMetadata at = committed.get(end.getKey());
                waiting += end.getValue().offset() - (at == null ? 0 : at.offset());
            }
            return waiting;
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the group's lag: " + e.getCause(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @FunctionalInterface
    private interface Check {
        boolean holds() throws Exception;
    }
}
