package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kgroups.admin.GroupAdmin;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.monitor.LagMonitor;
import io.kgroups.monitor.MonitorSnapshot;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A cluster that runs Kafka Connect: a real worker (group {@code connect-cluster}, a classic group
 * of protocol type {@code connect}) and a sink connector (group {@code connect-orders-sink}, a
 * consumer group). Every all-groups command and a monitor cycle succeed, list the Connect group as
 * what it is, and leave it out of lag with a note. A cluster of its own: Connect's groups and
 * topics stay out of the shared one.
 */
class ConnectClusterCommandsTest {
    private static final String TOPIC = "connect-cli-orders";
    private static final String WORKER = ConnectWorker.DEFAULT_GROUP;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static EmbeddedKafka kafka;
    private static ConnectWorker worker;
    private static String sink;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.builder().build().start();
        kafka.createTopic(TOPIC, 2);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", kafka.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(TOPIC, i % 2, "k", "v" + i)).get();
            }
        }
        worker = ConnectWorker.start(kafka);
        sink = worker.startSink("orders-sink", TOPIC);
        // The sink has read everything once its offsets reach the log end: the lag figures below are settled.
        await("the sink's commits").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode partitions = JSON.readTree(run("describe", sink, "--output", "json").out()).get("data").get(0)
                    .get("partitions");
            assertThat(partitions).as("%s", partitions).hasSize(2).allSatisfy(p -> assertThat(p.get("lag").asText()).isEqualTo("0"));
        });
    }

    @AfterAll
    static void stop() {
        if (worker != null) {
            worker.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private static Cli.Result run(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--bootstrap-server";
        all[args.length + 1] = kafka.bootstrapServers();
        return Cli.run(all);
    }

    @Test
    void groupsListsTheWorkerGroupWithItsProtocolTypeAndMembers() {
        Cli.Result result = run("groups", "--output", "csv");

        assertThat(result.exitCode()).as("%s", result).isZero();
        assertThat(result.out()).contains(WORKER + ",Stable,classic,connect,1,,");
        assertThat(JsonContract.answer(run("groups", "--output", "json"), "groups", CliException.OK).findValuesAsText("protocolType"))
                .contains("connect", "consumer");
        assertThat(result.out()).contains(sink + ",Stable,classic,consumer,1," + TOPIC + ",0");
        assertThat(run("groups", "--type", "connect", "--output", "csv").out().lines().skip(1))
                .singleElement().asString().startsWith(WORKER + ",");
    }

    @Test
    void describeAllGroupsDescribesTheWorkerGroupAsFarAsKafkaAllows() throws Exception {
        Cli.Result result = run("describe", "--all-groups", "--output", "json");

        JsonNode groups = JsonContract.answer(result, "describe", CliException.OK);
        JsonNode connect = find(groups, WORKER);
        assertThat(connect.get("consumerGroup").asBoolean()).isFalse();
        assertThat(connect.get("protocolType").asText()).isEqualTo("connect");
        assertThat(connect.get("members").asInt()).isEqualTo(1);
        assertThat(connect.get("memberDetails")).hasSize(1);
        assertThat(connect.get("partitions")).isEmpty();
        JsonNode sinkGroup = find(groups, sink);
        assertThat(sinkGroup.get("consumerGroup").asBoolean()).isTrue();
        assertThat(sinkGroup.get("partitions")).hasSize(2);
        assertThat(sinkGroup.get("totalLag").asLong()).isZero();

        Cli.Result text = run("describe", WORKER);
        assertThat(text.exitCode()).as("%s", text).isZero();
        assertThat(text.out()).contains("protocol type connect", "members 1", "not a consumer group");
    }

    @Test
    void lagLeavesTheWorkerGroupOutWithANote() {
        Cli.Result result = run("lag", "--output", "csv");

        assertThat(result.exitCode()).as("%s", result).isZero();
        assertThat(result.out()).contains(sink + "," + TOPIC + ",0");
        assertThat(result.out()).doesNotContain(WORKER + ",");
        assertThat(result.err()).contains("left out " + WORKER, "protocol type 'connect'");

        Cli.Result json = run("lag", "--output", "json");
        // The note is in the answer too, as a warning: what was left out, in the words of stderr.
        assertThat(JsonContract.answer(json, "lag", CliException.OK).findValuesAsText("group")).doesNotContain(WORKER);
        assertThat(json.err()).contains("kgroups: note: left out " + WORKER);

        Cli.Result named = run("lag", WORKER);
        assertThat(named.exitCode()).isEqualTo(CliException.FAILED);
        assertThat(named.err()).contains(WORKER, "no consumer offsets to monitor");
    }

    @Test
    void resetRefusesTheWorkerGroupAndChangesNothing() {
        Cli.Result result = run("reset", WORKER, "--topic", TOPIC, "--to-earliest", "--execute");

        assertThat(result.exitCode()).as("%s", result).isEqualTo(CliException.FAILED);
        assertThat(result.err()).contains("protocol type 'connect'", "nothing was changed");
        assertThat(run("describe", WORKER, "--output", "json").out()).contains("\"partitions\":[]");
    }

    @Test
    void deleteRefusesTheWorkerGroupAndChangesNothing() {
        Cli.Result result = run("delete", WORKER, "--execute");

        assertThat(result.exitCode()).as("%s", result).isEqualTo(CliException.FAILED);
        assertThat(result.err()).contains("protocol type 'connect'", "kgroups deletes consumer, share and streams groups only",
                "nothing was changed");
        assertThat(run("describe", WORKER).out()).contains("protocol type connect", "members 1");
    }

    @Test
    void aMonitorCycleSucceedsAndSkipsTheWorkerGroup() {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        try (GroupAdmin admin = GroupAdmin.create(props, Duration.ofSeconds(30));
             LagMonitor monitor = LagMonitor.builder(admin).build()) {
            monitor.cycle();
            MonitorSnapshot snapshot = monitor.snapshot();
            assertThat(snapshot.failedCycles()).as("%s", monitor.lastFailure()).isZero();
            assertThat(snapshot.group(sink)).isPresent();
            assertThat(snapshot.group(WORKER)).isEmpty();
            assertThat(snapshot.skipped()).containsKey(WORKER);
        }
    }

    private static JsonNode find(JsonNode groups, String name) {
        for (JsonNode g : groups) {
            if (g.get("group").asText().equals(name)) {
                return g;
            }
        }
        throw new AssertionError("no group " + name + " in " + groups);
    }
}
