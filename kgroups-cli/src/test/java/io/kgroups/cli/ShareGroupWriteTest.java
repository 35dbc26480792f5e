package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write path on a share group, end to end on the embedded broker: a reset refused while a
 * member reads (nothing changes), applied once the group is empty, undone from its backup; an
 * export, a delete of its offsets and of the group, each undone; and what does not apply to a
 * share group (--shift-by) refused in one line.
 */
@ExtendWith(KafkaExtension.class)
class ShareGroupWriteTest {
    private static final String TOPIC = "cli-share-w";
    private static final String GROUP = "cli_share_writer";
    private static final int PER_PARTITION = 10;

    @TempDir
    Path dir;

    private String bootstrap;
    /** The start offsets once every record is acknowledged: the share coordinator may keep them where they were. */
    private Map<Integer, Long> before;

    @Test
    void resetDeleteAndTheirUndoOnAShareGroup(EmbeddedKafka kafka) throws Exception {
        bootstrap = kafka.bootstrapServers();
        kafka.createTopic(TOPIC, 2);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                new StringSerializer(), new StringSerializer());
             Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            for (int i = 0; i < 2 * PER_PARTITION; i++) {
                producer.send(new ProducerRecord<>(TOPIC, i % 2, "k", "v" + i));
            }
            producer.flush();
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, GROUP), List.of(
                    new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET))))
                    .all().get();
        }
        try (KafkaShareConsumer<String, String> member = new KafkaShareConsumer<>(Map.of("bootstrap.servers", bootstrap,
                "group.id", GROUP, "client.id", "share-writer-1", "share.acknowledgement.mode", "explicit"),
                new StringDeserializer(), new StringDeserializer())) {
            member.subscribe(List.of(TOPIC));
            List<Long> accepted = new ArrayList<>();
            await("the member accepts all " + 2 * PER_PARTITION + " records").atMost(Duration.ofSeconds(60))
                    .pollInSameThread().until(() -> {
                        for (ConsumerRecord<String, String> r : member.poll(Duration.ofMillis(200))) {
                            member.acknowledge(r, AcknowledgeType.ACCEPT);
                            accepted.add(r.offset());
                        }
                        member.commitSync();
                        return accepted.size() >= 2 * PER_PARTITION;
                    });
            AtomicReference<String> seen = new AtomicReference<>();
            await("the broker's lag 0").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                seen.set(describe().toString());
                assertThat(describe().path("totalLag").asLong(-1)).as(seen.get()).isZero();
            });
            before = startOffsets();

            Cli.Result refused = run("reset", GROUP, "--topic", TOPIC, "--to-earliest", "--execute");
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(CliException.FAILED);
            assertThat(refused.err()).contains("group '" + GROUP + "' has 1 active member(s) (share-writer-1@");
            assertThat(startOffsets()).as("nothing changed").isEqualTo(before);
        }
        await("the share group is empty once its member left").atMost(Duration.ofSeconds(30))
                .until(() -> describe().path("state").asText(), "Empty"::equals);

        Cli.Result shift = run("reset", GROUP, "--topic", TOPIC, "--shift-by", "-2");
        assertThat(shift.exitCode()).isEqualTo(CliException.FAILED);
        assertThat(shift.err().lines()).singleElement().asString()
                .contains("is a share group: --shift-by does not apply to share groups", "nothing was changed");

        JsonNode dryRun = JsonContract.answer(run("reset", GROUP, "--topic", TOPIC, "--to-offset", "4", "--output", "json"),
                "reset", CliException.OK);
        assertThat(dryRun.get("type").asText()).isEqualTo("share");
        assertThat(dryRun.get("executed").asBoolean()).isFalse();
        assertThat(dryRun.get("recordsReadAgain").asLong()).isEqualTo(12);
        assertThat(startOffsets()).as("a dry run changes nothing").isEqualTo(before);

        JsonNode executed = JsonContract.answer(run("reset", GROUP, "--topic", TOPIC, "--to-offset", "4", "--execute",
                "--output", "json", "--backup-dir", dir.resolve("backups").toString(), "--audit-log",
                dir.resolve("audit.log").toString()), "reset", CliException.OK);
        assertThat(startOffsets()).isEqualTo(Map.of(0, 4L, 1, 4L));
        AtomicReference<String> seen = new AtomicReference<>();
        await("the broker's lag: 6 records to deliver again on each partition").atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> {
                    seen.set(describe().toString());
                    assertThat(describe().path("totalLag").asLong()).as(seen.get()).isEqualTo(12);
                });
        assertThat(Files.readString(dir.resolve("audit.log"))).contains("\"action\":\"reset\"", "\"group\":\"" + GROUP + "\"",
                "\"before\":10,\"after\":4");

        String backup = executed.get("backupFile").asText();
        Cli.Result undo = run("offsets", "import", backup, GROUP, "--execute");
        assertThat(undo.exitCode()).as(undo.toString()).isZero();
        assertThat(startOffsets()).as("undone to where the group stood: every record was done, so the log end "
                + "(not the start offset the coordinator kept, which would deliver them all again)")
                .isEqualTo(Map.of(0, 10L, 1, 10L));

        Cli.Result export = run("offsets", "export", GROUP);
        assertThat(export.exitCode()).as(export.toString()).isZero();
        assertThat(export.out().lines()).containsExactly(TOPIC + ",0,10", TOPIC + ",1,10");

        Cli.Result partOfATopic = run("delete-offsets", GROUP, "--topic", TOPIC + ":0", "--execute");
        assertThat(partOfATopic.exitCode()).isEqualTo(CliException.FAILED);
        assertThat(partOfATopic.err()).contains("Kafka deletes a share group's offsets by whole topics", "nothing was changed");

        JsonNode offsetsDeleted = JsonContract.answer(run("delete-offsets", GROUP, "--topic", TOPIC, "--execute",
                "--output", "json", "--backup-dir", dir.resolve("backups").toString()), "delete-offsets", CliException.OK);
        assertThat(offsetsDeleted.get("type").asText()).isEqualTo("share");
        assertThat(offsetsDeleted.get("partitions")).extracting(p -> p.get("startOffset").asLong()).containsExactly(10L, 10L);
        assertThat(startOffsets()).as("deleted").isEmpty();
        Cli.Result restored = run("offsets", "import", offsetsDeleted.get("backupFile").asText(), GROUP, "--execute");
        assertThat(restored.exitCode()).as(restored.toString()).isZero();
        assertThat(startOffsets()).as("restored").isEqualTo(Map.of(0, 10L, 1, 10L));

        Cli.Result notStreams = run("delete", GROUP, "--internal-topics");
        assertThat(notStreams.exitCode()).isEqualTo(CliException.FAILED);
        assertThat(notStreams.err()).contains("is a share group: --internal-topics applies to streams groups only");
        String consumers = "cli_consumers_of_" + TOPIC;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.alterConsumerGroupOffsets(consumers, Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(1)))
                    .all().get();
        }
        Cli.Result wrongType = run("offsets", "import", backup, consumers, "--execute");
        assertThat(wrongType.exitCode()).isEqualTo(CliException.FAILED);
        assertThat(wrongType.err()).contains("the offsets file holds a share group's offsets, and group '" + consumers
                + "' is a consumer group", "nothing was changed");

        JsonNode deleted = JsonContract.answer(run("delete", GROUP, "--execute", "--output", "json", "--backup-dir",
                dir.resolve("backups").toString()), "delete", CliException.OK).get(0);
        assertThat(deleted.get("type").asText()).isEqualTo("share");
        assertThat(deleted.get("configs").get("share.auto.offset.reset").asText()).isEqualTo("earliest");
        Cli.Result groups = run("groups", "--output", "json");
        assertThat(groups.out()).doesNotContain(GROUP);
        Cli.Result back = run("offsets", "import", deleted.get("backupFile").asText(), GROUP, "--create-group", "--execute");
        assertThat(back.exitCode()).as(back.toString()).isZero();
        JsonNode again = describe();
        assertThat(again.get("type").asText()).as("restored as a share group").isEqualTo("share");
        assertThat(startOffsets()).isEqualTo(Map.of(0, 10L, 1, 10L));
    }

    private JsonNode describe() {
        return JsonContract.answer(run("describe", GROUP, "--output", "json"), "describe", CliException.OK).get(0);
    }

    private Map<Integer, Long> startOffsets() {
        Map<Integer, Long> starts = new TreeMap<>();
        describe().get("partitions").forEach(p -> {
            if (!p.get("startOffset").isNull()) {
                starts.put(p.get("partition").asInt(), p.get("startOffset").asLong());
            }
        });
        return starts;
    }

    private Cli.Result run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-server", bootstrap));
        return Cli.run(all.toArray(String[]::new));
    }
}
