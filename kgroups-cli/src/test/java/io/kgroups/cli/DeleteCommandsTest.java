package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kgroups delete} and {@code delete-offsets}: a dry run unless --execute; refused for a typo,
 * a member in the way, a group that is not a consumer group, changing nothing; backed up, audited,
 * and undone exactly (offsets, leader epochs, metadata, group configs) by the undo they print.
 */
@ExtendWith(KafkaExtension.class)
class DeleteCommandsTest {
    private static final String TOPIC = "cli-delete";
    private static final String OTHER_TOPIC = "cli-delete-other";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);
    private static final TopicPartition OTHER = new TopicPartition(OTHER_TOPIC, 0);
    /** A kgroups done-offsets note, or any text: a newline, a comma and a percent sign must come back as they were. */
    private static final String METADATA = "done:17-19\nsecond line,100%";
    private static final Map<String, String> CONFIGS = Map.of("consumer.session.timeout.ms", "50000",
            "consumer.heartbeat.interval.ms", "6000");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static String bootstrap;
    private static Admin admin;
    private static int groups;

    @TempDir
    Path dir;

    @BeforeAll
    static void topics(EmbeddedKafka kafka) throws Exception {
        bootstrap = kafka.bootstrapServers();
        kafka.createTopic(TOPIC, 2);
        kafka.createTopic(OTHER_TOPIC, 1);
        admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 40; i++) {
                producer.send(new ProducerRecord<>(TOPIC, i % 2, "k", "v")).get();
            }
            producer.send(new ProducerRecord<>(OTHER_TOPIC, 0, "k", "v")).get();
        }
    }

    @AfterAll
    static void close() {
        admin.close();
    }

    /** An Empty group at 15 (leader epoch 3, metadata) and 20 of TOPIC, 1 of OTHER_TOPIC, with two dynamic configs. */
    private static String group() throws Exception {
        String group = "cli-delete-g" + (++groups);
        admin.alterConsumerGroupOffsets(group, Map.of(P0, new OffsetAndMetadata(15, Optional.of(3), METADATA),
                P1, new OffsetAndMetadata(20), OTHER, new OffsetAndMetadata(1))).all().get();
        List<AlterConfigOp> ops = new ArrayList<>();
        CONFIGS.forEach((name, value) -> ops.add(new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET)));
        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, group), ops)).all().get();
        return group;
    }

    private static Map<TopicPartition, OffsetAndMetadata> committed(String group) throws Exception {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>(
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get());
            committed.values().removeIf(java.util.Objects::isNull);
            return committed;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return Map.of();
            }
            throw e;
        }
    }

    /** The group's configs set dynamically. */
    private static Map<String, String> configs(String group) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
        Map<String, String> set = new TreeMap<>();
        admin.describeConfigs(List.of(resource)).all().get().get(resource).entries().forEach(e -> {
            if (e.source() == ConfigEntry.ConfigSource.DYNAMIC_GROUP_CONFIG) {
                set.put(e.name(), e.value());
            }
        });
        return set;
    }

    private static boolean listed(String group) throws Exception {
        return admin.listGroups().all().get().stream().map(GroupListing::groupId).anyMatch(group::equals);
    }

    /** The command with this test's cluster, backup directory and audit log. */
    private Cli.Result run(String... args) {
        String[] where = {"--bootstrap-server", bootstrap, "--backup-dir", dir.resolve("backups").toString(),
            "--audit-log", dir.resolve("audit.log").toString()};
        String[] all = Arrays.copyOf(args, args.length + where.length);
        System.arraycopy(where, 0, all, args.length, where.length);
        return Cli.run(all);
    }

    private List<JsonNode> auditLines() throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("audit.log"))) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    private long backups() throws Exception {
        if (!Files.exists(dir.resolve("backups"))) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir.resolve("backups"))) {
            return files.count();
        }
    }

    /** Runs the undo command an executed delete printed, exactly as printed (after "kgroups"). */
    private Cli.Result undo(String command) {
        assertThat(command).startsWith("kgroups offsets import ").endsWith(" --create-group --execute");
        return run(Arrays.copyOfRange(command.split(" "), 1, command.split(" ").length));
    }

    @Test
    void withoutExecuteADeleteShowsWhatItWouldDeleteAndChangesNothing() throws Exception {
        String group = group();
        Map<TopicPartition, OffsetAndMetadata> before = committed(group);

        Cli.Result text = run("delete", group);

        assertThat(text.exitCode()).as("%s", text).isZero();
        assertThat(text.out()).contains(
                "Would delete group '" + group + "' (Empty) with 3 committed offset(s) and its dynamic configs "
                        + "consumer.heartbeat.interval.ms=6000, consumer.session.timeout.ms=50000.",
                "Dry run: nothing changed; add --execute to delete.");
        // Columns are 2 spaces apart or more; the metadata is shown on one line, shortened.
        assertThat(text.out().lines().map(l -> l.split("\\s{2,}")).filter(cells -> cells.length > 1 && cells[1].equals(TOPIC)).toList())
                .as("the table: committed offset, leader epoch, metadata, lag")
                .satisfiesExactly(
                        p0 -> assertThat(p0).containsExactly(group, TOPIC, "0", "15", "3", "done:17-19\\u000asecond… (27 chars)",
                                "5"),
                        p1 -> assertThat(p1).containsExactly(group, TOPIC, "1", "20", "-", "-", "0"));

        JsonNode json = JSON.readTree(run("delete", group, "--output", "json").out()).get("data").get(0);
        assertThat(json.get("executed").asBoolean()).isFalse();
        assertThat(json.get("backupFile").isNull()).isTrue();
        assertThat(json.get("undo").isNull()).isTrue();
        assertThat(json.get("partitions").get(0).toString()).isEqualTo("{\"topic\":\"" + TOPIC + "\",\"partition\":0,"
                + "\"committedOffset\":15,\"startOffset\":null,\"leaderEpoch\":3,\"metadata\":" + JSON.writeValueAsString(METADATA) + ",\"lag\":5}");
        assertThat(json.get("configs").toString())
                .isEqualTo("{\"consumer.heartbeat.interval.ms\":\"6000\",\"consumer.session.timeout.ms\":\"50000\"}");

        assertThat(committed(group)).isEqualTo(before);
        assertThat(configs(group)).isEqualTo(CONFIGS);
        assertThat(dir.resolve("audit.log")).doesNotExist();
        assertThat(backups()).isZero();
    }

    @Test
    void anExecutedDeleteIsBackedUpAuditedAndUndoneExactly() throws Exception {
        String group = group();
        Map<TopicPartition, OffsetAndMetadata> before = committed(group);

        Cli.Result deleted = run("delete", group, "--execute", "--output", "json");

        assertThat(deleted.exitCode()).as("%s", deleted).isZero();
        JsonNode json = JSON.readTree(deleted.out()).get("data").get(0);
        assertThat(json.get("executed").asBoolean()).isTrue();
        assertThat(committed(group)).isEmpty();
        assertThat(listed(group)).isFalse();
        assertThat(configs(group)).as("Kafka keeps the configs of a deleted group; kgroups deletes them").isEmpty();
        Path backup = Path.of(json.get("backupFile").asText());
        assertThat(Files.readAllLines(backup)).containsExactly(TOPIC + ",0,15", TOPIC + ",1,20", OTHER_TOPIC + ",0,1",
                "#kgroups leader-epoch " + TOPIC + ",0,3",
                "#kgroups metadata " + TOPIC + ",0,done%3A17-19%0Asecond%20line%2C100%25",
                "#kgroups config consumer.heartbeat.interval.ms=6000",
                "#kgroups config consumer.session.timeout.ms=50000");
        JsonNode audit = auditLines().get(0);
        assertThat(audit.get("action").asText()).isEqualTo("delete");
        assertThat(audit.get("group").asText()).isEqualTo(group);
        assertThat(audit.get("backup").asText()).isEqualTo(backup.toString());
        assertThat(audit.get("partitions").toString()).contains("{\"topic\":\"" + TOPIC + "\",\"partition\":0,\"before\":15,"
                + "\"after\":null}");
        assertThat(audit.get("configs").toString()).isEqualTo("[{\"name\":\"consumer.heartbeat.interval.ms\",\"before\":"
                + "\"6000\",\"after\":null},{\"name\":\"consumer.session.timeout.ms\",\"before\":\"50000\",\"after\":null}]");

        Cli.Result undone = undo(json.get("undo").asText());

        assertThat(undone.exitCode()).as("%s", undone).isZero();
        assertThat(undone.out()).contains("Group configs set after the offsets: consumer.heartbeat.interval.ms=6000, "
                + "consumer.session.timeout.ms=50000.");
        assertThat(committed(group)).as("offsets, leader epochs and metadata").isEqualTo(before);
        assertThat(configs(group)).isEqualTo(CONFIGS);
        assertThat(auditLines()).hasSize(2);
        assertThat(auditLines().get(1).get("action").asText()).isEqualTo("reset");
        // The undo's own backup undoes the undo: no offsets and no configs where there were none.
        Path undoBackup = Path.of(auditLines().get(1).get("backup").asText());
        assertThat(Files.readAllLines(undoBackup)).containsExactly("#kgroups none " + TOPIC + ",0",
                "#kgroups none " + TOPIC + ",1", "#kgroups none " + OTHER_TOPIC + ",0",
                "#kgroups config-none consumer.heartbeat.interval.ms", "#kgroups config-none consumer.session.timeout.ms");
    }

    @Test
    void aTypoAmongTheGroupsChangesNothing() throws Exception {
        String group = group();
        String typo = "cli-delete-typo" + (++groups);

        Cli.Result delete = run("delete", group, typo, "--execute");
        Cli.Result deleteOffsets = run("delete-offsets", typo, "--topic", TOPIC, "--execute");
        Cli.Result topicTypo = run("delete-offsets", group, "--topic", TOPIC + "-typo", "--execute");

        assertThat(delete.exitCode()).as("%s", delete).isEqualTo(CliException.FAILED);
        assertThat(delete.err()).contains("group '" + typo + "' does not exist");
        assertThat(delete.out()).isEmpty();
        assertThat(deleteOffsets.exitCode()).as("%s", deleteOffsets).isEqualTo(CliException.FAILED);
        assertThat(deleteOffsets.err()).contains("group '" + typo + "' does not exist");
        assertThat(topicTypo.exitCode()).as("%s", topicTypo).isEqualTo(CliException.FAILED);
        assertThat(topicTypo.err()).contains("group '" + group + "' has no offsets for topic '" + TOPIC + "-typo' "
                + "(it has offsets for " + TOPIC + ", " + OTHER_TOPIC + ")", "nothing was changed");
        assertThat(committed(group)).hasSize(3);
        assertThat(dir.resolve("audit.log")).doesNotExist();
        assertThat(backups()).isZero();
    }

    @Test
    void aMemberInTheWayIsNamedAndNothingChanges() throws Exception {
        String group = "cli-delete-live" + (++groups);
        // Offsets of the topic the member does not consume are committed before it joins.
        admin.alterConsumerGroupOffsets(group, Map.of(OTHER, new OffsetAndMetadata(1))).all().get();
        CountDownLatch joined = new CountDownLatch(1);
        CountDownLatch leave = new CountDownLatch(1);
        CompletableFuture<Void> member = CompletableFuture.runAsync(() -> {
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
                    "group.id", group, "client.id", "live-member", "enable.auto.commit", "false"),
                    new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of(TOPIC));
                await("the member of " + group + " gets both partitions").atMost(Duration.ofSeconds(60)).pollInSameThread()
                        .until(() -> {
                            consumer.poll(Duration.ofMillis(100));
                            return consumer.assignment();
                        }, assignment -> assignment.size() == 2);
                consumer.commitSync(Map.of(P0, new OffsetAndMetadata(4), P1, new OffsetAndMetadata(6)));
                joined.countDown();
                await("told to leave").atMost(Duration.ofSeconds(120)).pollInSameThread().until(() -> {
                    consumer.poll(Duration.ofMillis(100));
                    return leave.getCount() == 0;
                });
            }
        });
        try {
            assertThat(joined.await(60, TimeUnit.SECONDS)).as("the member joined").isTrue();

            Cli.Result dryRun = run("delete", group);
            Cli.Result delete = run("delete", group, "--execute");
            Cli.Result deleteOffsets = run("delete-offsets", group, "--topic", TOPIC, "--execute");

            assertThat(dryRun.exitCode()).as("%s", dryRun).isZero();
            assertThat(dryRun.out()).contains("Refused now: group '" + group + "' has 1 member(s) (live-member@");
            assertThat(delete.exitCode()).as("%s", delete).isEqualTo(CliException.FAILED);
            assertThat(delete.err()).contains("group '" + group + "' has 1 member(s) (live-member@", "state Stable",
                    "stop its consumers first; nothing was changed");
            assertThat(deleteOffsets.exitCode()).as("%s", deleteOffsets).isEqualTo(CliException.FAILED);
            assertThat(deleteOffsets.err()).contains("group '" + group + "' consumes " + TOPIC + " (assigned to 1 member(s) "
                    + "(live-member@", "nothing was changed");
            assertThat(committed(group)).containsOnlyKeys(P0, P1, OTHER);
            assertThat(dir.resolve("audit.log")).doesNotExist();
            assertThat(backups()).isZero();

            // A topic the group does not consume: its offsets go while the member stays.
            Cli.Result other = run("delete-offsets", group, "--topic", OTHER_TOPIC, "--execute");
            assertThat(other.exitCode()).as("%s", other).isZero();
            assertThat(other.out()).contains("Deleted 1 committed offset(s) of " + OTHER_TOPIC + " of group '" + group + "'",
                    "  Backup: " + dir.resolve("backups"), "  Undo:   kgroups offsets import " + dir.resolve("backups"));
            assertThat(committed(group)).containsOnlyKeys(P0, P1);
        } finally {
            leave.countDown();
            member.get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void deleteOffsetsHasADryRunAndAnExactUndo() throws Exception {
        String group = group();
        Map<TopicPartition, OffsetAndMetadata> before = committed(group);

        Cli.Result dryRun = run("delete-offsets", group, "--topic", TOPIC + ":0");
        assertThat(dryRun.exitCode()).as("%s", dryRun).isZero();
        assertThat(dryRun.out()).contains("Would delete 1 committed offset(s) of " + TOPIC + " of group '" + group
                + "' (Empty).", "Dry run: nothing changed; add --execute to delete.");
        assertThat(committed(group)).isEqualTo(before);

        Cli.Result deleted = run("delete-offsets", group, "--topic", TOPIC, "--execute", "--output", "json");

        assertThat(deleted.exitCode()).as("%s", deleted).isZero();
        JsonNode json = JSON.readTree(deleted.out()).get("data");
        assertThat(json.get("action").asText()).isEqualTo("delete-offsets");
        assertThat(json.get("partitions")).hasSize(2);
        assertThat(json.get("configs").size()).as("the group's configs stay").isZero();
        assertThat(committed(group)).containsOnlyKeys(OTHER);
        assertThat(configs(group)).isEqualTo(CONFIGS);
        Path backup = Path.of(json.get("backupFile").asText());
        assertThat(Files.readAllLines(backup)).containsExactly(TOPIC + ",0,15", TOPIC + ",1,20",
                "#kgroups leader-epoch " + TOPIC + ",0,3", "#kgroups metadata " + TOPIC + ",0,done%3A17-19%0Asecond%20line%2C100%25");
        assertThat(auditLines().get(0).get("action").asText()).isEqualTo("delete-offsets");

        Cli.Result undone = undo(json.get("undo").asText());

        assertThat(undone.exitCode()).as("%s", undone).isZero();
        assertThat(committed(group)).isEqualTo(before);
    }

    @Test
    void aBackupThatCannotBeWrittenDeletesNothing() throws Exception {
        String group = group();
        // The tests run as root, for whom no directory is read-only: a file stands where the directory should be.
        Path notADirectory = Files.writeString(dir.resolve("backups"), "a file where the backup directory should be");

        Cli.Result delete = run("delete", group, "--execute");
        Cli.Result deleteOffsets = run("delete-offsets", group, "--all-topics", "--execute");

        for (Cli.Result result : List.of(delete, deleteOffsets)) {
            assertThat(result.exitCode()).as("%s", result).isEqualTo(CliException.USAGE);
            assertThat(result.err()).contains("--backup-dir " + notADirectory + ": not a directory", "nothing was changed");
        }
        assertThat(committed(group)).hasSize(3);
        assertThat(configs(group)).isEqualTo(CONFIGS);
        assertThat(dir.resolve("audit.log")).doesNotExist();
    }

    @Test
    void aShareGroupIsDeletedAsAShareGroup() throws Exception {
        String group = "cli-delete-share" + (++groups);
        try (KafkaShareConsumer<String, String> consumer = new KafkaShareConsumer<>(Map.of("bootstrap.servers", bootstrap,
                "group.id", group), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            await("the share group " + group + " is listed").atMost(Duration.ofSeconds(60)).pollInSameThread().until(() -> {
                consumer.poll(Duration.ofMillis(100));
                return listed(group);
            });
        }

        Cli.Result result = run("delete", group, "--execute");

        assertThat(result.exitCode()).as("%s", result).isZero();
        assertThat(result.out()).contains("Deleted share group '" + group + "' (Empty)");
        assertThat(listed(group)).isFalse();
    }

    /** The audit log names only backups that exist: a copy into a group with no offsets backs up "none" for each. */
    @Test
    void aCopyIntoAGroupWithNoOffsetsAuditsABackupThatExists() throws Exception {
        String from = group();
        String to = "cli-delete-copy" + (++groups);

        Cli.Result copied = run("offsets", "copy", from, to, "--create-group", "--execute");

        assertThat(copied.exitCode()).as("%s", copied).isZero();
        JsonNode audit = auditLines().get(0);
        Path backup = Path.of(audit.get("backup").asText());
        assertThat(backup).isAbsolute();
        assertThat(Files.readAllLines(backup)).containsExactly("#kgroups none " + TOPIC + ",0",
                "#kgroups none " + TOPIC + ",1", "#kgroups none " + OTHER_TOPIC + ",0");
        assertThat(Set.copyOf(committed(to).keySet())).containsOnly(P0, P1, OTHER);
    }
}
