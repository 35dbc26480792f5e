package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaExtension.class)
class ResetCommandTest {
    private static String bootstrap;
    private static Admin admin;
    private static int groups;

    @BeforeAll
    static void topic(EmbeddedKafka kafka) throws Exception {
        bootstrap = kafka.bootstrapServers();
        kafka.createTopic("cli-reset", 2);
        admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 40; i++) {
                producer.send(new ProducerRecord<>("cli-reset", i % 2, "k", "v")).get();
            }
        }
    }

    private static String group() throws Exception {
        String group = "cli-reset-g" + (++groups);
        admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition("cli-reset", 0), new OffsetAndMetadata(15),
                new TopicPartition("cli-reset", 1), new OffsetAndMetadata(20))).all().get();
        return group;
    }

    /** The group's committed offsets (partitions without one left out). */
    private static Map<TopicPartition, OffsetAndMetadata> committed(String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = new java.util.HashMap<>(
                admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get());
        committed.values().removeIf(java.util.Objects::isNull);
        return committed;
    }

    @Test
    void aDryRunShowsThePlanAndChangesNothing() throws Exception {
        String group = group();

        Cli.Result result = Cli.run("reset", group, "--topic", "cli-reset", "--to-earliest", "--bootstrap-server", bootstrap);

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("15 records will be read again", "20 records will be read again",
                "In total: 35 records will be read again (up to ", " of records), 0 skipped.",
                "Dry run: nothing changed. Add --execute");
        assertThat(committed(group).get(new TopicPartition("cli-reset", 0)).offset()).isEqualTo(15);
    }

    @Test
    void executeWritesABackupThatUndoesIt(@TempDir Path dir) throws Exception {
        String group = group();
        String[] where = {"--bootstrap-server", bootstrap, "--backup-dir", dir.toString(), "--audit-log",
            dir.resolve("audit.log").toString(), "--output", "json"};

        Cli.Result reset = Cli.run(concat(new String[] {"reset", group, "--all-topics", "--shift-by", "-5", "--execute"}, where));

        assertThat(reset.exitCode()).as(reset.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(reset.out()).get("data");
        assertThat(json.get("executed").asBoolean()).isTrue();
        assertThat(json.get("partitions").get(0).get("currentOffset").asLong()).isEqualTo(15);
        assertThat(json.get("partitions").get(0).get("targetOffset").asLong()).isEqualTo(10);
        assertThat(json.get("partitions").get(0).get("delta").asLong()).isEqualTo(-5);
        assertThat(committed(group).get(new TopicPartition("cli-reset", 0)).offset()).isEqualTo(10);
        Path backup = Path.of(json.get("backupFile").asText());
        assertThat(Files.readAllLines(backup)).containsExactly("cli-reset,0,15", "cli-reset,1,20");

        Cli.Result undo = Cli.run(concat(new String[] {"reset", group, "--from-file", backup.toString(), "--execute"}, where));

        assertThat(undo.exitCode()).as(undo.err()).isZero();
        assertThat(committed(group).get(new TopicPartition("cli-reset", 0)).offset()).isEqualTo(15);
        assertThat(committed(group).get(new TopicPartition("cli-reset", 1)).offset()).isEqualTo(20);
        assertThat(Files.readAllLines(dir.resolve("audit.log"))).hasSize(2);
    }

    @Test
    void aConsumerThatCommitsWhileTheCommandWaitsIsResetFromItsLastCommit(@TempDir Path dir) throws Exception {
        String group = "cli-reset-live" + (++groups);
        TopicPartition p0 = new TopicPartition("cli-reset", 0);
        TopicPartition p1 = new TopicPartition("cli-reset", 1);
        CountDownLatch committed = new CountDownLatch(1);
        CountDownLatch goOn = new CountDownLatch(1);
        // One member: commits 5 and 8, stays until told, then commits 15 and 20 and leaves.
        CompletableFuture<Void> member = CompletableFuture.runAsync(() -> {
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
                    "group.id", group, "enable.auto.commit", "false"), new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of("cli-reset"));
                await("the member of " + group + " gets both partitions").atMost(Duration.ofSeconds(60)).pollInSameThread()
                        .until(() -> {
                            consumer.poll(Duration.ofMillis(100));
                            return consumer.assignment();
                        }, assignment -> assignment.size() == 2);
                consumer.commitSync(Map.of(p0, new OffsetAndMetadata(5), p1, new OffsetAndMetadata(8)));
                committed.countDown();
                await("told to go on").atMost(Duration.ofSeconds(60)).pollInSameThread().until(() -> {
                    consumer.poll(Duration.ofMillis(100));
                    return goOn.getCount() == 0;
                });
                consumer.commitSync(Map.of(p0, new OffsetAndMetadata(15), p1, new OffsetAndMetadata(20)));
            }
        });
        assertThat(committed.await(60, TimeUnit.SECONDS)).as("the member committed").isTrue();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CompletableFuture<Integer> reset = CompletableFuture.supplyAsync(() -> Kgroups.execute(new String[] {"reset", group,
            "--all-topics", "--shift-by", "-3", "--execute", "--wait-for-empty", "60s", "--bootstrap-server", bootstrap,
            "--backup-dir", dir.toString(), "--audit-log", dir.resolve("audit.log").toString()},
                new PrintWriter(out, true), new PrintWriter(err, true), Map.of()));

        // the dry run is planned (from 5 and 8) before the command starts to wait
        await("the command waits for the group to empty").atMost(Duration.ofSeconds(60))
                .failFast("the command ended: " + err, reset::isDone)
                .until(err::toString, text -> text.contains("kgroups: group '" + group + "' has 1 member(s): waiting up to 1m"));
        goOn.countDown();
        member.get(60, TimeUnit.SECONDS);
        int exitCode = reset.get(60, TimeUnit.SECONDS);

        assertThat(exitCode).as(err.toString()).isZero();
        assertThat(committed(group)).containsOnly(Map.entry(p0, new OffsetAndMetadata(12)), Map.entry(p1, new OffsetAndMetadata(17)));
        assertThat(out.toString()).contains(
                "Planned again at the write, as offsets moved since the dry run (the plan above is the one written):",
                "  cli-reset-0: the committed offset moved by +10 (5 to 15) since the dry run",
                "  cli-reset-1: the committed offset moved by +12 (8 to 20) since the dry run",
                "In total: 6 records will be read again");
        String backup = out.toString().lines().filter(l -> l.startsWith("Executed. Backup: ")).findFirst().orElseThrow()
                .replaceFirst("Executed. Backup: (\\S+) .*", "$1");
        assertThat(Files.readAllLines(Path.of(backup))).containsExactly("cli-reset,0,15", "cli-reset,1,20");
    }

    @Test
    void theUndoLeavesAPartitionThatHadNoOffsetWithNone(@TempDir Path dir) throws Exception {
        String group = "cli-reset-partial" + (++groups);
        TopicPartition p0 = new TopicPartition("cli-reset", 0);
        TopicPartition p1 = new TopicPartition("cli-reset", 1);
        admin.alterConsumerGroupOffsets(group, Map.of(p0, new OffsetAndMetadata(15))).all().get();
        String[] where = {"--bootstrap-server", bootstrap, "--backup-dir", dir.toString(), "--audit-log",
            dir.resolve("audit.log").toString()};

        Cli.Result reset = Cli.run(concat(new String[] {"reset", group, "--topic", "cli-reset", "--to-offset", "5", "--execute",
            "--output", "json"}, where));
        assertThat(reset.exitCode()).as(reset.err()).isZero();
        assertThat(committed(group)).containsOnlyKeys(p0, p1);
        Path backup = Path.of(new ObjectMapper().readTree(reset.out()).get("data").get("backupFile").asText());
        assertThat(Files.readAllLines(backup)).containsExactly("cli-reset,0,15", "#kgroups none cli-reset,1");

        Cli.Result undo = Cli.run(concat(new String[] {"reset", group, "--from-file", backup.toString(), "--execute"}, where));

        assertThat(undo.exitCode()).as(undo.err()).isZero();
        assertThat(undo.out()).contains("offset deleted (as before the reset undone)");
        assertThat(committed(group)).containsOnly(Map.entry(p0, new OffsetAndMetadata(15)));
    }

    @Test
    void aTimeThatDoesNotParseIsAOneLineUsageErrorAndChangesNothing() throws Exception {
        String group = group();

        Cli.Result result = Cli.run("reset", group, "--all-topics", "--to-datetime", "yesterday", "--execute",
                "--bootstrap-server", bootstrap);

        assertThat(result.exitCode()).isEqualTo(CliException.USAGE);
        assertThat(result.err().lines()).hasSize(1);
        assertThat(result.err()).contains("--to-datetime 'yesterday' is not an ISO-8601 time");
        assertThat(committed(group).get(new TopicPartition("cli-reset", 0)).offset()).isEqualTo(15);
    }

    @Test
    void badValuesAreOneLineUsageErrors() {
        Cli.Result shift = Cli.run("reset", "g", "--all-topics", "--shift-by", "back", "--bootstrap-server", bootstrap);
        assertThat(shift.exitCode()).isEqualTo(CliException.USAGE);
        assertThat(shift.err()).isEqualToIgnoringNewLines("kgroups: --shift-by 'back' is not a whole number");
        Cli.Result offset = Cli.run("reset", "g", "--all-topics", "--to-offset", "-3", "--bootstrap-server", bootstrap);
        assertThat(offset.exitCode()).isEqualTo(CliException.USAGE);
        assertThat(offset.err()).contains("--to-offset must not be negative, was -3");
    }

    /** A typo in the group name would create a group (Kafka creates one on its first commit): refused unless asked for. */
    @Test
    void aGroupThatDoesNotExistIsATypoUnlessCreateGroupIsGiven(@TempDir Path dir) throws Exception {
        String typo = "cli-reset-typo" + (++groups);
        String[] where = {"--bootstrap-server", bootstrap, "--backup-dir", dir.toString(), "--audit-log",
                dir.resolve("audit.log").toString()};

        Cli.Result refused = Cli.run(concat(new String[] {"reset", typo, "--topic", "cli-reset", "--to-earliest", "--execute"},
                where));
        assertThat(refused.exitCode()).as(refused.out()).isEqualTo(CliException.FAILED);
        assertThat(refused.err()).contains("group '" + typo + "' does not exist", "--create-group", "nothing was changed");
        assertThat(committed(typo)).isEmpty();
        assertThat(dir.resolve("audit.log")).doesNotExist();

        Cli.Result created = Cli.run(concat(new String[] {"reset", typo, "--topic", "cli-reset", "--to-earliest", "--execute",
            "--create-group"}, where));
        assertThat(created.exitCode()).as(created.err()).isZero();
        assertThat(committed(typo)).containsOnlyKeys(new TopicPartition("cli-reset", 0), new TopicPartition("cli-reset", 1));
    }

    @Test
    void anUnknownPartitionIsAOneLineFailure() throws Exception {
        Cli.Result result = Cli.run("reset", group(), "--topic", "cli-reset:7", "--to-latest", "--bootstrap-server", bootstrap);

        assertThat(result.exitCode()).isEqualTo(CliException.FAILED);
        assertThat(result.err()).contains("topic cli-reset has partitions 0 to 1, not 7");
    }

    @Test
    void aResetNeedsATargetAndAScope() {
        assertThat(Cli.run("reset", "g", "--all-topics", "--bootstrap-server", bootstrap).exitCode()).isEqualTo(CliException.USAGE);
        Cli.Result noScope = Cli.run("reset", "g", "--to-latest", "--bootstrap-server", bootstrap);
        assertThat(noScope.exitCode()).isEqualTo(CliException.USAGE);
        assertThat(noScope.err()).contains("--topic TOPIC[:P,P...] or --all-topics");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
