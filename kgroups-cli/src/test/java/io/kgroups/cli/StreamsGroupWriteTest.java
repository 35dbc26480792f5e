package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write path on a streams group, end to end: a reset refused while the app runs; once it is
 * stopped, a reset of its input topics (never of its repartition topic) applied and undone, its
 * input offsets deleted and restored, and the group deleted with its internal topics, named in
 * the dry run first, then restored from its backup: the app started again goes on from there.
 */
@ExtendWith(KafkaExtension.class)
class StreamsGroupWriteTest {
    private static final String INPUT = "cli-streams-w-in";
    private static final String GROUP = "cli_streams_writer";
    private static final String REPARTITION = StreamsApp.repartitionTopic(GROUP);
    private static final String CHANGELOG = StreamsApp.changelogTopic(GROUP);
    private static final int RECORDS = 10;

    @TempDir
    Path dir;

    private String bootstrap;

    @Test
    void resetDeleteAndTheirUndoOnAStreamsGroup(EmbeddedKafka kafka) throws Exception {
        bootstrap = kafka.bootstrapServers();
        kafka.createTopic(INPUT, 2);
        StreamsApp.produce(bootstrap, INPUT, RECORDS);
        KafkaStreams app = StreamsApp.start(bootstrap, GROUP, INPUT, "streams-writer-1");
        try {
            AtomicReference<String> seen = new AtomicReference<>();
            await("the app committed all input records").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> {
                        seen.set(describe().toString());
                        assertThat(committed(INPUT)).as(seen.get()).isEqualTo(Map.of(0, 5L, 1, 5L));
                        assertThat(describe().path("totalLag").asLong(-1)).as(seen.get()).isZero();
                    });
            Cli.Result refused = run("reset", GROUP, "--all-topics", "--to-earliest", "--execute");
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(CliException.FAILED);
            assertThat(refused.err()).contains("has 1 active member(s) (streams-writer-1");
        } finally {
            app.close(Duration.ofSeconds(30));
        }
        await("the streams group is empty once the app stopped").atMost(Duration.ofSeconds(60))
                .until(() -> describe().path("state").asText(), "Empty"::equals);
        Map<Integer, Long> repartitioned = committed(REPARTITION);
        assertThat(repartitioned).as("the app commits on its repartition topic too").isNotEmpty();

        JsonNode dryRun = JsonContract.answer(run("reset", GROUP, "--all-topics", "--to-earliest", "--output", "json"),
                "reset", CliException.OK);
        assertThat(dryRun.get("type").asText()).isEqualTo("streams");
        List<String> planned = new ArrayList<>();
        dryRun.get("partitions").forEach(p -> planned.add(p.get("topic").asText() + "-" + p.get("partition").asInt()));
        assertThat(planned).as("--all-topics: the input topics, never the app's own repartition topic")
                .containsExactly(INPUT + "-0", INPUT + "-1");
        assertThat(dryRun.get("recordsReadAgain").asLong()).isEqualTo(RECORDS);

        Cli.Result internal = run("reset", GROUP, "--topic", REPARTITION, "--to-earliest");
        assertThat(internal.exitCode()).isEqualTo(CliException.FAILED);
        assertThat(internal.err()).contains("topic '" + REPARTITION + "' is not an input topic of streams group '" + GROUP
                + "' (its input topics: " + INPUT + ")", "nothing was changed");

        JsonNode executed = JsonContract.answer(run("reset", GROUP, "--topic", INPUT, "--to-offset", "2", "--execute",
                "--output", "json", "--backup-dir", dir.resolve("backups").toString()), "reset", CliException.OK);
        assertThat(committed(INPUT)).isEqualTo(Map.of(0, 2L, 1, 2L));
        assertThat(committed(REPARTITION)).as("untouched").isEqualTo(repartitioned);
        Cli.Result undo = run("offsets", "import", executed.get("backupFile").asText(), GROUP, "--execute");
        assertThat(undo.exitCode()).as(undo.toString()).isZero();
        assertThat(committed(INPUT)).as("undone").isEqualTo(Map.of(0, 5L, 1, 5L));

        JsonNode offsetsDeleted = JsonContract.answer(run("delete-offsets", GROUP, "--topic", INPUT, "--execute",
                "--output", "json", "--backup-dir", dir.resolve("backups").toString()), "delete-offsets", CliException.OK);
        assertThat(offsetsDeleted.get("type").asText()).isEqualTo("streams");
        assertThat(committed(INPUT)).as("deleted").isEmpty();
        Cli.Result restored = run("offsets", "import", offsetsDeleted.get("backupFile").asText(), GROUP, "--execute");
        assertThat(restored.exitCode()).as(restored.toString()).isZero();
        assertThat(committed(INPUT)).as("restored").isEqualTo(Map.of(0, 5L, 1, 5L));

        JsonNode deletePlan = JsonContract.answer(run("delete", GROUP, "--internal-topics", "--output", "json"), "delete",
                CliException.OK).get(0);
        assertThat(deletePlan.get("internalTopics").toString()).as("named in the dry run")
                .isEqualTo("[\"" + REPARTITION + "\",\"" + CHANGELOG + "\"]");
        assertThat(topics()).as("a dry run deletes nothing").contains(CHANGELOG, REPARTITION);

        Cli.Result deleted = run("delete", GROUP, "--internal-topics", "--execute", "--backup-dir",
                dir.resolve("backups").toString(), "--audit-log", dir.resolve("audit.log").toString());
        assertThat(deleted.exitCode()).as(deleted.toString()).isZero();
        assertThat(deleted.out()).contains("Deleted streams group '" + GROUP + "' (Empty)", "then its internal topics "
                + REPARTITION + ", " + CHANGELOG);
        await("the internal topics are gone").atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(topics()).doesNotContain(CHANGELOG, REPARTITION).contains(INPUT));
        assertThat(run("groups", "--output", "json").out()).doesNotContain(GROUP);
        assertThat(java.nio.file.Files.readString(dir.resolve("audit.log")))
                .contains("\"topicsDeleted\":[\"" + REPARTITION + "\",\"" + CHANGELOG + "\"]");
        String backup = deleted.out().lines().filter(l -> l.contains("Backup: ")).findFirst().orElseThrow()
                .replaceFirst(".*Backup: ", "").strip();
        Cli.Result back = run("offsets", "import", backup, GROUP, "--create-group", "--execute");
        assertThat(back.exitCode()).as(back.toString()).isZero();
        assertThat(committed(INPUT)).as("the input offsets only: the internal topics are gone, and the app makes them "
                + "again").isEqualTo(Map.of(0, 5L, 1, 5L));
        // Kafka keeps them in a classic group until the app's first heartbeat makes it a streams group again.
        KafkaStreams again = StreamsApp.start(bootstrap, GROUP, INPUT, "streams-writer-2");
        try {
            AtomicReference<String> seen = new AtomicReference<>();
            await("the app runs again from the restored offsets").atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                        JsonNode group = describe();
                        seen.set(group.toString());
                        assertThat(group.path("type").asText()).as(seen.get()).isEqualTo("streams");
                        assertThat(group.path("state").asText()).as(seen.get()).isEqualTo("Stable");
                        assertThat(committed(INPUT)).as("nothing read again: " + seen.get()).isEqualTo(Map.of(0, 5L, 1, 5L));
                    });
        } finally {
            again.close(Duration.ofSeconds(30));
        }
    }

    private Set<String> topics() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            return admin.listTopics().names().get();
        }
    }

    private JsonNode describe() {
        return JsonContract.answer(run("describe", GROUP, "--output", "json"), "describe", CliException.OK).get(0);
    }

    private Map<Integer, Long> committed(String topic) {
        Map<Integer, Long> offsets = new TreeMap<>();
        describe().get("partitions").forEach(p -> {
            if (p.get("topic").asText().equals(topic) && !p.get("committedOffset").isNull()) {
                offsets.put(p.get("partition").asInt(), p.get("committedOffset").asLong());
            }
        });
        return offsets;
    }

    private Cli.Result run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-server", bootstrap));
        return Cli.run(all.toArray(String[]::new));
    }
}
