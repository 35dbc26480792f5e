package io.kgroups.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Reset plans, checked against Apache Kafka's kafka-consumer-groups for the same specs; executed
 * resets: planned at the write, backed up, audited, undone exactly, refused when they must be.
 */
@ExtendWith(KafkaExtension.class)
class ResetTest {
    private static final String TOPIC = "reset-orders";
    /**
     * Record i of a partition has timestamp T0 + i seconds; T0 an hour ago, well within the
     * topic's retention (older records would be deleted by the broker's retention check).
     */
    private static final long T0 = Instant.now().minus(Duration.ofHours(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
            .toEpochMilli();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static String bootstrap;
    private static int groups;

    @BeforeAll
    static void topic(EmbeddedKafka kafka) throws Exception {
        bootstrap = kafka.bootstrapServers();
        kafka.createTopic(TOPIC, 3);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props(), new StringSerializer(), new StringSerializer())) {
            for (int p = 0; p < 3; p++) {
                for (int i = 0; i < 100; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, p, T0 + i * 1_000L, "k", "v" + i)).get();
                }
            }
        }
    }

    private static Properties props() {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        return p;
    }

    /** A group committed at 20, 50 and 90 in the three partitions. */
    private static String group(GroupAdmin admin) throws Exception {
        String group = "reset-g" + (++groups);
        admin.admin().alterConsumerGroupOffsets(group, Map.of(
                new TopicPartition(TOPIC, 0), new OffsetAndMetadata(20),
                new TopicPartition(TOPIC, 1), new OffsetAndMetadata(50),
                new TopicPartition(TOPIC, 2), new OffsetAndMetadata(90))).all().get();
        return group;
    }

    static Stream<Arguments> specs() {
        Instant between = Instant.ofEpochMilli(T0 + 30_500); // between records 30 and 31
        return Stream.of(
                Arguments.of("--to-earliest", new ResetTarget.Earliest(), null),
                Arguments.of("--to-latest", new ResetTarget.Latest(), null),
                Arguments.of("--to-current", new ResetTarget.Current(), null),
                Arguments.of("--to-offset 60", new ResetTarget.ToOffset(60), null),
                Arguments.of("--to-offset 500", new ResetTarget.ToOffset(500), null),
                Arguments.of("--shift-by -30", new ResetTarget.ShiftBy(-30), null),
                Arguments.of("--shift-by -1000", new ResetTarget.ShiftBy(-1000), null),
                Arguments.of("--shift-by 1000", new ResetTarget.ShiftBy(1000), null),
                Arguments.of("--to-datetime " + between, new ResetTarget.ToDatetime(between), null),
                Arguments.of("--to-datetime 2030-01-01T00:00:00.000", new ResetTarget.ToDatetime(Instant.parse("2030-01-01T00:00:00Z")), null),
                Arguments.of("--to-earliest (partitions 0 and 2)", new ResetTarget.Earliest(), Set.of(0, 2)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void plansAgreeWithKafkaConsumerGroups(String spec, ResetTarget target, Set<Integer> partitions) throws Exception {
        try (GroupAdmin admin = GroupAdmin.create(props(), Duration.ofSeconds(30))) {
            String group = group(admin);
            ResetPlan plan = admin.planReset(group, Map.of(TOPIC, partitions == null ? Set.of() : partitions), target);

            Map<Integer, Long> ours = new TreeMap<>();
            plan.partitions().forEach(p -> ours.put(p.partition(), p.targetOffset()));
            List<String> args = new ArrayList<>(List.of("--bootstrap-server", bootstrap, "--reset-offsets", "--group", group,
                    "--topic", partitions == null ? TOPIC : TOPIC + ":" + String.join(",", partitions.stream().sorted()
                            .map(String::valueOf).toList()), "--dry-run"));
            args.addAll(List.of(spec.replaceAll(" \\(.*", "").split(" ")));
            assertThat(ours).isEqualTo(kafkaToolPlan(group, args));
            // nothing was changed by planning
            assertThat(admin.describe(List.of(group)).get(0).partitions()).extracting(PartitionDetail::committedOffset)
                    .containsExactly(20L, 50L, 90L);
        }
    }

    @Test
    void thePlanSaysHowManyRecordsAndWhatSpanOfTimeAreReadAgainOrSkipped() throws Exception {
        try (GroupAdmin admin = GroupAdmin.create(props(), Duration.ofSeconds(30))) {
            String group = group(admin);
            ResetPlan plan = admin.planReset(group, Map.of(TOPIC, Set.of()), new ResetTarget.ToOffset(40));

            ResetPlan.Partition p0 = plan.partitions().get(0);
            assertThat(p0.delta()).isEqualTo(20);
            assertThat(p0.words()).isEqualTo("20 records will be skipped");
            assertThat(p0.spanMillis()).isEqualTo(20_000); // records 20..39 were written over 20 s
            ResetPlan.Partition p2 = plan.partitions().get(2);
            assertThat(p2.words()).isEqualTo("50 records will be read again");
            assertThat(p2.spanMillis()).isEqualTo(50_000);
            assertThat(plan.recordsReadAgain()).isEqualTo(60);
            assertThat(plan.recordsSkipped()).isEqualTo(20);
        }
    }

    @Test
    void clampedTargetsAreNamedInWarnings() throws Exception {
        try (GroupAdmin admin = GroupAdmin.create(props(), Duration.ofSeconds(30))) {
            ResetPlan plan = admin.planReset(group(admin), Map.of(TOPIC, Set.of(1)), new ResetTarget.ShiftBy(1000));
            assertThat(plan.partitions().get(0).clamped()).isTrue();
            assertThat(plan.warnings()).containsExactly(TOPIC + "-1: target 1050 is outside [0, 100], using 100");
        }
    }

    @Test
    void executeBacksUpAuditsAndTheBackupUndoesIt(@TempDir Path dir) throws Exception {
        try (GroupAdmin admin = GroupAdmin.create(props(), Duration.ofSeconds(30))) {
            String group = group(admin);
            Path audit = dir.resolve("audit.log");

            ExecutedReset reset = admin.executeReset(group, null, new ResetTarget.Earliest(), dir.resolve("backups"), audit);
            assertThat(offsets(admin, group)).containsExactly(0L, 0L, 0L);
            Path backup = reset.backupFile();
            assertThat(backup.getParent()).isEqualTo(dir.resolve("backups"));
            assertThat(Files.readAllLines(backup)).containsExactly(TOPIC + ",0,20", TOPIC + ",1,50", TOPIC + ",2,90");
            JsonNode line = JSON.readTree(Files.readAllLines(audit).get(0));
            assertThat(line.get("group").asText()).isEqualTo(group);
            assertThat(line.get("backup").asText()).isEqualTo(backup.toString());
            assertThat(line.get("partitions").get(0).toString())
                    .isEqualTo("{\"topic\":\"" + TOPIC + "\",\"partition\":0,\"before\":20,\"after\":0}");

            // undo
            admin.executeReset(group, null, OffsetsFile.read(backup), null, audit);
            assertThat(offsets(admin, group)).containsExactly(20L, 50L, 90L);
            assertThat(Files.readAllLines(audit)).hasSize(2);
            assertThat(JSON.readTree(Files.readAllLines(audit).get(1)).get("backup").isNull()).isTrue();
        }
    }

    @Test
    void theWriteIsPlannedFromTheOffsetsOfThatMomentAndSaysHowFarTheyMovedSinceTheDryRun(@TempDir Path dir)
            throws Exception {
        try (GroupAdmin admin = GroupAdmin.create(props(), Duration.ofSeconds(30))) {
            String group = group(admin);
            ResetPlan dryRun = admin.planReset(group, Map.of(TOPIC, Set.of()), new ResetTarget.ShiftBy(-10));
            // a member's last commit before it leaves
            admin.admin().alterConsumerGroupOffsets(group, Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(60)))
                    .all().get();

            ExecutedReset reset = admin.executeReset(group, Map.of(TOPIC, Set.of()), new ResetTarget.ShiftBy(-10), dir, null);

            assertThat(offsets(admin, group)).containsExactly(50L, 40L, 80L);
            assertThat(reset.plan().partitions().get(0).currentOffset()).isEqualTo(60);
            assertThat(reset.plan().movedSince(dryRun))
                    .containsExactly(TOPIC + "-0: the committed offset moved by +40 (20 to 60) since the dry run");
            assertThat(Files.readAllLines(reset.backupFile())).containsExactly(TOPIC + ",0,60", TOPIC + ",1,50", TOPIC + ",2,90");
        }
    }

    @Test
    void theUndoDeletesOffsetsThatWereNotThereAndRestoresMetadataAndLeaderEpoch(@TempDir Path dir) throws Exception {
        try (GroupAdmin admin = GroupAdmin.create(props(), Duration.ofSeconds(30))) {
            String group = "reset-undo-" + (++groups);
            String metadata = "done:21,23\nowner=a b%";
            OffsetAndMetadata before = new OffsetAndMetadata(20, Optional.of(0), metadata);
            admin.admin().alterConsumerGroupOffsets(group, Map.of(new TopicPartition(TOPIC, 0), before)).all().get();

            ExecutedReset reset = admin.executeReset(group, Map.of(TOPIC, Set.of()), new ResetTarget.ToOffset(40), dir, null);
            assertThat(offsets(admin, group)).containsExactly(40L, 40L, 40L);
            assertThat(Files.readAllLines(reset.backupFile())).containsExactly(TOPIC + ",0,20",
                    "#kgroups leader-epoch " + TOPIC + ",0,0", "#kgroups metadata " + TOPIC + ",0,done%3A21%2C23%0Aowner%3Da%20b%25",
                    "#kgroups none " + TOPIC + ",1", "#kgroups none " + TOPIC + ",2");

            ExecutedReset undo = admin.executeReset(group, null, OffsetsFile.read(reset.backupFile()), dir, null);

            assertThat(undo.plan().partitions()).extracting(ResetPlan.Partition::words)
                    .containsExactly("20 records will be read again", "offset deleted (as before the reset undone)",
                            "offset deleted (as before the reset undone)");
            Map<TopicPartition, OffsetAndMetadata> now = admin.admin().listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            now.values().removeIf(java.util.Objects::isNull);
            assertThat(now).containsExactly(Map.entry(new TopicPartition(TOPIC, 0), before));
        }
    }

    static Stream<String> groupProtocols() {
        return Stream.of("classic", "consumer");
    }

    @ParameterizedTest(name = "{0} protocol")
    @MethodSource("groupProtocols")
    void aMemberJoiningAfterTheCheckChangesNothingAndLeavesNoBackup(String protocol, @TempDir Path dir) throws Exception {
        try (GroupAdmin admin = GroupAdmin.create(props(), Duration.ofSeconds(30))) {
            String group = group(admin);
            List<KafkaConsumer<String, String>> joined = new ArrayList<>();
            admin.beforeWrite(() -> joined.add(GroupMember.joined(bootstrap, TOPIC, group, protocol)));
            try {
                assertThatThrownBy(() -> admin.executeReset(group, null, new ResetTarget.Earliest(), dir.resolve("backups"),
                        dir.resolve("audit.log")))
                        .isInstanceOf(GroupAdminException.class)
                        .hasMessageStartingWith("group '" + group + "' got a member after the check, so Kafka refused the write")
                        .hasMessageContaining("nothing was changed; stop its consumers and run the command again");
                assertThat(offsets(admin, group)).containsExactly(20L, 50L, 90L);
                try (Stream<Path> files = Files.list(dir.resolve("backups"))) {
                    assertThat(files).isEmpty();
                }
                assertThat(dir.resolve("audit.log")).doesNotExist();
            } finally {
                admin.beforeWrite(() -> { });
                joined.forEach(KafkaConsumer::close);
            }
        }
    }

    @Test
    void aBackupThatCannotBeWrittenChangesNothing(@TempDir Path dir) throws Exception {
        try (GroupAdmin admin = GroupAdmin.create(props(), Duration.ofSeconds(30))) {
            String group = group(admin);
            Path notADirectory = Files.writeString(dir.resolve("backups"), "a file where the backup directory should be");

            assertThatThrownBy(() -> admin.executeReset(group, null, new ResetTarget.Earliest(), notADirectory,
                    dir.resolve("audit.log")))
                    .isInstanceOf(GroupAdminException.class)
                    .hasMessageStartingWith("cannot write the backup " + notADirectory)
                    .hasMessageContaining("nothing was changed; choose a writable --backup-dir");
            assertThat(offsets(admin, group)).containsExactly(20L, 50L, 90L);
            assertThat(dir.resolve("audit.log")).doesNotExist();
            assertThat(Files.readString(notADirectory)).isEqualTo("a file where the backup directory should be");
        }
    }

    static Stream<String> awkwardGroupNames() {
        return Stream.of("../../outside", "two\n{\"time\":\"forged\"}", "a b=c,d", "/abs/path", "..");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("awkwardGroupNames")
    void anyGroupNameGetsItsBackupInTheBackupDirectoryAndOneAuditLine(String name, @TempDir Path dir) throws Exception {
        try (GroupAdmin admin = GroupAdmin.create(props(), Duration.ofSeconds(30))) {
            String group = name + (++groups);
            admin.admin().alterConsumerGroupOffsets(group, Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(20)))
                    .all().get();
            Path backups = dir.resolve("backups");

            ExecutedReset reset = admin.executeReset(group, null, new ResetTarget.ToOffset(30), backups, dir.resolve("audit.log"));

            assertThat(reset.backupFile().getParent()).isEqualTo(backups);
            try (Stream<Path> files = Files.list(backups)) {
                assertThat(files).containsExactly(reset.backupFile());
            }
            List<String> audit = Files.readAllLines(dir.resolve("audit.log"));
            assertThat(audit).hasSize(1);
            assertThat(JSON.readTree(audit.get(0)).get("group").asText()).isEqualTo(group);

            admin.executeReset(group, null, OffsetsFile.read(reset.backupFile()), null, null);
            assertThat(admin.admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()
                    .get(new TopicPartition(TOPIC, 0)).offset()).isEqualTo(20);
        }
    }

    @Test
    void aConnectWorkerGroupIsNotResetAndNothingChanges(@TempDir Path dir) throws Exception {
        try (GroupAdmin admin = GroupAdmin.create(props(), Duration.ofSeconds(30));
                ConnectWorkerMember worker = ConnectWorkerMember.join(bootstrap, "reset-connect-cluster")) {
            String refused = "group 'reset-connect-cluster' has protocol type 'connect', not consumer";

            assertThatThrownBy(() -> admin.planReset("reset-connect-cluster", Map.of(TOPIC, Set.of()), new ResetTarget.Earliest()))
                    .isInstanceOf(GroupAdminException.class).hasMessageStartingWith(refused);
            assertThatThrownBy(() -> admin.executeReset("reset-connect-cluster", Map.of(TOPIC, Set.of()),
                    new ResetTarget.Earliest(), dir, dir.resolve("audit.log")))
                    .isInstanceOf(GroupAdminException.class).hasMessageStartingWith(refused)
                    .hasMessageEndingWith("nothing was changed");
            assertThat(admin.admin().listConsumerGroupOffsets("reset-connect-cluster").partitionsToOffsetAndMetadata().get())
                    .isEmpty();
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files).isEmpty();
            }
        }
    }

    private static List<Long> offsets(GroupAdmin admin, String group) {
        return admin.describe(List.of(group)).get(0).partitions().stream().map(PartitionDetail::committedOffset).toList();
    }

    @Test
    void shiftingAPartitionWithoutACommittedOffsetIsRefusedAndNothingChanges() throws Exception {
        try (GroupAdmin admin = GroupAdmin.create(props(), Duration.ofSeconds(30))) {
            String group = "reset-partial-" + (++groups);
            admin.admin().alterConsumerGroupOffsets(group, Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(5)))
                    .all().get();
            assertThatThrownBy(() -> admin.planReset(group, Map.of(TOPIC, Set.of()), new ResetTarget.ShiftBy(1)))
                    .isInstanceOf(GroupAdminException.class)
                    .hasMessageContaining("cannot shift " + TOPIC + "-1: the group has no committed offset there");
        }
    }

    @Test
    void aBadOffsetsFileNamesTheLine(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("offsets.csv"), TOPIC + ",0,5\n" + TOPIC + ",one,7\n");
        assertThatThrownBy(() -> OffsetsFile.read(file))
                .isInstanceOf(GroupAdminException.class)
                .hasMessageContaining("line 2: '" + TOPIC + ",one,7' is not topic,partition,offset");
    }

    /** kafka-consumer-groups --reset-offsets ... --dry-run: partition to NEW-OFFSET. */
    private static Map<Integer, Long> kafkaToolPlan(String group, List<String> args) {
        Map<Integer, Long> plan = new TreeMap<>();
        KafkaTool.consumerGroups(args.toArray(String[]::new)).someRows(group)
                .forEach(row -> plan.put(Integer.parseInt(row.get("PARTITION")), Long.parseLong(row.get("NEW-OFFSET"))));
        return plan;
    }

}
