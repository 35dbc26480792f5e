package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kgroups.embedded.EmbeddedKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The output contract (README "Output contract", docs/schemas): every command's --output json is
 * the envelope, valid by the command's schema, and its --output csv has the schema's row fields
 * as its header; the monitor's /api likewise. Run against a real Kafka of its own (so that the
 * groups on it are these): a group with committed offsets and no members, and a group with a
 * member that has committed nothing. (A partial read, exit code 3, needs a broker stopped under a
 * partition: PartialFailureTest and the admin's tests make one.)
 */
class OutputContractTest {
    private static final String TOPIC = "contract-orders";
    private static final String LOADER = "contract_loader";
    private static final String LIVE = "contract_live";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static EmbeddedKafka kafka;
    private static Admin admin;
    private static final AtomicBoolean running = new AtomicBoolean(true);
    private static Thread member;

    @TempDir
    static Path dir;

    @BeforeAll
    static void aClusterOfItsOwn() throws Exception {
        kafka = EmbeddedKafka.builder().build().start();
        kafka.createTopic(TOPIC, 2);
        admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>(TOPIC, i % 2, "k", "v" + i)).get();
            }
        }
        admin.alterConsumerGroupOffsets(LOADER, Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(4),
                new TopicPartition(TOPIC, 1), new OffsetAndMetadata(10))).all().get();
        AtomicBoolean assigned = new AtomicBoolean();
        member = new Thread(() -> {
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
                    "group.id", LIVE, "client.id", "contract-member", "enable.auto.commit", "false"),
                    new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of(TOPIC));
                while (running.get()) {
                    consumer.poll(Duration.ofMillis(100)); // a member that never commits
                    assigned.set(consumer.assignment().size() == 2);
                }
            }
        }, "contract-member");
        member.start();
        await("the member of " + LIVE + " holds both partitions").atMost(Duration.ofSeconds(60)).untilTrue(assigned);
    }

    @AfterAll
    static void stop() throws Exception {
        running.set(false);
        if (member != null) {
            member.join(30_000);
        }
        if (admin != null) {
            admin.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private static Cli.Result run(String... args) {
        String[] all = Stream.concat(Stream.of(args), Stream.of("--bootstrap-server", kafka.bootstrapServers()))
                .toArray(String[]::new);
        return Cli.run(all);
    }

    /** One command's JSON answer (see {@link JsonContract#answer}): its data. */
    private static JsonNode json(int exitCode, String command, String... args) {
        return JsonContract.answer(run(concat(args, new String[] {"--output", "json"})), command, exitCode);
    }

    /** One command's CSV: its header is the schema's row fields ({@code leading} first), and its rows as lines. */
    private static List<String> csv(List<String> header, String... args) {
        Cli.Result result = run(Stream.concat(Stream.of(args), Stream.of("--output", "csv")).toArray(String[]::new));
        assertThat(result.exitCode()).as("exit code; stderr: %s", result.err()).isIn(CliException.OK, CliException.PARTIAL);
        assertThat(result.out().lines().findFirst()).as("%s", result.out()).contains(String.join(",", header));
        return result.out().lines().skip(1).toList();
    }

    private static List<String> with(String first, List<String> rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }

    @Test
    void groups() {
        JsonNode groups = json(CliException.OK, "groups", "groups");
        assertThat(groups.findValuesAsText("group")).contains(LOADER, LIVE);
        JsonNode loader = find(groups, LOADER);
        assertThat(loader.get("topics")).as("a list, not words").hasSize(1).first().extracting(JsonNode::asText).isEqualTo(TOPIC);
        assertThat(loader.get("totalLag").asLong()).isEqualTo(6 + 0);
        assertThat(find(groups, LIVE).get("members").asInt()).isEqualTo(1);

        List<String> rows = csv(JsonContract.fields("groups", "/$defs/group"), "groups");
        assertThat(rows).contains(LOADER + ",Empty,classic,,0," + TOPIC + ",6,");
    }

    @Test
    void describe() {
        JsonNode groups = json(CliException.OK, "describe", "describe", LOADER, LIVE);
        JsonNode loader = find(groups, LOADER);
        assertThat(loader.get("type").asText()).isEqualTo("classic");
        assertThat(loader.get("totalLag").asLong()).isEqualTo(6);
        assertThat(loader.get("partitions").get(0).get("committedOffset").asLong()).isEqualTo(4);
        assertThat(loader.get("partitions").get(0).get("startOffset").isNull()).as("only share groups have one").isTrue();
        JsonNode live = find(groups, LIVE);
        assertThat(live.get("members").asInt()).isEqualTo(1);
        assertThat(live.get("memberDetails").get(0).get("assignment")).hasSize(2);
        assertThat(live.get("partitions")).allSatisfy(p -> assertThat(p.get("committedOffset").isNull()).isTrue());

        List<String> rows = csv(with("group", JsonContract.fields("describe", "/$defs/partition")), "describe", LOADER);
        assertThat(rows).hasSize(2).first().asString().startsWith(LOADER + "," + TOPIC + ",0,4,,0,10,6,6,");
    }

    @Test
    void lag() {
        JsonNode rows = json(CliException.OK, "lag", "lag", LOADER);
        assertThat(rows).singleElement().satisfies(row -> {
            assertThat(row.get("lag").asLong()).isEqualTo(6);
            assertThat(row.get("moved").isNull()).as("a first look cannot tell").isTrue();
        });
        assertThat(csv(JsonContract.fields("lag", "/properties/data/items"), "lag", LOADER)).singleElement().asString()
                .startsWith(LOADER + "," + TOPIC + ",6,");
    }

    @Test
    void lagWatchPrintsOneEnvelopePerRedrawOnALine() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        AtomicInteger exitCode = new AtomicInteger(-1);
        Thread watch = new Thread(() -> exitCode.set(Kgroups.execute(new String[] {"lag", LOADER, "--watch", "1s", "--output",
            "json", "--bootstrap-server", kafka.bootstrapServers()}, new PrintWriter(out, true), new PrintWriter(err, true),
                Map.of())));
        watch.start();
        try {
            await("two redraws").atMost(Duration.ofSeconds(60)).failFast("lag --watch ended: " + err, () -> !watch.isAlive())
                    .until(() -> out.toString().lines().count() >= 2);
        } finally {
            watch.interrupt();
            watch.join(30_000);
        }
        assertThat(exitCode.get()).as("stopped by an interrupt; stderr: %s", err).isZero();
        List<String> lines = out.toString().lines().toList();
        for (String line : lines) {
            JsonContract.valid("lag", line);
        }
        assertThat(JsonContract.parse(lines.get(1)).get("data").get(0).get("moved").asBoolean()).as("since the first redraw")
                .isFalse();
    }

    @Test
    void resetPlansExecutesAndExportsForAnImport() throws Exception {
        String group = "contract_reset";
        admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(8),
                new TopicPartition(TOPIC, 1), new OffsetAndMetadata(8))).all().get();
        String[] files = {"--backup-dir", dir.toString(), "--audit-log", dir.resolve("audit.log").toString()};

        JsonNode dryRun = json(CliException.OK, "reset", "reset", group, "--topic", TOPIC, "--to-earliest");
        assertThat(dryRun.get("executed").asBoolean()).isFalse();
        assertThat(dryRun.get("recordsReadAgain").asLong()).isEqualTo(16);
        assertThat(csv(JsonContract.fields("reset", "/$defs/partition"), "reset", group, "--topic", TOPIC, "--to-earliest"))
                .as("the span of time read again, in seconds").hasSize(2)
                .allMatch(row -> row.matches(TOPIC + ",[01],8,0,-8,false,\\d+(\\.\\d+)?"));

        Cli.Result clamped = run("reset", group, "--all-topics", "--to-offset", "1000", "--output", "json");
        assertThat(JsonContract.valid("reset", clamped.out()).get("warnings")).as("the clamped targets").hasSize(2);

        JsonNode executed = json(CliException.OK, "reset", concat(new String[] {"reset", group, "--all-topics", "--shift-by",
            "-2", "--execute"}, files));
        assertThat(executed.get("executed").asBoolean()).isTrue();
        assertThat(Path.of(executed.get("backupFile").asText())).exists();

        JsonNode offsets = json(CliException.OK, "offsets export", "offsets", "export", group);
        assertThat(offsets.findValuesAsText("offset")).containsExactly("6", "6");
        assertThat(run("offsets", "export", group).out().lines()).as("Kafka's format").containsExactly(TOPIC + ",0,6",
                TOPIC + ",1,6");
        List<String> rows = csv(JsonContract.fields("offsets export", "/properties/data/items"), "offsets", "export", group);
        Path export = Files.write(dir.resolve("export.csv"), with("topic,partition,offset", rows));

        String copy = "contract_copy";
        JsonNode imported = json(CliException.OK, "offsets import", concat(new String[] {"offsets", "import", export.toString(),
            copy, "--create-group", "--execute"}, files));
        assertThat(imported.get("partitions").findValuesAsText("targetOffset")).containsExactly("6", "6");
        JsonNode copied = json(CliException.OK, "offsets copy", "offsets", "copy", LOADER, copy);
        assertThat(copied.get("partitions").findValuesAsText("targetOffset")).containsExactly("4", "10");
    }

    @Test
    void deleteAndDeleteOffsetsPlanExecuteAndNameTheirUndo() throws Exception {
        String group = "contract_delete";
        admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(3, "done:4"),
                new TopicPartition(TOPIC, 1), new OffsetAndMetadata(5))).all().get();
        String[] files = {"--backup-dir", dir.toString(), "--audit-log", dir.resolve("audit.log").toString()};

        JsonNode dryRun = json(CliException.OK, "delete-offsets", "delete-offsets", group, "--topic", TOPIC + ":1");
        assertThat(dryRun.get("executed").asBoolean()).isFalse();
        assertThat(dryRun.get("backupFile").isNull()).isTrue();
        assertThat(dryRun.get("partitions").findValuesAsText("committedOffset")).containsExactly("5");
        assertThat(csv(with("group", JsonContract.fields("delete", "/$defs/partition")), "delete", group))
                .as("the offsets a delete would take, the metadata whole").containsExactly(
                        group + "," + TOPIC + ",0,3,,,done:4,7", group + "," + TOPIC + ",1,5,,,,5");

        JsonNode offsets = json(CliException.OK, "delete-offsets", concat(new String[] {"delete-offsets", group, "--topic",
            TOPIC + ":1", "--execute"}, files));
        assertThat(Path.of(offsets.get("backupFile").asText())).exists();
        JsonNode deleted = json(CliException.OK, "delete", concat(new String[] {"delete", group, "--execute"}, files));
        assertThat(deleted).singleElement().satisfies(d -> {
            assertThat(d.get("executed").asBoolean()).isTrue();
            assertThat(d.get("undo").asText()).contains("offsets import", "--create-group", "--execute");
        });
        assertThat(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()).isEmpty();
    }

    @Test
    void cluster() {
        JsonNode cluster = json(CliException.OK, "cluster", "cluster");
        assertThat(cluster.get("brokers")).singleElement().satisfies(b -> assertThat(b.get("port").asInt())
                .isEqualTo(kafka.ports().get(0)));
        assertThat(csv(with("clusterId", JsonContract.fields("cluster", "/$defs/broker")), "cluster")).singleElement()
                .asString().startsWith(cluster.get("clusterId").asText() + ",1,");
    }

    @Test
    void produceOrders() {
        String topic = "contract-produced";
        JsonNode produced = json(CliException.OK, "produce-orders", "produce-orders", "--topic", topic, "--count", "20",
                "--rate", "0");
        assertThat(produced.get("sent").asLong()).isEqualTo(20);
        assertThat(csv(JsonContract.fields("produce-orders", "/properties/data"), "produce-orders", "--topic", topic,
                "--count", "5", "--rate", "0")).singleElement().asString().startsWith(topic + ",5,");
    }

    @Test
    void broker() throws Exception {
        try (Running broker = new Running("broker", "--port", "0", "--output", "json")) {
            JsonNode data = JsonContract.valid("broker", broker.firstLine()).get("data");
            assertThat(data.get("secure").asBoolean()).isFalse();
            assertThat(data.get("clientProperties").isNull()).isTrue();
        }
        try (Running secured = new Running("broker", "--secure", "--port", "0", "--output", "json")) {
            JsonNode data = JsonContract.valid("broker", secured.firstLine()).get("data");
            assertThat(data.get("secure").asBoolean()).isTrue();
            assertThat(data.get("clientProperties").asText()).endsWith("client.properties");
        }
    }

    @Test
    void theMonitorAndItsApi() throws Exception {
        // A webhook receiver: --stopped-after 1s makes the Empty group with lag STOPPED within a few cycles.
        List<String> posted = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer receiver = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            posted.add(new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        try (Running monitor = new Running("monitor", "--http", "127.0.0.1:0", "--interval", "200ms", "--window", "3",
                "--stopped-after", "1s", "--webhook", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook",
                "--output", "json", "--bootstrap-server", kafka.bootstrapServers())) {
            String url = JsonContract.valid("monitor", monitor.firstLine()).get("data").get("url").asText();
            await("a cycle").atMost(Duration.ofSeconds(30)).until(() -> get(url + "/health/ready").statusCode() == 200);
            await("two samples of each partition").atMost(Duration.ofSeconds(30)).until(() -> api(url, "/api/groups/"
                    + LOADER + "/history", "api/group/history").get("partitions").findValues("samples").stream()
                    .allMatch(s -> s.size() >= 2));

            JsonNode status = api(url, "/api/status", "api/status");
            assertThat(status.get("intervalSeconds").asDouble()).isEqualTo(0.2);
            JsonNode groups = api(url, "/api/groups", "api/groups");
            assertThat(groups.get("groups").findValuesAsText("group")).contains(LOADER, LIVE);
            JsonNode live = api(url, "/api/group?name=" + LIVE, "api/group");
            assertThat(live.get("memberDetails").get(0).get("assignment")).hasSize(2);
            assertThat(api(url, "/api/groups/" + LOADER, "api/group").get("totalLag").asLong()).isEqualTo(6);
            JsonNode plan = envelope(url, "/api/groups/" + LOADER + "/reset-plan?spec=to-offset&value=1000", 200,
                    "api/group/reset-plan");
            assertThat(plan.get("warnings")).as("the clamped targets").hasSize(2);
            assertThat(plan.get("data").get("partitions")).hasSize(2);

            // LOADER: no member, lag 6 on 2 partitions: 3 members at 2 records each, capped at its 2 partitions
            JsonNode scaling = api(url, "/api/groups/" + LOADER + "/scaling?lagThreshold=2", "api/group/scaling");
            assertThat(List.of(scaling.get("replicas").asInt(), scaling.get("consumableLag").asInt(),
                    scaling.get("partitions").asInt())).as("replicas, consumable lag, partitions; %s", scaling)
                    .containsExactly(2, 6, 2);
            envelope(url, "/api/group/scaling?name=" + LOADER, 400, "api/error");
            envelope(url, "/api/group/scaling?name=" + LOADER + "&lagThreshold=many", 400, "api/error");
            envelope(url, "/api/groups/nope", 404, "api/error");
            envelope(url, "/api/group/reset-plan?name=" + LOADER + "&spec=to-nowhere", 400, "api/error");
            envelope(url, "/api/group?name=", 400, "api/error");

            await("a webhook of " + LOADER + "'s change; posted: " + posted).atMost(Duration.ofSeconds(30))
                    .until(() -> posted.stream().anyMatch(b -> b.contains("\"" + LOADER + "\"")));
            posted.forEach(body -> JsonContract.valid("webhook", body));
        } finally {
            receiver.stop(0);
        }
    }

    @Test
    void theLoadersHealth() throws Exception {
        String jdbcUrl = "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        try (Running loader = new Running("load-orders", "--topic", TOPIC, "--group", "contract_health", "--jdbc-url", jdbcUrl,
                "--http", "127.0.0.1:0", "--bootstrap-server", kafka.bootstrapServers())) {
            String health = loader.awaitOut("(http://\\S+/health)");
            await("the loader's health").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                HttpResponse<String> response = get(health);
                assertThat(response.statusCode()).as(response.body()).isIn(200, 503);
                JsonContract.valid("health", response.body());
            });
        }
    }

    /** A renamed field fails its schema: the schemas hold the field names, so that the tests catch a rename. */
    @Test
    void aRenamedFieldFailsTheSchema() {
        ObjectNode envelope = (ObjectNode) JsonContract.parse(run("groups", "--output", "json").out());
        ObjectNode group = (ObjectNode) envelope.get("data").get(0);
        group.set("lag", group.remove("totalLag"));
        assertThat(JsonContract.errors(envelope, JsonContract.schemaFile("groups"))).isNotEmpty();
        ObjectNode time = (ObjectNode) JsonContract.parse(run("groups", "--output", "json").out());
        time.put("time", "1733100000000");
        assertThat(JsonContract.errors(time, JsonContract.schemaFile("groups"))).as("a time that is not ISO-8601").isNotEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "demo --output json                  | demo prints its progress and check, not JSON or CSV: drop --output json",
        "chaos --output csv                  | chaos prints its progress and check",
        "load-orders --output json           | load-orders prints its totals as they grow",
        "completion --output json            | completion prints a shell script, not JSON or CSV",
        "lag --watch 5s --output csv         | --watch cannot print CSV",
    })
    void aCommandThatPrintsTextRefusesMachineOutput(String args, String message) {
        Cli.Result result = Cli.run(args.trim().split("\\s+"));

        assertThat(result.exitCode()).isEqualTo(CliException.USAGE);
        assertThat(result.err()).contains(message);
        assertThat(result.err().lines()).hasSize(1);
        assertThat(result.out()).isEmpty();
    }

    private static JsonNode api(String url, String path, String kind) throws Exception {
        return envelope(url, path, 200, kind).get("data");
    }

    /** An answer of the API: its HTTP status, and valid by the schema of its kind (api/error for errors). */
    private static JsonNode envelope(String url, String path, int status, String schema) throws Exception {
        HttpResponse<String> response = get(url + path);
        assertThat(response.statusCode()).as("%s: %s", path, response.body()).isEqualTo(status);
        JsonNode body = JsonContract.parse(response.body());
        assertThat(JsonContract.errors(body, JsonContract.schemaFile(schema))).as("%s: %s", path, response.body()).isEmpty();
        return body;
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode find(JsonNode groups, String name) {
        for (JsonNode g : groups) {
            if (g.get("group").asText().equals(name)) {
                return g;
            }
        }
        throw new AssertionError("no group " + name + " in " + groups);
    }

    private static String[] concat(String[] a, String[] b) {
        return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
    }

    /** A command that runs until interrupted (broker, monitor, load-orders), on a thread of this JVM. */
    private static final class Running implements AutoCloseable {
        private final StringWriter out = new StringWriter();
        private final StringWriter err = new StringWriter();
        private final Thread thread;

        Running(String... args) {
            thread = new Thread(() -> Kgroups.execute(args, new PrintWriter(out, true), new PrintWriter(err, true), Map.of()),
                    "kgroups-" + args[0]);
            thread.start();
        }

        /** The first line it prints (its JSON answer), within 60 s. */
        String firstLine() {
            await("the first line of " + thread.getName()).atMost(Duration.ofSeconds(60))
                    .failFast("it ended; stderr: " + err, () -> !thread.isAlive()).until(() -> out.toString().contains("\n"));
            return out.toString().lines().findFirst().orElseThrow();
        }

        /** The first group of {@code regex} in what it printed, within 60 s. */
        String awaitOut(String regex) {
            java.util.regex.Pattern pattern = java.util.regex.Pattern.compile(regex);
            await("'" + regex + "' in the output of " + thread.getName()).atMost(Duration.ofSeconds(60))
                    .failFast("it ended; stdout: " + out + " stderr: " + err, () -> !thread.isAlive())
                    .until(() -> pattern.matcher(out.toString()).find());
            java.util.regex.Matcher matcher = pattern.matcher(out.toString());
            matcher.find();
            return matcher.group(1);
        }

        @Override
        public void close() throws Exception {
            thread.interrupt();
            thread.join(60_000);
            assertThat(thread.isAlive()).as("stopped within 60 s of an interrupt; stderr: %s", err).isFalse();
        }
    }
}
