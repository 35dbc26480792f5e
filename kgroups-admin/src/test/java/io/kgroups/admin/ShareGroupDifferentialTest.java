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
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Share groups described and reset by kgroups and by Apache Kafka's kafka-share-groups: the same
 * numbers. Described: a group with a live member that acknowledged everything it was given, some
 * records accepted, some released (available again: lag) and some rejected. Reset: groups with no
 * member whose start offsets are mid-log.
 */
@ExtendWith(KafkaExtension.class)
class ShareGroupDifferentialTest {
    private static final String LIVE_TOPIC = "diff-share-q";
    private static final String LIVE = "diff_sharers";
    private static final int LIVE_RECORDS = 20;
    private static final String RESET_TOPIC = "diff-share-reset";
    /** Record i of a partition of RESET_TOPIC has timestamp T0 + i seconds; T0 an hour ago. */
    private static final long T0 = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS).toEpochMilli();
    private static final Map<Integer, Long> RESET_START = Map.of(0, 20L, 1, 50L, 2, 90L);

    private static String bootstrap;
    private static KafkaShareConsumer<String, String> member;
    /** What the member did with each record of LIVE_TOPIC (the last acknowledgement of one delivered again). */
    private static final Map<TopicPartition, Map<Long, AcknowledgeType>> acknowledged = new HashMap<>();
    private static int resetGroups;

    @BeforeAll
    static void topicsAndALiveMember(EmbeddedKafka kafka) throws Exception {
        bootstrap = kafka.bootstrapServers();
        kafka.createTopic(LIVE_TOPIC, 2);
        kafka.createTopic(RESET_TOPIC, 3);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                new StringSerializer(), new StringSerializer());
             Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            for (int i = 0; i < LIVE_RECORDS; i++) {
                producer.send(new ProducerRecord<>(LIVE_TOPIC, i % 2, "k", "v" + i));
            }
            for (int p = 0; p < 3; p++) {
                for (int i = 0; i < 100; i++) {
                    producer.send(new ProducerRecord<>(RESET_TOPIC, p, T0 + i * 1_000L, "k", "v" + i));
                }
            }
            producer.flush();
            // A share group starts at the log end by default: this one reads what is already there.
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, LIVE), List.of(
                    new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET))))
                    .all().get();
        }
        member = new KafkaShareConsumer<>(Map.of("bootstrap.servers", bootstrap, "group.id", LIVE, "client.id", "diff-sharer",
                "share.acknowledgement.mode", "explicit"), new StringDeserializer(), new StringDeserializer());
        member.subscribe(List.of(LIVE_TOPIC));
        // Every record delivered is acknowledged before the next poll, so none is held when the member stops
        // polling: nothing changes afterwards when a record lock expires.
        await("the member is delivered records of both partitions").atMost(Duration.ofSeconds(60)).pollInSameThread()
                .until(() -> {
                    for (ConsumerRecord<String, String> r : member.poll(Duration.ofMillis(200))) {
                        AcknowledgeType ack = acknowledgement(r);
                        member.acknowledge(r, ack);
                        acknowledged.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), k -> new TreeMap<>())
                                .put(r.offset(), ack);
                    }
                    member.commitSync();
                    return acknowledged.size() == 2;
                });
    }

    /** Offsets 1 and 3 of every 5 released, 2 rejected, the rest accepted; a record delivered again accepted. */
    private static AcknowledgeType acknowledgement(ConsumerRecord<String, String> r) {
        if (r.deliveryCount().orElse((short) 1) > 1) {
            return AcknowledgeType.ACCEPT;
        }
        return switch ((int) (r.offset() % 5)) {
            case 1, 3 -> AcknowledgeType.RELEASE;
            case 2 -> AcknowledgeType.REJECT;
            default -> AcknowledgeType.ACCEPT;
        };
    }

    @AfterAll
    static void leave() {
        if (member != null) {
            member.close();
        }
    }

    private static GroupAdmin groupAdmin() {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        return GroupAdmin.create(props, Duration.ofSeconds(30));
    }

    /** Records the broker counts as lag (KIP-1226): released (available again) or never delivered. */
    private static long expectedLag(TopicPartition tp) {
        Map<Long, AcknowledgeType> acks = acknowledged.getOrDefault(tp, Map.of());
        long lag = 0;
        for (long offset = 0; offset < LIVE_RECORDS / 2; offset++) {
            AcknowledgeType ack = acks.get(offset);
            if (ack == null || ack == AcknowledgeType.RELEASE) {
                lag++;
            }
        }
        return lag;
    }

    @Test
    void describeAgreesWithKafkaShareGroupsOnStartOffsetsAndLag() {
        try (GroupAdmin groups = groupAdmin()) {
            // The broker's lag follows the acknowledgements at once; wait for it so that both tools read a settled group.
            AtomicReference<GroupDetail> seen = new AtomicReference<>();
            await("kgroups shows the lag of the acknowledgements " + acknowledged).atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                        seen.set(groups.describe(List.of(LIVE)).get(0));
                        assertThat(seen.get().partitions()).as("%s", seen.get()).hasSize(2).allSatisfy(p -> assertThat(p.lag())
                                .isEqualTo(expectedLag(new TopicPartition(p.topic(), p.partition()))));
                    });
            Map<String, List<String>> ours = new TreeMap<>();
            for (PartitionDetail p : seen.get().partitions()) {
                ours.put(p.topic() + " " + p.partition(), List.of(cell(p.startOffset()), cell(p.lag())));
            }

            Map<String, List<String>> theirs = new TreeMap<>();
            KafkaTool.Output tool = KafkaTool.shareGroups("--bootstrap-server", bootstrap, "--describe", "--group", LIVE,
                    "--verbose");
            for (Map<String, String> row : tool.someRows(LIVE)) {
                theirs.put(row.get("TOPIC") + " " + row.get("PARTITION"), List.of(row.get("START-OFFSET"), row.get("LAG")));
            }

            assertThat(ours).as("kgroups (start offset, lag) against %s", tool).isEqualTo(theirs);
            assertThat(seen.get().partitions()).allSatisfy(p -> assertThat(p.startOffset()).as("%s", p)
                    .isNotNull().isLessThanOrEqualTo(firstNotComplete(new TopicPartition(p.topic(), p.partition()))));
        }
    }

    /** The lowest offset released or never delivered: the start offset is at most that (it trails the acknowledgements). */
    private static long firstNotComplete(TopicPartition tp) {
        Map<Long, AcknowledgeType> acks = acknowledged.getOrDefault(tp, Map.of());
        long offset = 0;
        while (acks.containsKey(offset) && acks.get(offset) != AcknowledgeType.RELEASE) {
            offset++;
        }
        return offset;
    }

    @Test
    void describeAgreesWithKafkaShareGroupsOnMembersAndEpochs() {
        try (GroupAdmin groups = groupAdmin()) {
            GroupDetail detail = groups.describe(List.of(LIVE)).get(0);
            KafkaTool.Output members = KafkaTool.shareGroups("--bootstrap-server", bootstrap, "--describe", "--group", LIVE,
                    "--members", "--verbose");
            KafkaTool.Output state = KafkaTool.shareGroups("--bootstrap-server", bootstrap, "--describe", "--group", LIVE,
                    "--state", "--verbose");

            List<List<String>> ours = new ArrayList<>();
            for (MemberDetail m : detail.members()) {
                ours.add(List.of(m.memberId(), m.host(), m.clientId(), String.valueOf(m.assignment().size()),
                        String.valueOf(m.memberEpoch()), assignmentText(m.assignment())));
            }
            List<List<String>> theirs = new ArrayList<>();
            for (Map<String, String> row : members.someRows(LIVE)) {
                theirs.add(List.of(row.get("CONSUMER-ID"), row.get("HOST"), row.get("CLIENT-ID"), row.get("#PARTITIONS"),
                        row.get("MEMBER-EPOCH"), row.get("ASSIGNMENT")));
            }
            assertThat(ours).as("kgroups' members against %s", members).containsExactlyInAnyOrderElementsOf(theirs)
                    .singleElement().satisfies(m -> assertThat(m.get(2)).isEqualTo("diff-sharer"));

            Map<String, String> row = state.someRows(LIVE).get(0);
            assertThat(List.of(detail.state(), String.valueOf(detail.groupEpoch()),
                    String.valueOf(detail.targetAssignmentEpoch()), String.valueOf(detail.members().size()),
                    "(" + detail.coordinator().id() + ")"))
                    .as("kgroups' state, group and assignment epochs, members, coordinator against %s", state)
                    .containsExactly(row.get("STATE"), row.get("GROUP-EPOCH"), row.get("ASSIGNMENT-EPOCH"),
                            row.get("#MEMBERS"), row.get("(ID)"));
        }
    }

    /** An assignment as kafka-share-groups writes it: topic:0,1;other:2, topics sorted. */
    private static String assignmentText(List<TopicPartition> assignment) {
        Map<String, List<String>> byTopic = new TreeMap<>();
        assignment.stream().sorted((a, b) -> Integer.compare(a.partition(), b.partition()))
                .forEach(tp -> byTopic.computeIfAbsent(tp.topic(), k -> new ArrayList<>()).add(String.valueOf(tp.partition())));
        List<String> topics = new ArrayList<>();
        byTopic.forEach((topic, partitions) -> topics.add(topic + ":" + String.join(",", partitions)));
        return String.join(";", topics);
    }

    /** A number as the Kafka tools print it: "-" for none. */
    private static String cell(Long value) {
        return value == null ? "-" : String.valueOf(value);
    }

    static Stream<Arguments> resetSpecs() {
        Instant between = Instant.ofEpochMilli(T0 + 30_500); // between records 30 and 31
        return Stream.of(
                Arguments.of("--to-earliest", null, null, Map.of(0, 0L, 1, 0L, 2, 0L)),
                Arguments.of("--to-latest", null, null, Map.of(0, 100L, 1, 100L, 2, 100L)),
                Arguments.of("--to-current", null, null, RESET_START),
                Arguments.of("--to-offset", "60", null, Map.of(0, 60L, 1, 60L, 2, 60L)),
                Arguments.of("--to-offset", "500", null, Map.of(0, 100L, 1, 100L, 2, 100L)),
                Arguments.of("--to-datetime", between.toString(), null, Map.of(0, 31L, 1, 31L, 2, 31L)),
                Arguments.of("--to-datetime", "2030-01-01T00:00:00.000", null, Map.of(0, 100L, 1, 100L, 2, 100L)),
                Arguments.of("--to-earliest", null, "0,2", Map.of(0, 0L, 2, 0L)),
                Arguments.of("--to-latest", null, "all", Map.of(0, 100L, 1, 100L, 2, 100L)),
                Arguments.of("--from-file", null, null, Map.of(0, 7L, 1, 70L, 2, 100L)));
    }

    /**
     * Every spec both tools support for share groups (kafka-share-groups has no --shift-by and no
     * --by-duration), on a group with no member whose start offsets are 20, 50 and 90, of the whole
     * topic, some partitions ({@code --topic T:0,2}) or all topics ({@code --all-topics}): Kafka's plan
     * is the one expected, and kgroups' is Kafka's.
     */
    @ParameterizedTest(name = "{0} {1} (partitions {2})")
    @MethodSource("resetSpecs")
    void resetPlansAgreeWithKafkaShareGroups(String option, String value, String partitions, Map<Integer, Long> expected,
            @TempDir Path dir) throws Exception {
        String group = "diff_share_reset" + (++resetGroups);
        try (GroupAdmin groups = groupAdmin()) {
            Map<TopicPartition, Long> start = new HashMap<>();
            RESET_START.forEach((p, offset) -> start.put(new TopicPartition(RESET_TOPIC, p), offset));
            // Setting the start offsets of a group that does not exist creates it, with no member.
            groups.admin().alterShareGroupOffsets(group, start).all().get();
            if (option.equals("--from-file")) {
                value = Files.writeString(dir.resolve("offsets.csv"), RESET_TOPIC + ",0,7\n" + RESET_TOPIC + ",1,70\n"
                        + RESET_TOPIC + ",2,100\n").toString();
            }
            String topic = partitions == null || partitions.equals("all") ? RESET_TOPIC : RESET_TOPIC + ":" + partitions;
            List<String> args = new ArrayList<>(List.of("--bootstrap-server", bootstrap, "--reset-offsets", "--group", group,
                    "--dry-run", option));
            if (value != null) {
                args.add(value);
            }
            if ("all".equals(partitions)) {
                args.add("--all-topics");
            } else if (!option.equals("--from-file")) {
                args.addAll(List.of("--topic", topic));
            }
            KafkaTool.Output tool = KafkaTool.shareGroups(args.toArray(String[]::new));
            Map<Integer, Long> theirs = new TreeMap<>();
            tool.someRows(group).forEach(row -> theirs.put(Integer.parseInt(row.get("PARTITION")),
                    Long.parseLong(row.get("NEW-OFFSET"))));
            assertThat(theirs).as("Kafka's own plan: %s", tool).isEqualTo(new TreeMap<>(expected));

            ResetPlan plan = groups.planReset(group, "all".equals(partitions) ? null : KafkaTool.scope(topic),
                    new ResetSpec(option, value).target());
            Map<Integer, Long> ours = new TreeMap<>();
            plan.partitions().forEach(p -> ours.put(p.partition(), p.targetOffset()));
            assertThat(ours).as("kgroups' plan against Kafka's: %s", plan).isEqualTo(theirs);
            assertThat(plan.partitions()).extracting(ResetPlan.Partition::currentOffset)
                    .as("a share group's current offset is its start offset")
                    .containsExactlyElementsOf(new TreeMap<>(expected).keySet().stream().map(RESET_START::get).toList());

            Map<TopicPartition, Long> after = new HashMap<>();
            groups.admin().listShareGroupOffsets(Map.of(group, new ListShareGroupOffsetsSpec())).partitionsToOffsetInfo(group)
                    .get().forEach((tp, info) -> after.put(tp, info.startOffset()));
            assertThat(after).as("dry runs change nothing").isEqualTo(start);
        }
    }
}
