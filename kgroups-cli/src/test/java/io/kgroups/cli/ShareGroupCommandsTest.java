package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
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
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
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

/**
 * `groups` and `describe` on a share group with a live member that acknowledged some of its
 * records: offsets 0-3 accepted, 5 rejected, the rest delivered and not acknowledged. The start
 * offset is then 4, and the broker's lag 5 (offsets 4 and 6-9), not log-end minus start (6).
 */
@ExtendWith(KafkaExtension.class)
class ShareGroupCommandsTest {
    private static final String TOPIC = "cli-share-q";
    private static final String GROUP = "cli_sharers";
    private static final int RECORDS = 10;

    private static String bootstrap;
    private static KafkaShareConsumer<String, String> member;

    @BeforeAll
    static void shareGroupWithALiveMember(EmbeddedKafka kafka) throws Exception {
        bootstrap = kafka.bootstrapServers();
        kafka.createTopic(TOPIC, 1);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap,
                "linger.ms", "50"), new StringSerializer(), new StringSerializer());
             Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, "k", "v" + i));
            }
            producer.flush();
            // A share group starts at the log end by default: this one reads what is already there.
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, GROUP), List.of(
                    new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET))))
                    .all().get();
        }
        member = new KafkaShareConsumer<>(Map.of("bootstrap.servers", bootstrap, "group.id", GROUP,
                "client.id", "sharer-1", "share.acknowledgement.mode", "explicit"),
                new StringDeserializer(), new StringDeserializer());
        member.subscribe(List.of(TOPIC));
        List<ConsumerRecord<String, String>> delivered = new ArrayList<>();
        await("the share group delivers the " + RECORDS + " records in one poll").atMost(Duration.ofSeconds(60))
                .pollInSameThread().until(() -> {
                    member.poll(Duration.ofMillis(200)).forEach(delivered::add);
                    return !delivered.isEmpty();
                });
        assertThat(delivered).as("offsets delivered by the first poll").extracting(ConsumerRecord::offset)
                .contains(0L, 1L, 2L, 3L, 4L, 5L, 6L, 9L);
        for (ConsumerRecord<String, String> record : delivered) {
            if (record.offset() < 4) {
                member.acknowledge(record, AcknowledgeType.ACCEPT);
            } else if (record.offset() == 5) {
                member.acknowledge(record, AcknowledgeType.REJECT);
            }
        }
        member.commitSync();
        // The member polls no more: it stays in the group (heartbeats run in the background) and holds the rest.
        // The start offset is the one the share coordinator stored: it trails the acknowledgements (here until the
        // records held are released after share.record.lock.duration.ms, 30 s), the broker's lag does not.
        AtomicReference<String> seen = new AtomicReference<>();
        await("the start offset 4 and lag 5 in describe's JSON").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                    Cli.Result result = run("describe", GROUP, "--output", "json");
                    seen.set(result.toString());
                    JsonNode group = JsonContract.answer(result, "describe", CliException.OK).get(0);
                    assertThat(group.path("partitions").path(0).path("startOffset").asLong(-1)).as(seen.get()).isEqualTo(4);
                    assertThat(group.path("partitions").path(0).path("lag").asLong(-1)).as(seen.get()).isEqualTo(5);
                    assertThat(group.path("memberDetails").size()).as(seen.get()).isEqualTo(1);
                });
    }

    @AfterAll
    static void leave() {
        if (member != null) {
            member.close();
        }
    }

    private static Cli.Result run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-server", bootstrap));
        return Cli.run(all.toArray(String[]::new));
    }

    @Test
    void describeJsonHasTheStartOffsetAndTheBrokersLagAndNoCommittedOffset() {
        JsonNode group = JsonContract.answer(run("describe", GROUP, "--output", "json"), "describe", CliException.OK).get(0);

        assertThat(group.get("type").asText()).isEqualTo("share");
        assertThat(group.get("state").asText()).isEqualTo("Stable");
        assertThat(group.get("consumerGroup").asBoolean()).isFalse();
        assertThat(group.get("assignor").isNull()).isTrue();
        assertThat(group.get("coordinator").get("id").asInt()).isEqualTo(1);
        assertThat(group.get("groupEpoch").asInt()).isPositive();
        assertThat(group.get("targetAssignmentEpoch").asInt()).isPositive();
        assertThat(group.get("members").asInt()).isEqualTo(1);
        assertThat(group.get("totalLag").asLong()).isEqualTo(5);
        JsonNode m = group.get("memberDetails").get(0);
        String memberId = m.get("memberId").asText();
        assertThat(m.get("clientId").asText()).isEqualTo("sharer-1");
        assertThat(m.get("host").asText()).isNotEmpty();
        assertThat(m.get("memberEpoch").asInt()).isPositive();
        assertThat(m.get("assignment")).singleElement().satisfies(tp -> {
            assertThat(tp.get("topic").asText()).isEqualTo(TOPIC);
            assertThat(tp.get("partition").asInt()).isZero();
        });
        JsonNode p = group.get("partitions").get(0);
        assertThat(p.get("topic").asText()).isEqualTo(TOPIC);
        assertThat(p.get("startOffset").asLong()).isEqualTo(4);
        assertThat(p.get("lag").asLong()).as("offsets 4 and 6-9: not delivery-complete").isEqualTo(5);
        assertThat(p.get("committedOffset").isNull()).as("a share group commits no offset").isTrue();
        assertThat(p.get("logStartOffset").asLong()).isZero();
        assertThat(p.get("logEndOffset").asLong()).isEqualTo(RECORDS);
        assertThat(p.get("offsetLag").isNull()).as("log-end minus start offset is not a share group's lag").isTrue();
        assertThat(p.get("memberId").asText()).isEqualTo(memberId);
        assertThat(p.get("error").isNull()).isTrue();
    }

    @Test
    void describeShowsTheConfigsThatShapeTheGroupAndWhetherEachIsItsOwnOrTheBrokers() {
        JsonNode group = JsonContract.answer(run("describe", GROUP, "--output", "json"), "describe", CliException.OK).get(0);
        Map<String, List<String>> configs = new TreeMap<>();
        group.get("configs").forEach(c -> configs.put(c.get("name").asText(),
                List.of(c.get("value").asText(), c.get("source").asText())));
        Cli.Result text = run("describe", GROUP);

        assertThat(configs).as("%s", group.get("configs"))
                .containsEntry("share.auto.offset.reset", List.of("earliest", "group"))
                .containsEntry("share.record.lock.duration.ms", List.of("30000", "default"))
                .containsEntry("share.delivery.count.limit", List.of("5", "default"))
                .containsEntry("share.isolation.level", List.of("read_uncommitted", "default"))
                .containsKeys("share.session.timeout.ms", "share.heartbeat.interval.ms", "errors.deadletterqueue.topic.name");
        assertThat(configs.keySet()).as("only what shapes a share group").allMatch(name -> name.startsWith("share.")
                || name.startsWith("errors.deadletterqueue."));
        assertThat(new ArrayList<>(configs.keySet())).as("by name").isSorted();
        assertThat(text.exitCode()).as("%s", text).isZero();
        assertThat(text.out()).containsPattern("share\\.auto\\.offset\\.reset +earliest +group")
                .containsPattern("share\\.delivery\\.count\\.limit +5 +default");
        assertThat(run("describe", GROUP, "--output", "csv").out().lines().findFirst().orElseThrow())
                .as("CSV rows are partitions: no configs").doesNotContain("config", "share.");
    }

    @Test
    void aConsumerGroupsDescribeHasNoConfigs() throws Exception {
        String consumers = "cli_share_test_consumers";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.alterConsumerGroupOffsets(consumers, Map.of(new TopicPartition(TOPIC, 0),
                    new OffsetAndMetadata(3))).all().get();
        }
        JsonNode group = JsonContract.answer(run("describe", consumers, "--output", "json"), "describe", CliException.OK)
                .get(0);
        Cli.Result text = run("describe", consumers);

        assertThat(group.get("configs").isNull()).as("%s", group).isTrue();
        assertThat(group.get("partitions").get(0).get("committedOffset").asLong()).isEqualTo(3);
        assertThat(text.exitCode()).as("%s", text).isZero();
        assertThat(text.out()).as("%s", text).contains("GROUP " + consumers).doesNotContain("config", "share.");
    }

    @Test
    void describeTableShowsTheShareGroup() {
        Cli.Result result = run("describe", GROUP);

        assertThat(result.exitCode()).as("%s", result).isZero();
        assertThat(result.out()).contains("GROUP " + GROUP + "  state Stable  type share  coordinator 1 (", "lag 5",
                "sharer-1", TOPIC + "-0", "start-offset");
        assertThat(result.out()).doesNotContain("not a consumer group")
                .as("no committed column (read_uncommitted, a config's value, is not one)").doesNotContainPattern("\\bcommitted\\b");
    }

    @Test
    void describeCsvHasTheStartOffsetColumn() {
        Cli.Result result = run("describe", GROUP, "--output", "csv");

        assertThat(result.exitCode()).as("%s", result).isZero();
        List<String> lines = result.out().lines().toList();
        assertThat(lines.get(0)).startsWith("group,topic,partition,committedOffset,startOffset,logStartOffset,logEndOffset,lag,");
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).startsWith(GROUP + "," + TOPIC + ",0,,4,0," + RECORDS + ",5,");
    }

    @Test
    void groupsListsItsMemberTopicAndTheBrokersLag() {
        Cli.Result result = run("groups", "--type", "share", "--output", "json");

        JsonNode groups = JsonContract.answer(result, "groups", CliException.OK);
        List<JsonNode> sharers = new ArrayList<>();
        groups.forEach(g -> {
            if (g.get("group").asText().equals(GROUP)) {
                sharers.add(g);
            }
        });
        assertThat(sharers).as("%s", groups).singleElement().satisfies(g -> {
            assertThat(g.get("type").asText()).isEqualTo("share");
            assertThat(g.get("members").asInt()).isEqualTo(1);
            assertThat(g.get("topics").toString()).isEqualTo("[\"" + TOPIC + "\"]");
            assertThat(g.get("totalLag").asLong()).isEqualTo(5);
            assertThat(g.get("error").isNull()).isTrue();
        });
    }

    private static JsonNode describeJson() {
        return JsonContract.answer(run("describe", GROUP, "--output", "json"), "describe", CliException.OK).get(0);
    }

    @Test
    void lagShowsTheBrokersLagAndTheAgeOfTheRecordAtTheStartOffset() {
        JsonNode described = describeJson();
        Cli.Result result = run("lag", GROUP, "--output", "json");

        JsonNode rows = JsonContract.answer(result, "lag", CliException.OK);
        assertThat(result.err()).as("nothing left out").isEmpty();
        assertThat(rows).as("%s", result).singleElement().satisfies(row -> {
            assertThat(row.get("group").asText()).isEqualTo(GROUP);
            assertThat(row.get("topic").asText()).isEqualTo(TOPIC);
            assertThat(row.get("lag").asLong()).as("the broker's lag, as describe says").isEqualTo(described.get("totalLag")
                    .asLong()).isEqualTo(5);
            assertThat(row.get("members").asInt()).isEqualTo(1);
            // Record 4, the one at the start offset, was written before describe looked: as old at least.
            assertThat(row.get("lagSeconds").asDouble()).as("%s", described).isGreaterThanOrEqualTo(
                    described.get("partitions").get(0).get("lagSeconds").asDouble()).isPositive();
            assertThat(row.get("status").asText()).as("one look cannot tell slow from stuck").isEqualTo("UNKNOWN");
        });
    }

    @Test
    void theMonitorServesTheShareGroupAndCallsItStalledWhileNothingIsDelivered() throws Exception {
        JsonNode described = describeJson();
        try (MonitorProbe monitor = new MonitorProbe(bootstrap, GROUP)) {
            AtomicReference<JsonNode> seen = new AtomicReference<>();
            await("STALLED: a member holds the partition, no record delivered while 5 wait; last seen: " + seen)
                    .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
                        seen.set(monitor.cycle().detail());
                        assertThat(seen.get().get("status").asText()).as("%s", seen.get()).isEqualTo("STALLED");
                    });

            JsonNode summary = monitor.summary();
            assertThat(summary.get("type").asText()).isEqualTo("share");
            assertThat(summary.get("totalLag").asLong()).isEqualTo(described.get("totalLag").asLong());
            assertThat(summary.get("members").asInt()).isEqualTo(1);
            JsonNode group = monitor.detail();
            JsonNode p = group.get("partitions").get(0);
            assertThat(p.get("startOffset").asLong()).isEqualTo(described.get("partitions").get(0).get("startOffset").asLong())
                    .isEqualTo(4);
            assertThat(p.get("lag").asLong()).isEqualTo(5);
            assertThat(p.get("committedOffset").isNull()).isTrue();
            assertThat(p.get("logEndOffset").asLong()).isEqualTo(RECORDS);
            assertThat(p.get("lagSeconds").asDouble()).isGreaterThanOrEqualTo(
                    described.get("partitions").get(0).get("lagSeconds").asDouble());
            assertThat(p.get("reason").asText()).contains("a member holds it but", "with lag 5");
            assertThat(group.get("memberDetails").get(0).get("clientId").asText()).isEqualTo("sharer-1");
            assertThat(group.get("memberDetails").get(0).get("tasks").isNull()).isTrue();
            // The history the lag chart draws: the broker's lag at each sample kept, no committed offset.
            JsonNode samples = monitor.api("/api/group/history?name=" + GROUP, "api/group/history").get("partitions").get(0)
                    .get("samples");
            assertThat(samples).as("%s", samples).isNotEmpty().allSatisfy(sample -> {
                assertThat(sample.get("lag").asLong()).isEqualTo(5);
                assertThat(sample.get("committedOffset").isNull()).isTrue();
                assertThat(sample.get("logEndOffset").asLong()).isEqualTo(RECORDS);
            });
            assertThat(samples.get(samples.size() - 1).get("lagSeconds").asDouble()).as("the newest: the cycle's time lag")
                    .isEqualTo(p.get("lagSeconds").asDouble());
            String series = "{group=\"" + GROUP + "\",type=\"share\",topic=\"" + TOPIC + "\",partition=\"0\"} ";
            assertThat(monitor.metrics()).contains("kgroups_group_lag" + series + "5\n", "kgroups_group_start_offset" + series
                    + "4\n", "kgroups_group_status{group=\"" + GROUP + "\",type=\"share\"} 2\n")
                    .doesNotContain("kgroups_group_committed_offset{group=\"" + GROUP + "\"");
        }
    }
}
