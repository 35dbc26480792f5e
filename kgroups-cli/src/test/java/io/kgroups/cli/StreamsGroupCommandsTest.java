package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * `groups` and `describe` on a streams group (KIP-1071): one instance of {@link StreamsApp}, which
 * has read and committed all records; reset and delete refused while it runs.
 */
@ExtendWith(KafkaExtension.class)
class StreamsGroupCommandsTest {
    private static final String INPUT = "cli-streams-in";
    private static final String GROUP = "cli_streamers";
    private static final String REPARTITION = StreamsApp.repartitionTopic(GROUP);
    private static final String CHANGELOG = StreamsApp.changelogTopic(GROUP);
    private static final int RECORDS = 10;

    private static String bootstrap;
    private static KafkaStreams app;

    @BeforeAll
    static void streamsAppThatReadEverything(EmbeddedKafka kafka) throws Exception {
        bootstrap = kafka.bootstrapServers();
        kafka.createTopic(INPUT, 2);
        StreamsApp.produce(bootstrap, INPUT, RECORDS);
        app = StreamsApp.start(bootstrap, GROUP, INPUT, "streamer-1");
        // The group is NOT_READY until the broker has created the internal topics, then assigns and reconciles.
        AtomicReference<String> seen = new AtomicReference<>();
        await("the streams group committed all " + RECORDS + " input records, settled, lag 0")
                .atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                    Cli.Result result = run("describe", GROUP, "--output", "json");
                    seen.set(result.toString());
                    JsonNode group = JsonContract.answer(result, "describe", CliException.OK).get(0);
                    assertThat(group.path("state").asText()).as(seen.get()).isEqualTo("Stable");
                    assertThat(group.path("memberDetails").path(0).path("reconciling").asBoolean(true)).as(seen.get())
                            .isFalse();
                    long committed = 0;
                    for (JsonNode p : group.path("partitions")) {
                        if (p.path("topic").asText().equals(INPUT)) {
                            committed += p.path("committedOffset").asLong();
                        }
                        // The repartition topic too: committed where it has records (lag 0, not "not committed yet").
                        assertThat(p.path("lag").isNull() && p.path("logEndOffset").asLong() > 0).as(seen.get()).isFalse();
                    }
                    assertThat(committed).as(seen.get()).isEqualTo(RECORDS);
                    assertThat(group.path("totalLag").asLong(-1)).as(seen.get()).isZero();
                });
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close(Duration.ofSeconds(10));
        }
    }

    private static Cli.Result run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-server", bootstrap));
        return Cli.run(all.toArray(String[]::new));
    }

    private static JsonNode describeJson() {
        return JsonContract.answer(run("describe", GROUP, "--output", "json"), "describe", CliException.OK).get(0);
    }

    @Test
    void describeJsonHasEpochsTasksSubtopologiesAndTheOffsetsOfTheInputTopics() {
        JsonNode group = describeJson();

        assertThat(group.get("type").asText()).isEqualTo("streams");
        assertThat(group.get("consumerGroup").asBoolean()).isFalse();
        assertThat(group.get("coordinator").get("id").asInt()).isEqualTo(1);
        assertThat(group.get("groupEpoch").asInt()).isPositive();
        assertThat(group.get("targetAssignmentEpoch").asInt()).isPositive();
        assertThat(group.get("topologyEpoch").isInt()).as("%s", group).isTrue();
        assertThat(group.get("members").asInt()).isEqualTo(1);
        assertThat(group.get("totalLag").asLong()).isZero();
        JsonNode m = group.get("memberDetails").get(0);
        String memberId = m.get("memberId").asText();
        assertThat(m.get("clientId").asText()).contains("streamer-1");
        assertThat(m.get("memberEpoch").asInt()).isPositive();
        assertThat(m.get("tasks").get("active").toString()).isEqualTo("[\"0_0\",\"0_1\",\"1_0\",\"1_1\"]");
        assertThat(m.get("tasks").get("standby")).isEmpty();
        assertThat(m.get("targetTasks")).isEqualTo(m.get("tasks"));
        assertThat(m.get("reconciling").asBoolean()).isFalse();
        assertThat(m.get("assignment")).as("the input partitions of its active tasks").hasSize(4);

        JsonNode subtopologies = group.get("subtopologies");
        assertThat(subtopologies).as("%s", subtopologies).hasSize(2);
        assertThat(subtopologies.get(0).get("sourceTopics").toString()).isEqualTo("[\"" + INPUT + "\"]");
        assertThat(subtopologies.get(0).get("repartitionSinkTopics").toString()).isEqualTo("[\"" + REPARTITION + "\"]");
        assertThat(subtopologies.get(1).get("repartitionSourceTopics").toString()).isEqualTo("[\"" + REPARTITION + "\"]");
        assertThat(subtopologies.get(1).get("changelogTopics").toString()).isEqualTo("[\"" + CHANGELOG + "\"]");

        List<String> topicPartitions = new ArrayList<>();
        group.get("partitions").forEach(p -> topicPartitions.add(p.get("topic").asText() + "-" + p.get("partition").asInt()));
        assertThat(topicPartitions).containsExactly(INPUT + "-0", INPUT + "-1", REPARTITION + "-0", REPARTITION + "-1");
        JsonNode p = group.get("partitions").get(0);
        assertThat(p.get("committedOffset").asLong()).isEqualTo(RECORDS / 2);
        assertThat(p.get("startOffset").isNull()).as("only share groups have one").isTrue();
        assertThat(p.get("logStartOffset").asLong()).isZero();
        assertThat(p.get("logEndOffset").asLong()).isEqualTo(RECORDS / 2);
        assertThat(p.get("lag").asLong()).isZero();
        assertThat(p.get("offsetLag").asLong()).isZero();
        assertThat(p.get("memberId").asText()).isEqualTo(memberId);
        assertThat(p.get("error").isNull()).isTrue();
        long repartitioned = 0;
        for (JsonNode r : group.get("partitions")) {
            if (r.get("topic").asText().equals(REPARTITION)) {
                repartitioned += r.get("committedOffset").asLong();
            }
        }
        assertThat(repartitioned).as("subtopology 1 committed on the repartition topic: %s", group).isEqualTo(RECORDS);
    }

    @Test
    void describeTableShowsTopologyTasksAndPartitions() {
        Cli.Result result = run("describe", GROUP);

        assertThat(result.exitCode()).as("%s", result).isZero();
        assertThat(result.out()).as("%s", result).contains("GROUP " + GROUP + "  state Stable  type streams", "/topology ",
                "lag 0", "active", "warmup", "0_0,0_1,1_0,1_1", "subtopology", "repartition-sink", REPARTITION, CHANGELOG,
                INPUT);
        assertThat(result.out()).doesNotContain("not a consumer group");
    }

    @Test
    void describeCsvHasARowPerInputPartition() {
        Cli.Result result = run("describe", GROUP, "--output", "csv");

        assertThat(result.exitCode()).as("%s", result).isZero();
        List<String> lines = result.out().lines().toList();
        assertThat(lines).as("%s", result).hasSize(5);
        assertThat(lines.get(1)).startsWith(GROUP + "," + INPUT + ",0," + RECORDS / 2 + ",,0," + RECORDS / 2 + ",0,0,");
    }

    @Test
    void groupsListsItsMemberTopicsAndLag() {
        JsonNode groups = JsonContract.answer(run("groups", "--type", "streams", "--output", "json"), "groups",
                CliException.OK);

        List<JsonNode> ours = new ArrayList<>();
        groups.forEach(g -> {
            if (g.get("group").asText().equals(GROUP)) {
                ours.add(g);
            }
        });
        assertThat(ours).as("%s", groups).singleElement().satisfies(g -> {
            assertThat(g.get("group").asText()).isEqualTo(GROUP);
            assertThat(g.get("type").asText()).isEqualTo("streams");
            assertThat(g.get("members").asInt()).isEqualTo(1);
            assertThat(g.get("topics").toString()).isEqualTo("[\"" + INPUT + "\",\"" + REPARTITION + "\"]");
            assertThat(g.get("totalLag").asLong()).isZero();
            assertThat(g.get("error").isNull()).isTrue();
        });
    }

    @Test
    void lagShowsTheInputAndRepartitionTopics() {
        Cli.Result result = run("lag", GROUP, "--output", "json");

        JsonNode rows = JsonContract.answer(result, "lag", CliException.OK);
        assertThat(result.err()).as("nothing left out").isEmpty();
        List<String> topics = new ArrayList<>();
        rows.forEach(row -> {
            topics.add(row.get("topic").asText());
            assertThat(row.get("group").asText()).isEqualTo(GROUP);
            assertThat(row.get("lag").asLong()).as("%s", row).isZero();
            assertThat(row.get("members").asInt()).isEqualTo(1);
            assertThat(row.get("status").asText()).as("%s", row).isEqualTo("OK");
        });
        assertThat(topics).containsExactly(INPUT, REPARTITION);
    }

    @Test
    void theMonitorServesTheStreamsGroupWithItsTasks() throws Exception {
        JsonNode described = describeJson();
        try (MonitorProbe monitor = new MonitorProbe(bootstrap, GROUP)) {
            monitor.cycle();

            JsonNode summary = monitor.summary();
            assertThat(summary.get("type").asText()).isEqualTo("streams");
            assertThat(summary.get("status").asText()).as("%s", summary).isEqualTo("OK");
            assertThat(summary.get("topics").toString()).isEqualTo("[\"" + INPUT + "\",\"" + REPARTITION + "\"]");
            JsonNode group = monitor.detail();
            assertThat(group.get("totalLag").asLong()).isEqualTo(described.get("totalLag").asLong());
            List<String> served = new ArrayList<>();
            group.get("partitions").forEach(p -> served.add(p.get("topic").asText() + "-" + p.get("partition").asInt() + " at "
                    + p.get("committedOffset").asLong() + " lag " + p.get("lag").asLong()));
            List<String> expected = new ArrayList<>();
            described.get("partitions").forEach(p -> expected.add(p.get("topic").asText() + "-" + p.get("partition").asInt()
                    + " at " + p.get("committedOffset").asLong() + " lag " + p.get("lag").asLong()));
            assertThat(served).as("the offsets and lag describe shows").isEqualTo(expected).hasSize(4);
            JsonNode member = group.get("memberDetails").get(0);
            assertThat(member.get("tasks")).as("as describe has them").isEqualTo(described.get("memberDetails").get(0).get("tasks"));
            assertThat(member.get("tasks").get("active").toString()).isEqualTo("[\"0_0\",\"0_1\",\"1_0\",\"1_1\"]");
            assertThat(monitor.metrics()).contains(
                    "kgroups_group_lag{group=\"" + GROUP + "\",type=\"streams\",topic=\"" + INPUT + "\",partition=\"0\"} 0\n",
                    "kgroups_group_committed_offset{group=\"" + GROUP + "\",type=\"streams\",topic=\"" + REPARTITION
                            + "\",partition=\"0\"} ",
                    "kgroups_group_status{group=\"" + GROUP + "\",type=\"streams\"} 0\n");
        }
    }

    @Test
    void resetAndDeleteAreRefusedWhileItRunsAndChangeNothing() {
        Cli.Result reset = run("reset", GROUP, "--topic", INPUT, "--to-earliest", "--execute");
        Cli.Result delete = run("delete", GROUP, "--execute");

        assertThat(reset.exitCode()).as("%s", reset).isEqualTo(CliException.FAILED);
        assertThat(reset.err()).as("%s", reset).contains("group '" + GROUP + "' has 1 active member(s) (streamer-1",
                "offsets can only be reset while it is inactive");
        assertThat(delete.exitCode()).as("%s", delete).isEqualTo(CliException.FAILED);
        assertThat(delete.err()).as("%s", delete).contains("group '" + GROUP + "' has 1 member(s)",
                "a group can only be deleted while it has none", "nothing was changed");
        JsonNode group = describeJson();
        assertThat(group.get("members").asInt()).isEqualTo(1);
        assertThat(group.get("partitions").get(0).get("committedOffset").asLong()).isEqualTo(RECORDS / 2);
    }
}
