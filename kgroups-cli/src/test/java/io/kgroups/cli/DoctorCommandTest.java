package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kgroups doctor} on the embedded broker, against the conditions the guide's
 * troubleshooting names, each made for real: a healthy group (exit 0), one falling behind (the
 * members-needed figure by the arithmetic of its own rates), a rebalancing storm (a consumer
 * exceeding max.poll.interval.ms), a partition stuck on a record (the record shown, its secret
 * masked, and the reset that skips it).
 */
@ExtendWith(KafkaExtension.class)
class DoctorCommandTest {
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();

    @AfterEach
    void stopThreads() throws InterruptedException {
        stop.set(true);
        for (Thread t : threads) {
            t.interrupt();
            t.join(30_000);
        }
    }

    private void background(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    private static KafkaConsumer<String, String> consumer(EmbeddedKafka kafka, String group, String clientId,
            Map<String, Object> more) {
        Map<String, Object> props = new java.util.HashMap<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
                "group.id", group, "client.id", clientId, "enable.auto.commit", "false", "auto.offset.reset", "earliest",
                "group.protocol", "consumer"));
        props.putAll(more);
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }

    private KafkaProducer<String, String> producer(EmbeddedKafka kafka) {
        return new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(), "linger.ms", "0"),
                new StringSerializer(), new StringSerializer());
    }

    /** A member that polls and commits what it read, until the test ends. */
    private void keepingUp(EmbeddedKafka kafka, String topic, String group) {
        background("keeping-up", () -> {
            try (KafkaConsumer<String, String> c = consumer(kafka, group, "keeping-up", Map.of())) {
                c.subscribe(List.of(topic));
                while (!stop.get()) {
                    if (!c.poll(Duration.ofMillis(100)).isEmpty()) {
                        c.commitSync();
                    }
                }
            } catch (org.apache.kafka.common.errors.InterruptException e) {
                // the test ended
            }
        });
    }

    private static void awaitMembers(EmbeddedKafka kafka, String group, int members) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            // The group is not there until its member has joined: describing it fails until then.
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> admin.describeConsumerGroups(List.of(group)).all().get()
                    .get(group).members().stream().filter(m -> !m.assignment().topicPartitions().isEmpty()).count() == members);
        }
    }

    @Test
    void aHealthyGroupExitsZero(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("doc-healthy", 2);
        try (KafkaProducer<String, String> p = producer(kafka)) {
            for (int i = 0; i < 20; i++) {
                p.send(new ProducerRecord<>("doc-healthy", "k" + i, "v")).get();
            }
        }
        keepingUp(kafka, "doc-healthy", "doc_healthy");
        awaitMembers(kafka, "doc_healthy", 1);

        Cli.Result result = Cli.run("doctor", "doc_healthy", "--watch", "3s", "--interval", "1s", "--bootstrap-server",
                kafka.bootstrapServers(), "--output", "json");

        JsonNode data = JsonContract.answer(result, "doctor", CliException.OK);
        assertThat(data.get("healthy").asBoolean()).isTrue();
        assertThat(data.get("members").asInt()).isEqualTo(1);
        assertThat(data.get("looks").asInt()).isGreaterThanOrEqualTo(3);
        for (JsonNode f : data.get("findings")) {
            assertThat(f.get("severity").asText()).as("only advice in %s", data).isEqualTo("INFO");
        }
        Cli.Result text = Cli.run("doctor", "doc_healthy", "--watch", "0s", "--bootstrap-server", kafka.bootstrapServers());
        assertThat(text.exitCode()).as(text.err()).isZero();
        assertThat(text.out()).contains("doc_healthy: consumer group, Stable, 1 member(s), 2 partition(s)", "Nothing wrong found");
    }

    /** A producer at about 200 records a second, and one member that consumes about 50 (5 a poll, a tenth of a second each). */
    private void fallingBehind(EmbeddedKafka kafka, String topic, String group) throws Exception {
        kafka.createTopic(topic, 1);
        AtomicLong produced = new AtomicLong();
        background("producer-200-per-s", () -> {
            try (KafkaProducer<String, String> p = producer(kafka)) {
                while (!stop.get()) {
                    for (int i = 0; i < 20; i++) {
                        p.send(new ProducerRecord<>(topic, "k", "v"));
                    }
                    produced.addAndGet(20);
                    Thread.sleep(100);
                }
            } catch (InterruptedException | org.apache.kafka.common.errors.InterruptException e) {
                // the test ended
            }
        });
        background("slow-member", () -> {
            try (KafkaConsumer<String, String> c = consumer(kafka, group, "slow-member", Map.of("max.poll.records", 5))) {
                c.subscribe(List.of(topic));
                while (!stop.get()) {
                    if (!c.poll(Duration.ofMillis(100)).isEmpty()) {
                        Thread.sleep(100);
                        c.commitSync();
                    }
                }
            } catch (InterruptedException | org.apache.kafka.common.errors.InterruptException e) {
                // the test ended
            }
        });
        awaitMembers(kafka, group, 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> produced.get() > 200);
    }

    @Test
    void aGroupFallingBehindGetsTheMembersItNeedsByTheArithmetic(EmbeddedKafka kafka) throws Exception {
        fallingBehind(kafka, "doc-behind", "doc_behind");

        Cli.Result result = Cli.run("doctor", "doc_behind", "--watch", "8s", "--interval", "1s", "--no-peek",
                "--bootstrap-server", kafka.bootstrapServers(), "--output", "json");

        JsonNode data = JsonContract.answer(result, "doctor", CliException.FAILED);
        assertThat(data.get("from").asText()).isEqualTo("watch");
        assertFallingBehindByTheArithmetic(data);
    }

    @Test
    void aRunningMonitorsHistoryStandsForTheWatch(EmbeddedKafka kafka) throws Exception {
        fallingBehind(kafka, "doc-behind-seen", "doc_behind_seen");
        java.util.Properties props = new java.util.Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        TopicPartition tp = new TopicPartition("doc-behind-seen", 0);
        try (io.kgroups.admin.GroupAdmin admin = io.kgroups.admin.GroupAdmin.create(props, Duration.ofSeconds(30));
             io.kgroups.monitor.LagMonitor monitor = io.kgroups.monitor.LagMonitor.builder(admin)
                     .interval(Duration.ofMillis(500)).groups(java.util.Set.of("doc_behind_seen")).build();
             io.kgroups.monitor.MonitorServer server = io.kgroups.monitor.MonitorServer.start(monitor.start(), "127.0.0.1", 0)) {
            // A history of several commits: the monitor's window is what the doctor reads instead of watching.
            await().atMost(Duration.ofSeconds(60)).until(() -> monitor.window("doc_behind_seen", tp).size() >= 8);
            String url = "http://127.0.0.1:" + server.port();

            Cli.Result result = Cli.run("doctor", "doc_behind_seen", "--monitor", url, "--output", "json");

            JsonNode data = JsonContract.answer(result, "doctor", CliException.FAILED);
            assertThat(data.get("from").asText()).isEqualTo("monitor");
            assertThat(data.get("watchedSeconds").asDouble()).as("the window's span").isGreaterThanOrEqualTo(2.0);
            assertFallingBehindByTheArithmetic(data);

            Cli.Result missing = Cli.run("doctor", "no_such_group", "--monitor", url);
            assertThat(missing.exitCode()).isEqualTo(CliException.FAILED);
            assertThat(missing.err()).startsWith("kgroups: the monitor at " + url + "/: ").contains("no_such_group");
            Cli.Result both = Cli.run("doctor", "doc_behind_seen", "--monitor", url, "--watch", "5s");
            assertThat(both.exitCode()).isEqualTo(CliException.USAGE);
            assertThat(both.err()).contains("drop --watch and --interval");
        }
        Cli.Result gone = Cli.run("doctor", "doc_behind_seen", "--monitor", "http://127.0.0.1:1");
        assertThat(gone.exitCode()).isEqualTo(CliException.FAILED);
        assertThat(gone.err().strip()).startsWith("kgroups: cannot reach the monitor at http://127.0.0.1:1/")
                .endsWith("is `kgroups monitor` running there?");
        assertThat(gone.err().lines()).hasSize(1);
    }

    /** The falling-behind finding, its members needed the arithmetic of the rates beside it. */
    private static void assertFallingBehindByTheArithmetic(JsonNode data) {
        assertThat(data.get("healthy").asBoolean()).isFalse();
        JsonNode behind = finding(data, "falling-behind");
        JsonNode figures = behind.get("figures");
        double consumed = figures.get("consumedPerSecond").asDouble();
        double producedPerSecond = figures.get("producedPerSecond").asDouble();
        double perMember = figures.get("perMemberPerSecond").asDouble();
        assertThat(figures.get("members").asInt()).isEqualTo(1);
        assertThat(consumed).as("one member's rate, %s", figures).isGreaterThan(0).isLessThan(producedPerSecond);
        assertThat(perMember).isEqualTo(consumed);
        // The figure is the arithmetic of the figures beside it (to the rounding of those to 2 decimals).
        double ratio = producedPerSecond / perMember;
        int needed = figures.get("membersNeeded").asInt();
        assertThat(needed).as("ceil(%s / %s)", producedPerSecond, perMember).isBetween((int) Math.ceil(ratio - 0.01),
                (int) Math.ceil(ratio + 0.01));
        assertThat(needed).as("200/s produced, ~50/s consumed").isGreaterThan(1);
        // One partition: more members cannot help.
        assertThat(behind.get("title").asText()).contains("more than the 1 partitions allow");
        assertThat(behind.get("advice").get(0).asText()).startsWith("add partitions rather than consumers");
    }

    @Test
    void aMemberExceedingMaxPollIntervalIsAStormWithThatCause(EmbeddedKafka kafka) throws Exception {
        String topic = "doc-storm";
        kafka.createTopic(topic, 2);
        background("slow-loader", () -> {
            try (KafkaConsumer<String, String> c = consumer(kafka, "doc_storm", "slow-loader", Map.of("group.protocol", "classic",
                    "max.poll.interval.ms", "1000"))) {
                c.subscribe(List.of(topic));
                while (!stop.get()) {
                    c.poll(Duration.ofMillis(200));
                    Thread.sleep(2500); // the slow handler: longer than max.poll.interval.ms
                }
            } catch (InterruptedException | org.apache.kafka.common.errors.InterruptException e) {
                // the test ended
            }
        });
        awaitMembers(kafka, "doc_storm", 1);

        Cli.Result result = Cli.run("doctor", "doc_storm", "--watch", "20s", "--interval", "500ms",
                "--bootstrap-server", kafka.bootstrapServers(), "--output", "json");

        JsonNode data = JsonContract.answer(result, "doctor", CliException.FAILED);
        JsonNode storm = finding(data, "rebalancing-storm");
        assertThat(storm.get("severity").asText()).isEqualTo("WARNING");
        assertThat(storm.get("figures").get("changes").asInt()).isGreaterThanOrEqualTo(3);
        String evidence = storm.get("evidence").toString();
        assertThat(evidence).contains("slow-loader@", "the same members leave and come back", "max.poll.interval.ms");
        assertThat(storm.get("advice").toString()).contains("max.poll.records", "group.instance.id");
    }

    @Test
    void aPartitionStuckOnARecordShowsTheRecordWithItsSecretMasked(EmbeddedKafka kafka) throws Exception {
        String topic = "doc-stuck";
        kafka.createTopic(topic, 1);
        try (KafkaProducer<String, String> p = producer(kafka)) {
            for (int i = 0; i < 10; i++) {
                String value = i == 3 ? "{\"order\":7,\"password\":\"hunter2\",\"amount\":12.5}" : "{\"order\":" + i + "}";
                ProducerRecord<String, String> r = new ProducerRecord<>(topic, "order-" + i, value);
                if (i == 3) {
                    r.headers().add(new RecordHeader("api-key", "k-123456".getBytes(StandardCharsets.UTF_8)));
                    r.headers().add(new RecordHeader("source", "web".getBytes(StandardCharsets.UTF_8)));
                }
                p.send(r).get();
            }
        }
        // The member reads records 0-2, commits 3 and hangs on record 3: it stays in the group (polling, paused), no progress.
        CountDownLatch stuck = new CountDownLatch(1);
        background("stuck-member", () -> {
            try (KafkaConsumer<String, String> c = consumer(kafka, "doc_stuck", "stuck-member", Map.of())) {
                c.subscribe(List.of(topic));
                TopicPartition tp = new TopicPartition(topic, 0);
                while (!stop.get() && stuck.getCount() > 0) {
                    ConsumerRecords<String, String> records = c.poll(Duration.ofMillis(100));
                    if (!records.isEmpty()) {
                        c.commitSync(Map.of(tp, new OffsetAndMetadata(3)));
                        c.pause(c.assignment());
                        stuck.countDown();
                    }
                }
                while (!stop.get()) {
                    c.poll(Duration.ofMillis(100));
                }
            } catch (org.apache.kafka.common.errors.InterruptException e) {
                // the test ended
            }
        });
        assertThat(stuck.await(60, TimeUnit.SECONDS)).as("the member read its first records").isTrue();

        Cli.Result result = Cli.run("doctor", "doc_stuck", "--watch", "3s", "--interval", "1s", "--bootstrap-server",
                kafka.bootstrapServers(), "--output", "json");

        JsonNode data = JsonContract.answer(result, "doctor", CliException.FAILED);
        JsonNode f = finding(data, "stuck");
        assertThat(f.get("severity").asText()).isEqualTo("CRITICAL");
        assertThat(f.get("partitions").get(0).asText()).isEqualTo("doc-stuck-0");
        assertThat(f.get("figures").get("offset").asLong()).isEqualTo(3);
        String evidence = f.get("evidence").toString();
        assertThat(evidence).contains("held by stuck-member@", "record at offset 3", "key \\\"order-3\\\"",
                "api-key=***", "source=\\\"web\\\"", "\\\"password\\\":\\\"***\\\"", "\\\"amount\\\":12.5");
        assertThat(result.out()).doesNotContain("hunter2").doesNotContain("k-123456");
        assertThat(f.get("advice").toString()).contains("kgroups reset doc_stuck --topic doc-stuck:0 --shift-by 1");

        Cli.Result noPeek = Cli.run("doctor", "doc_stuck", "--watch", "2s", "--interval", "1s", "--no-peek",
                "--bootstrap-server", kafka.bootstrapServers());
        assertThat(noPeek.exitCode()).as(noPeek.err()).isEqualTo(CliException.FAILED);
        assertThat(noPeek.out()).contains("CRITICAL  doc-stuck-0 is stuck at offset 3", "do: ").doesNotContain("record at offset");
    }

    @Test
    void ctrlCEndsTheWatchAndPrintsTheFindingsOfWhatWasSeen(EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
        kafka.createTopic("doc-ctrl-c", 1);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.alterConsumerGroupOffsets("doc_ctrl_c", Map.of(new TopicPartition("doc-ctrl-c", 0),
                    new OffsetAndMetadata(0))).all().get();
        }
        Path out = dir.resolve("doctor.out");
        Path err = dir.resolve("doctor.err");
        Process doctor = new ProcessBuilder(JarRun.java(), "-cp", System.getProperty("java.class.path"),
                Kgroups.class.getName(), "doctor", "doc_ctrl_c", "--watch", "10m", "--interval", "500ms",
                "--bootstrap-server", kafka.bootstrapServers()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            await("the watch begins").atMost(Duration.ofSeconds(60)).failFast(() -> !doctor.isAlive())
                    .until(() -> Files.readString(err).contains("kgroups: watching doc_ctrl_c for 10m"));
            String signal = LoadOrdersStopTest.ignoresSigint(doctor.pid()) ? "TERM" : "INT";
            assertThat(new ProcessBuilder("kill", "-" + signal, String.valueOf(doctor.pid())).start().waitFor()).isZero();
            assertThat(doctor.waitFor(30, TimeUnit.SECONDS)).as("ended after SIG%s; stderr: %s", signal, Files.readString(err))
                    .isTrue();
            String printed = Files.readString(out);
            assertThat(doctor.exitValue()).as("exit code after SIG%s: the findings'; it printed:%n%s%s", signal, printed,
                    Files.readString(err)).isZero();
            assertThat(printed).contains("doc_ctrl_c: classic group, Empty, 0 member(s), 1 partition(s), lag 0; watched",
                    "INFO      a classic group", "Nothing wrong found (advice above).");
        } finally {
            doctor.destroyForcibly();
        }
    }

    @Test
    void badInputIsOneLineAndAnExitCode(EmbeddedKafka kafka) {
        Cli.Result missing = Cli.run("doctor", "no_such_group", "--watch", "0s", "--bootstrap-server", kafka.bootstrapServers());
        assertThat(missing.exitCode()).isEqualTo(CliException.FAILED);
        assertThat(missing.err().strip()).isEqualTo("kgroups: group 'no_such_group' does not exist: list the groups with "
                + "`kgroups groups`");
        Cli.Result csv = Cli.run("doctor", "g", "--output", "csv", "--bootstrap-server", kafka.bootstrapServers());
        assertThat(csv.exitCode()).isEqualTo(CliException.USAGE);
        assertThat(csv.err()).contains("use --output json");
        assertThat(csv.out()).isEmpty();
    }

    private static JsonNode finding(JsonNode data, String kind) {
        for (JsonNode f : data.get("findings")) {
            if (f.get("kind").asText().equals(kind)) {
                return f;
            }
        }
        throw new AssertionError("no " + kind + " finding in " + data);
    }
}
