package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kgroups.admin.GroupAdmin;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaCluster;
import io.kgroups.embedded.KafkaExtension;
import io.kgroups.monitor.GroupStatus;
import io.kgroups.monitor.LagMonitor;
import io.kgroups.monitor.Status;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import java.util.regex.Matcher;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The README's least-privilege table, row by row, on a broker that checks SASL/SCRAM and ACLs:
 * each command with a principal that has exactly what the row says (it works), and with one that
 * lacks one of it (refused in words that name the principal, the operation, the resource and the
 * kafka-acls line; or, for what a read only adds, marked unavailable; never a smaller figure shown
 * as whole, never a change).
 */
@ExtendWith(KafkaExtension.class)
@KafkaCluster(secure = true)
class LeastPrivilegeTest {
    private static final String TOPIC = "lp-orders";
    private static final String PASSWORD = "lp-password-never-shown";

    private static EmbeddedKafka kafka;
    private static int users;

    @TempDir
    Path dir;

    @BeforeAll
    static void ordersAndGroups(EmbeddedKafka secured) throws Exception {
        kafka = secured;
        kafka.createTopic(TOPIC, 2);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(kafka.adminClientProperties(),
                new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>(TOPIC, i % 2, "k" + i, "v" + i));
            }
        }
    }

    /** A group with offsets 4 and 6 of the 10 records on each partition: lag 10. */
    private static String groupWithLag() throws Exception {
        String group = "lp-group-" + (++users);
        try (Admin admin = Admin.create(kafka.adminClientProperties())) {
            admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(4),
                    new TopicPartition(TOPIC, 1), new OffsetAndMetadata(6))).all().get();
        }
        return group;
    }

    /** A user with exactly these ACLs, and a --command-config file for it. */
    private Path user(AclBinding... acls) {
        String name = "lp-user-" + (++users);
        kafka.addUser(name, PASSWORD);
        List<AclBinding> bound = new ArrayList<>();
        for (AclBinding acl : acls) {
            bound.add(new AclBinding(acl.pattern(), new AccessControlEntry("User:" + name, "*", acl.entry().operation(),
                    AclPermissionType.ALLOW)));
        }
        if (!bound.isEmpty()) {
            kafka.grant(bound.toArray(AclBinding[]::new));
        }
        Properties props = kafka.clientProperties(name, PASSWORD);
        props.remove("bootstrap.servers");
        Path file = dir.resolve(name + ".properties");
        try (OutputStream out = Files.newOutputStream(file)) {
            props.store(out, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private static AclBinding on(ResourceType type, String name, AclOperation operation) {
        return new AclBinding(new ResourcePattern(type, name, PatternType.LITERAL),
                new AccessControlEntry("User:placeholder", "*", operation, AclPermissionType.ALLOW));
    }

    private static AclBinding group(String group, AclOperation operation) {
        return on(ResourceType.GROUP, group, operation);
    }

    private static AclBinding topic(AclOperation operation) {
        return on(ResourceType.TOPIC, TOPIC, operation);
    }

    private static Cli.Result run(Path config, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-server", kafka.bootstrapServers(), "--command-config", config.toString()));
        Cli.Result result = Cli.run(all.toArray(String[]::new));
        assertThat(result.all()).as("no secret in what the user sees").doesNotContain(PASSWORD);
        return result;
    }

    private static JsonNode describe(Path config, String group, int exitCode) {
        return JsonContract.answer(run(config, "describe", group, "--output", "json"), "describe", exitCode).get(0);
    }

    @Test
    void groupsListsTheGroupsThePrincipalMayDescribe() throws Exception {
        String group = groupWithLag();
        Path allowed = user(group(group, AclOperation.DESCRIBE));
        Path none = user();

        assertThat(run(allowed, "groups").out()).contains(group);
        assertThat(run(none, "groups").out()).as("Kafka lists only the groups one may describe").doesNotContain(group);
    }

    @Test
    void describeNeedsDescribeOnTheGroupAndTheTopic() throws Exception {
        String group = groupWithLag();
        Path exactly = user(group(group, AclOperation.DESCRIBE), topic(AclOperation.DESCRIBE));
        Path noGroup = user(topic(AclOperation.DESCRIBE));

        JsonNode whole = describe(exactly, group, CliException.OK);
        assertThat(whole.get("totalLag").asLong()).isEqualTo(10);

        Cli.Result refused = run(noGroup, "describe", group);
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(CliException.FAILED);
        assertThat(refused.err().lines()).as("one line, no stack trace").singleElement().asString()
                .contains("is not authorized to", "it needs Describe on group '" + group + "'",
                        "kafka-acls --bootstrap-server " + kafka.bootstrapServers(), "--operation Describe --group " + group);
    }

    /**
     * Kafka leaves a topic the principal may not describe out of a group's offsets without a word:
     * the group would look caught up. A classic group's members name the topic in their
     * assignment: its partitions are marked. A consumer-protocol group's describe itself is refused
     * (KIP-848): the group is marked. Either way a partial answer, exit 3, never a lag of 0.
     */
    @ParameterizedTest
    @ValueSource(strings = {"classic", "consumer"})
    void aTopicThePrincipalMayNotDescribeIsMarkedNotLeftOutOfTheLag(String protocol) throws Exception {
        String group = groupWithLag();
        Path noTopic = user(group(group, AclOperation.DESCRIBE));
        Properties member = kafka.adminClientProperties();
        member.put("group.id", group);
        member.put("group.protocol", protocol);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(member, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            await("the member is assigned the topic").atMost(Duration.ofSeconds(60)).pollInSameThread()
                    .until(() -> {
                        consumer.poll(Duration.ofMillis(100));
                        return !consumer.assignment().isEmpty();
                    });

            Cli.Result result = run(noTopic, "describe", group, "--output", "json");
            assertThat(result.exitCode()).as("%s", result).isEqualTo(CliException.PARTIAL);
            assertThat(result.out()).as("no lag shown as if whole").doesNotContain("\"totalLag\":0");
            if (protocol.equals("classic")) {
                assertThat(result.err()).contains("offsets of topic " + TOPIC + " not visible",
                        "it needs Describe on topic '" + TOPIC + "'", "--operation Describe --topic " + TOPIC);
                // The monitor, as the same principal: the group is UNKNOWN, its partitions say why, not OK with lag 0.
                GroupStatus status = firstCycleAs(noTopic, group);
                assertThat(status.status()).as("%s", status).isEqualTo(Status.UNKNOWN);
                assertThat(status.partitions()).as("%s", status).allSatisfy(p -> assertThat(p.reason())
                        .contains("offsets of topic " + TOPIC + " not visible"));
            } else {
                assertThat(result.err()).contains("is not authorized to describe group " + group,
                        "it needs Describe on the topics", "--operation Describe --topic");
            }
        }
    }

    /**
     * An empty group names no topic: once the principal loses Describe on a topic the group has
     * offsets on, Kafka just leaves them out. The monitor remembers the group's topics: the next
     * cycle marks the group UNKNOWN, its partitions of that topic saying why, not OK with less lag.
     */
    @Test
    void theMonitorMarksATopicThatBecameHiddenFromTheGroupsOffsets() throws Exception {
        String group = groupWithLag();
        Path config = user(group(group, AclOperation.DESCRIBE), topic(AclOperation.DESCRIBE));
        Properties props = new Properties();
        try (var in = Files.newInputStream(config)) {
            props.load(in);
        }
        Matcher name = Pattern.compile("username=\"([^\"]+)\"").matcher(props.getProperty("sasl.jaas.config"));
        assertThat(name.find()).isTrue();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        try (GroupAdmin admin = GroupAdmin.create(props, Duration.ofSeconds(30));
             LagMonitor monitor = LagMonitor.builder(admin).include(Pattern.compile(Pattern.quote(group))).build()) {
            monitor.cycle();
            GroupStatus seen = monitor.snapshot().group(group).orElseThrow();
            assertThat(seen.totalLag()).as("%s", seen).isEqualTo(10);

            kafka.revoke(new AclBindingFilter(new ResourcePatternFilter(ResourceType.TOPIC, TOPIC, PatternType.LITERAL),
                    new AccessControlEntryFilter("User:" + name.group(1), null, AclOperation.DESCRIBE, AclPermissionType.ALLOW)));
            monitor.cycle();
            GroupStatus hidden = monitor.snapshot().group(group).orElseThrow();
            assertThat(hidden.status()).as("%s", hidden).isEqualTo(Status.UNKNOWN);
            assertThat(hidden.partitions()).as("%s", hidden).hasSize(2).allSatisfy(p -> {
                assertThat(p.status()).isEqualTo(Status.UNKNOWN);
                assertThat(p.reason()).contains("offsets of topic " + TOPIC + " not visible",
                        "it needs Describe on topic '" + TOPIC + "'");
            });
            monitor.cycle();
            assertThat(monitor.snapshot().group(group).orElseThrow().status()).as("still marked a cycle later")
                    .isEqualTo(Status.UNKNOWN);
        }
    }

    @Test
    void doctorNeedsWhatLagNeedsAndReadForTheRecordAStuckPartitionWaitsOn() throws Exception {
        String group = groupWithLag(); // no member, records waiting: stuck at offsets 4 and 6
        Path withRead = user(group(group, AclOperation.DESCRIBE), topic(AclOperation.DESCRIBE), topic(AclOperation.READ));
        Path describeOnly = user(group(group, AclOperation.DESCRIBE), topic(AclOperation.DESCRIBE));
        Path groupOnly = user(group(group, AclOperation.DESCRIBE));

        JsonNode read = doctor(withRead, group);
        assertThat(stuckRecord(read, "lp-orders-0")).startsWith("record at offset 4: ").contains("key \"k8\"");

        // Without Read the findings are whole; only the record is missing, and the finding says why.
        JsonNode described = doctor(describeOnly, group);
        assertThat(stuckRecord(described, "lp-orders-0")).startsWith("the record at offset 4 could not be read: ")
                .contains("lp-orders");
        assertThat(kinds(described)).isEqualTo(kinds(read));

        // Without Describe on the topic, Kafka leaves its offsets out without a word: an empty group showing none is
        // named an access gap, with the grant that closes it, never "healthy, nothing waits".
        Cli.Result hidden = run(groupOnly, "doctor", group, "--watch", "0s", "--output", "json");
        assertThat(hidden.exitCode()).as(hidden.err()).isEqualTo(CliException.FAILED);
        JsonNode access = null;
        for (JsonNode f : JsonContract.valid("doctor", hidden.out()).get("data").get("findings")) {
            access = f.get("kind").asText().equals("access") ? f : access;
        }
        assertThat(access).as("an access finding in %s", hidden.out()).isNotNull();
        assertThat(access.get("title").asText()).contains("may not describe");
        assertThat(access.get("advice").toString()).contains("kafka-acls", "--operation Describe --topic");
        // The monitor, as that principal, from its first cycle: UNKNOWN saying why, not OK with lag 0.
        GroupStatus status = firstCycleAs(groupOnly, group);
        assertThat(status.status()).as("%s", status).isEqualTo(Status.UNKNOWN);
        assertThat(status.reasons()).as("%s", status).anySatisfy(r -> assertThat(r).startsWith("no offsets visible"));
    }

    /** The group as a monitor sees it at its first cycle, connected with the client config {@code config}. */
    private static GroupStatus firstCycleAs(Path config, String group) throws IOException {
        Properties props = new Properties();
        try (var in = Files.newInputStream(config)) {
            props.load(in);
        }
        props.put("bootstrap.servers", kafka.bootstrapServers());
        try (GroupAdmin admin = GroupAdmin.create(props, Duration.ofSeconds(30));
             LagMonitor monitor = LagMonitor.builder(admin).include(Pattern.compile(Pattern.quote(group))).build()) {
            monitor.cycle();
            return monitor.snapshot().group(group).orElseThrow();
        }
    }

    private static JsonNode doctor(Path config, String group) {
        return JsonContract.answer(run(config, "doctor", group, "--watch", "1s", "--interval", "500ms", "--output", "json"),
                "doctor", CliException.FAILED);
    }

    /** The last line of the evidence of the stuck finding of {@code partition}: the record it waits on. */
    private static String stuckRecord(JsonNode doctor, String partition) {
        for (JsonNode f : doctor.get("findings")) {
            if (f.get("kind").asText().equals("stuck") && f.get("partitions").get(0).asText().equals(partition)) {
                JsonNode evidence = f.get("evidence");
                return evidence.get(evidence.size() - 1).asText();
            }
        }
        throw new AssertionError("no stuck finding for " + partition + " in " + doctor);
    }

    private static List<String> kinds(JsonNode doctor) {
        List<String> kinds = new ArrayList<>();
        doctor.get("findings").forEach(f -> kinds.add(f.get("kind").asText()));
        return kinds;
    }

    @Test
    void timeLagNeedsReadOnTheTopicAndIsOtherwiseUnavailable() throws Exception {
        String group = groupWithLag();
        Path withRead = user(group(group, AclOperation.DESCRIBE), topic(AclOperation.DESCRIBE), topic(AclOperation.READ));
        Path withoutRead = user(group(group, AclOperation.DESCRIBE), topic(AclOperation.DESCRIBE));

        assertThat(describe(withRead, group, CliException.OK).get("partitions").get(0).get("lagSeconds").isNumber()).isTrue();
        JsonNode p = describe(withoutRead, group, CliException.OK).get("partitions").get(0);
        assertThat(p.get("lagSeconds").isNull()).isTrue();
        assertThat(p.get("lag").asLong()).as("the lag in records is whole").isEqualTo(6);
        assertThat(p.get("note").asText()).isEqualTo("time lag unavailable (needs READ on topic " + TOPIC + ")");
    }

    @Test
    void resetNeedsReadOnTheGroupAndTheTopic() throws Exception {
        String group = groupWithLag();
        AclBinding[] reads = {group(group, AclOperation.DESCRIBE), topic(AclOperation.DESCRIBE)};
        Path exactly = user(group(group, AclOperation.DESCRIBE), group(group, AclOperation.READ), topic(AclOperation.DESCRIBE),
                topic(AclOperation.READ));
        Path noRead = user(reads);

        Cli.Result refused = run(noRead, "reset", group, "--all-topics", "--to-latest", "--execute", "--backup-dir",
                dir.resolve("b").toString(), "--audit-log", dir.resolve("audit").toString());
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(CliException.FAILED);
        assertThat(refused.err()).contains("it needs Read on group '" + group + "'", "--operation Read --group " + group);
        assertThat(describe(exactly, group, CliException.OK).get("totalLag").asLong()).as("nothing changed").isEqualTo(10);

        Cli.Result done = run(exactly, "reset", group, "--all-topics", "--to-latest", "--execute", "--backup-dir",
                dir.resolve("b").toString(), "--audit-log", dir.resolve("audit").toString());
        assertThat(done.exitCode()).as(done.toString()).isZero();
        assertThat(describe(exactly, group, CliException.OK).get("totalLag").asLong()).isZero();
    }

    @Test
    void deleteNeedsDeleteOnTheGroup() throws Exception {
        String group = groupWithLag();
        Path exactly = user(group(group, AclOperation.DESCRIBE), group(group, AclOperation.DELETE),
                topic(AclOperation.DESCRIBE));
        Path noDelete = user(group(group, AclOperation.DESCRIBE), topic(AclOperation.DESCRIBE));

        Cli.Result refused = run(noDelete, "delete", group, "--keep-configs", "--execute", "--backup-dir",
                dir.resolve("b").toString());
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(CliException.FAILED);
        assertThat(refused.err()).contains("it needs Delete on group '" + group + "'");
        assertThat(describe(exactly, group, CliException.OK).get("totalLag").asLong()).as("still there").isEqualTo(10);

        Cli.Result done = run(exactly, "delete", group, "--keep-configs", "--execute", "--backup-dir",
                dir.resolve("b").toString());
        assertThat(done.exitCode()).as(done.toString()).isZero();
    }

    @Test
    void deleteOffsetsNeedsDeleteOnTheGroupAndReadOnTheTopic() throws Exception {
        String group = groupWithLag();
        Path exactly = user(group(group, AclOperation.DESCRIBE), group(group, AclOperation.DELETE),
                topic(AclOperation.DESCRIBE), topic(AclOperation.READ));
        Path noRead = user(group(group, AclOperation.DESCRIBE), group(group, AclOperation.DELETE),
                topic(AclOperation.DESCRIBE));

        Cli.Result refused = run(noRead, "delete-offsets", group, "--topic", TOPIC, "--execute", "--backup-dir",
                dir.resolve("b").toString());
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(CliException.FAILED);
        assertThat(refused.err()).contains("needs Read on topic '" + TOPIC + "'", "nothing was changed");
        assertThat(refused.err()).as("no backup of a change that did not happen").doesNotContain("backup");

        Cli.Result done = run(exactly, "delete-offsets", group, "--topic", TOPIC, "--execute", "--backup-dir",
                dir.resolve("b").toString());
        assertThat(done.exitCode()).as(done.toString()).isZero();
    }
}
