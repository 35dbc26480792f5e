package io.kgroups.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListStreamsGroupOffsetsSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Streams groups (KIP-1071) described and reset by kgroups and by Apache Kafka's
 * kafka-streams-groups: the same numbers. Described: a live Kafka Streams app of the streams
 * protocol that counts records by their first letter (subtopology 0 reads the input topic and
 * writes a repartition topic, 1 reads that), caught up. Reset: a second app's group, stopped, its
 * committed offsets then set mid-log.
 */
@ExtendWith(KafkaExtension.class)
class StreamsGroupDifferentialTest {
    private static final String INPUT = "diff-streams-in";
    private static final String LIVE = "diff_streamers";
    private static final int RECORDS = 10;
    private static final String RESET_INPUT = "diff-streams-reset-in";
    private static final String STOPPED = "diff_streams_stopped";
    /** Record i of a partition of RESET_INPUT has timestamp T0 + 10 i seconds (the last 10 s ago, at most). */
    private static final long T0 = Instant.now().minus(Duration.ofSeconds(1000)).truncatedTo(ChronoUnit.SECONDS)
            .toEpochMilli();
    private static final Map<Integer, Long> COMMITTED = Map.of(0, 20L, 1, 50L, 2, 90L);

    private static String bootstrap;
    private static KafkaStreams live;

    @BeforeAll
    static void aLiveAppAndAStoppedOne(EmbeddedKafka kafka) throws Exception {
        bootstrap = kafka.bootstrapServers();
        kafka.createTopic(INPUT, 2);
        kafka.createTopic(RESET_INPUT, 3);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(INPUT, i % 2, "k" + i, (i % 3 == 0 ? "a" : "b") + i));
            }
            for (int p = 0; p < 3; p++) {
                for (int i = 0; i < 100; i++) {
                    producer.send(new ProducerRecord<>(RESET_INPUT, p, T0 + i * 10_000L, "k", "v" + i));
                }
            }
            producer.flush();
        }
        StreamsBuilder counting = new StreamsBuilder();
        counting.stream(INPUT, Consumed.with(Serdes.String(), Serdes.String()))
                .groupBy((k, v) -> v.substring(0, 1), Grouped.with("by-letter", Serdes.String(), Serdes.String()))
                .count(Materialized.as(Stores.inMemoryKeyValueStore("counts")));
        live = new KafkaStreams(counting.build(), streamsProps(LIVE));
        StreamsBuilder reading = new StreamsBuilder();
        reading.stream(RESET_INPUT, Consumed.with(Serdes.String(), Serdes.String())).foreach((k, v) -> { });
        KafkaStreams stopped = new KafkaStreams(reading.build(), streamsProps(STOPPED));
        live.start();
        stopped.start();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            AtomicReference<Object> seen = new AtomicReference<>();
            await("the second app commits all of " + RESET_INPUT).atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                        Map<TopicPartition, OffsetAndMetadata> committed = admin.listStreamsGroupOffsets(
                                Map.of(STOPPED, new ListStreamsGroupOffsetsSpec())).partitionsToOffsetAndMetadata(STOPPED).get();
                        seen.set(committed);
                        assertThat(committed.values()).as("%s", seen).hasSize(3)
                                .allSatisfy(o -> assertThat(o.offset()).isEqualTo(100));
                    });
            stopped.close(Duration.ofSeconds(10));
            await("the stopped app's group is empty").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> {
                        var description = admin.describeStreamsGroups(List.of(STOPPED)).describedGroups().get(STOPPED).get();
                        seen.set(description);
                        assertThat(description.groupState()).as("%s", seen).isEqualTo(GroupState.EMPTY);
                    });
            Map<TopicPartition, OffsetAndMetadata> midLog = new HashMap<>();
            COMMITTED.forEach((p, offset) -> midLog.put(new TopicPartition(RESET_INPUT, p), new OffsetAndMetadata(offset)));
            admin.alterStreamsGroupOffsets(STOPPED, midLog).all().get();
        }
    }

    private static Properties streamsProps(String applicationId) throws Exception {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.GROUP_PROTOCOL_CONFIG, "streams");
        props.put(StreamsConfig.CLIENT_ID_CONFIG, applicationId + "-client");
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("kgroups-streams").toString());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
        return props;
    }

    @AfterAll
    static void stop() {
        if (live != null) {
            live.close(Duration.ofSeconds(10));
        }
    }

    private static GroupAdmin groupAdmin() {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        return GroupAdmin.create(props, Duration.ofSeconds(30));
    }

    /** The live group once it has committed all its input and settled: what both tools are asked about. */
    private static GroupDetail settled(GroupAdmin groups) {
        AtomicReference<GroupDetail> seen = new AtomicReference<>();
        // NOT_READY until the broker has created the internal topics, then it assigns and the member reconciles.
        await("the live app committed all " + RECORDS + " input records and settled").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                    GroupDetail g = groups.describe(List.of(LIVE)).get(0);
                    seen.set(g);
                    assertThat(g.state()).as("%s", g).isEqualTo("Stable");
                    assertThat(g.members()).as("%s", g).singleElement().satisfies(m -> assertThat(m.reconciling()).isFalse());
                    assertThat(g.partitions().stream().filter(p -> p.topic().equals(INPUT))
                            .mapToLong(p -> p.committedOffset() == null ? 0 : p.committedOffset()).sum()).as("%s", g)
                            .isEqualTo(RECORDS);
                    assertThat(g.totalLag()).as("%s", g).isZero();
                });
        return seen.get();
    }

    @Test
    void describeAgreesWithKafkaStreamsGroupsOnOffsetsAndLag() {
        try (GroupAdmin groups = groupAdmin()) {
            GroupDetail detail = settled(groups);
            KafkaTool.Output tool = KafkaTool.streamsGroups("--bootstrap-server", bootstrap, "--describe", "--group", LIVE,
                    "--offsets", "--verbose");

            Map<String, List<String>> ours = new TreeMap<>();
            for (PartitionDetail p : detail.partitions()) {
                ours.put(p.topic() + " " + p.partition(), List.of(cell(p.committedOffset()), cell(p.logEndOffset())));
            }
            Map<String, List<String>> theirs = new TreeMap<>();
            Map<String, String> theirLag = new TreeMap<>();
            for (Map<String, String> row : tool.someRows(LIVE)) {
                String key = row.get("TOPIC") + " " + row.get("PARTITION");
                theirs.put(key, List.of(row.get("CURRENT-OFFSET"), row.get("LOG-END-OFFSET")));
                theirLag.put(key, row.get("OFFSET-LAG"));
            }
            assertThat(ours).as("kgroups (committed, log-end) of the input and repartition topics against %s", tool)
                    .isEqualTo(theirs);
            assertThat(ours.keySet()).as("input and repartition partitions").hasSize(4)
                    .anyMatch(k -> k.startsWith(INPUT + " ")).anyMatch(k -> k.startsWith(LIVE + "-by-letter-repartition "));
            // Where nothing is committed kgroups has no lag (where the app starts depends on its auto.offset.reset).
            for (PartitionDetail p : detail.partitions()) {
                if (p.committed()) {
                    assertThat(cell(p.lag())).as("lag of %s against %s", p, tool)
                            .isEqualTo(theirLag.get(p.topic() + " " + p.partition()));
                } else {
                    assertThat(p.lag()).as("%s", p).isNull();
                }
            }
        }
    }

    @Test
    void describeAgreesWithKafkaStreamsGroupsOnMembersTasksAndEpochs() {
        try (GroupAdmin groups = groupAdmin()) {
            GroupDetail detail = settled(groups);
            KafkaTool.Output members = KafkaTool.streamsGroups("--bootstrap-server", bootstrap, "--describe", "--group", LIVE,
                    "--members", "--verbose");
            KafkaTool.Output state = KafkaTool.streamsGroups("--bootstrap-server", bootstrap, "--describe", "--group", LIVE,
                    "--state", "--verbose");

            List<List<Object>> ours = new ArrayList<>();
            for (MemberDetail m : detail.members()) {
                ours.add(List.of(m.memberId(), m.clientId(), String.valueOf(m.memberEpoch()),
                        String.valueOf(detail.targetAssignmentEpoch()), String.valueOf(detail.topologyEpoch()),
                        Map.of("ACTIVE", m.tasks().active(), "STANDBY", m.tasks().standby(), "WARMUP", m.tasks().warmup(),
                                "TARGET-ACTIVE", m.targetTasks().active(), "TARGET-STANDBY", m.targetTasks().standby(),
                                "TARGET-WARMUP", m.targetTasks().warmup())));
            }
            List<List<Object>> theirs = new ArrayList<>();
            for (Map<String, String> row : members.someRows(LIVE)) {
                theirs.add(List.of(row.get("MEMBER"), row.get("CLIENT-ID"), row.get("MEMBER-EPOCH"),
                        row.get("TARGET-ASSIGNMENT-EPOCH"), row.get("TOPOLOGY-EPOCH"), tasks(row.get("ASSIGNMENTS"))));
            }
            assertThat(ours).as("kgroups' members (id, client, epochs, tasks) against %s", members)
                    .containsExactlyInAnyOrderElementsOf(theirs);
            assertThat(detail.members().get(0).tasks().active()).containsExactly("0_0", "0_1", "1_0", "1_1");

            Map<String, String> row = state.someRows(LIVE).get(0);
            assertThat(List.of(detail.state(), detail.protocol(), String.valueOf(detail.groupEpoch()),
                    String.valueOf(detail.targetAssignmentEpoch()), String.valueOf(detail.members().size()),
                    "(" + detail.coordinator().id() + ")"))
                    .as("kgroups' state, assignor, epochs, members, coordinator against %s", state)
                    .containsExactly(row.get("STATE"), row.get("ASSIGNOR"), row.get("GROUP-EPOCH"),
                            row.get("TARGET-ASSIGNMENT-EPOCH"), row.get("#MEMBERS"), row.get("(ID)"));
        }
    }

    /**
     * A member's tasks as kafka-streams-groups writes them ({@code ACTIVE: 0:[0,1]; 1:[0,1]; TARGET-ACTIVE: ...},
     * kinds without tasks left out), as kgroups names tasks: kind to {@code [0_0, 0_1, 1_0, 1_1]}.
     */
    private static Map<String, List<String>> tasks(String assignments) {
        Map<String, List<String>> tasks = new HashMap<>();
        for (String kind : List.of("ACTIVE", "STANDBY", "WARMUP")) {
            tasks.put(kind, new ArrayList<>());
            tasks.put("TARGET-" + kind, new ArrayList<>());
        }
        List<String> current = null;
        for (String word : assignments.trim().split("\\s+")) {
            if (word.endsWith(":") && tasks.containsKey(word.substring(0, word.length() - 1))) {
                current = tasks.get(word.substring(0, word.length() - 1));
            } else if (current != null && word.matches("[^:]+:\\[[0-9,]*\\];")) {
                String subtopology = word.substring(0, word.indexOf(':'));
                String partitions = word.substring(word.indexOf('[') + 1, word.indexOf(']'));
                for (String p : partitions.split(",")) {
                    if (!p.isEmpty()) {
                        current.add(subtopology + "_" + p);
                    }
                }
            } else {
                throw new AssertionError("'" + word + "' in kafka-streams-groups' assignments is not a task list: "
                        + assignments);
            }
        }
        tasks.values().forEach(list -> list.sort(null));
        return tasks;
    }

    /** A number as the Kafka tools print it: "-" for none. */
    private static String cell(Long value) {
        return value == null ? "-" : String.valueOf(value);
    }

    static Stream<Arguments> resetSpecs() {
        Instant between = Instant.ofEpochMilli(T0 + 305_500); // between records 30 and 31 (with millis: Kafka wants them)
        return Stream.of(
                Arguments.of("--to-earliest", null, null, Map.of(0, 0L, 1, 0L, 2, 0L)),
                Arguments.of("--to-latest", null, null, Map.of(0, 100L, 1, 100L, 2, 100L)),
                Arguments.of("--to-current", null, null, COMMITTED),
                Arguments.of("--to-offset", "60", null, Map.of(0, 60L, 1, 60L, 2, 60L)),
                Arguments.of("--to-offset", "500", null, Map.of(0, 100L, 1, 100L, 2, 100L)),
                Arguments.of("--shift-by", "-30", null, Map.of(0, 0L, 1, 20L, 2, 60L)),
                Arguments.of("--shift-by", "1000", null, Map.of(0, 100L, 1, 100L, 2, 100L)),
                Arguments.of("--to-datetime", between.toString(), null, Map.of(0, 31L, 1, 31L, 2, 31L)),
                Arguments.of("--to-datetime", "2030-01-01T00:00:00.000", null, Map.of(0, 100L, 1, 100L, 2, 100L)),
                Arguments.of("--by-duration", null, null, Map.of(0, 50L, 1, 50L, 2, 50L)),
                Arguments.of("--to-earliest", null, "0,2", Map.of(0, 0L, 2, 0L)),
                Arguments.of("--to-latest", null, "all", Map.of(0, 100L, 1, 100L, 2, 100L)),
                Arguments.of("--from-file", null, null, Map.of(0, 7L, 1, 70L, 2, 100L)));
    }

    /**
     * Every spec of kafka-streams-groups, on the input topic of a streams group with no member
     * whose committed offsets are 20, 50 and 90, whole, some partitions ({@code --input-topic T:0,2})
     * or all input topics ({@code --all-input-topics}; kgroups: every topic the group has offsets
     * for, which for this group is its input topic): Kafka's plan is the one expected, and kgroups' is Kafka's.
     */
    @ParameterizedTest(name = "{0} {1} (partitions {2})")
    @MethodSource("resetSpecs")
    void resetPlansAgreeWithKafkaStreamsGroups(String option, String value, String partitions, Map<Integer, Long> expected,
            @TempDir Path dir) throws Exception {
        if (option.equals("--by-duration")) {
            // Back to 5 s after record 49 was written, now: both tools see record 50 as the first one not older.
            value = "PT" + ((System.currentTimeMillis() - T0) / 1000 - 495) + "S";
        } else if (option.equals("--from-file")) {
            value = Files.writeString(dir.resolve("offsets.csv"), RESET_INPUT + ",0,7\n" + RESET_INPUT + ",1,70\n"
                    + RESET_INPUT + ",2,100\n").toString();
        }
        try (GroupAdmin groups = groupAdmin()) {
            String topic = partitions == null || partitions.equals("all") ? RESET_INPUT : RESET_INPUT + ":" + partitions;
            List<String> args = new ArrayList<>(List.of("--bootstrap-server", bootstrap, "--reset-offsets", "--group", STOPPED,
                    "--dry-run", option));
            if (value != null) {
                args.add(value);
            }
            if ("all".equals(partitions)) {
                args.add("--all-input-topics");
            } else if (!option.equals("--from-file")) {
                args.addAll(List.of("--input-topic", topic));
            }
            KafkaTool.Output tool = KafkaTool.streamsGroups(args.toArray(String[]::new));
            Map<Integer, Long> theirs = new TreeMap<>();
            tool.someRows(STOPPED).forEach(row -> theirs.put(Integer.parseInt(row.get("PARTITION")),
                    Long.parseLong(row.get("NEW-OFFSET"))));
            assertThat(theirs).as("Kafka's own plan: %s", tool).isEqualTo(new TreeMap<>(expected));

            ResetPlan plan = groups.planReset(STOPPED, "all".equals(partitions) ? null : KafkaTool.scope(topic),
                    new ResetSpec(option, value).target());
            Map<Integer, Long> ours = new TreeMap<>();
            plan.partitions().forEach(p -> ours.put(p.partition(), p.targetOffset()));
            assertThat(ours).as("kgroups' plan against Kafka's: %s", plan).isEqualTo(theirs);
            assertThat(plan.partitions()).extracting(ResetPlan.Partition::currentOffset)
                    .containsExactlyElementsOf(new TreeMap<>(expected).keySet().stream().map(COMMITTED::get).toList());

            Map<TopicPartition, Long> after = new TreeMap<>((a, b) -> Integer.compare(a.partition(), b.partition()));
            groups.admin().listStreamsGroupOffsets(Map.of(STOPPED, new ListStreamsGroupOffsetsSpec()))
                    .partitionsToOffsetAndMetadata(STOPPED).get().forEach((tp, o) -> after.put(tp, o.offset()));
            assertThat(after.values()).as("dry runs change nothing").containsExactly(20L, 50L, 90L);
        }
    }
}
