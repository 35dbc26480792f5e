package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import io.kgroups.orders.OrderStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@ExtendWith(KafkaExtension.class)
class OrdersCommandsTest {

    @Test
    void producedOrdersAreLoadedAndTheInvalidOnesDeadLettered(EmbeddedKafka kafka) throws Exception {
        loadsEveryOrder(kafka, "consumer", "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    }

    /**
     * The same into PostgreSQL (the server of KGROUPS_TEST_POSTGRES_URL, in a schema of its own):
     * its upsert is PostgreSQL's ON CONFLICT, not H2's MERGE. Skipped without a server, except
     * where KGROUPS_TEST_POSTGRES_REQUIRED is set (.ci/run starts one).
     */
    @Test
    void producedOrdersAreLoadedIntoPostgresql(EmbeddedKafka kafka) throws Exception {
        String url = System.getenv("KGROUPS_TEST_POSTGRES_URL");
        if (url == null && Boolean.parseBoolean(System.getenv("KGROUPS_TEST_POSTGRES_REQUIRED"))) {
            throw new AssertionError("KGROUPS_TEST_POSTGRES_REQUIRED is set but KGROUPS_TEST_POSTGRES_URL is not");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(url != null, "no PostgreSQL: set KGROUPS_TEST_POSTGRES_URL");
        String user = System.getenv("KGROUPS_TEST_POSTGRES_USER");
        String password = System.getenv("KGROUPS_TEST_POSTGRES_PASSWORD");
        String schema = "kgroups_cli_" + UUID.randomUUID().toString().replace("-", "");
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, user, password)) {
            c.createStatement().execute("CREATE SCHEMA " + schema);
        }
        try {
            StringBuilder jdbcUrl = new StringBuilder(url).append(url.contains("?") ? '&' : '?').append("currentSchema=")
                    .append(schema);
            if (user != null) {
                jdbcUrl.append("&user=").append(user);
            }
            if (password != null) {
                jdbcUrl.append("&password=").append(password);
            }
            loadsEveryOrder(kafka, "consumer", jdbcUrl.toString());
        } finally {
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, user, password)) {
                c.createStatement().execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    /** On a share group the events come in any order: an older version after a newer one is absorbed, never applied. */
    @Test
    void aShareGroupOfLoadersLoadsEveryOrderAtItsLatestVersion(EmbeddedKafka kafka) throws Exception {
        loadsEveryOrder(kafka, "share", "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    }

    private static void loadsEveryOrder(EmbeddedKafka kafka, String groupType, String jdbcUrl) throws Exception {
        String topic = "cli-orders-" + UUID.randomUUID();
        kafka.createTopic(topic, 3);
        Cli.Result produced = Cli.run("produce-orders", "--bootstrap-server", kafka.bootstrapServers(), "--topic", topic,
                "--count", "2000", "--rate", "0", "--orders", "200", "--bad-ratio", "0.05", "--seed", "7", "--output", "json");
        assertThat(produced.exitCode()).as(produced.err()).isZero();
        JsonNode sent = new ObjectMapper().readTree(produced.out()).get("data");
        assertThat(sent.get("sent").asLong()).isEqualTo(2000);
        long valid = sent.get("valid").asLong();
        long invalid = sent.get("invalid").asLong();
        assertThat(valid + invalid).isEqualTo(2000);
        assertThat(invalid).isBetween(50L, 150L);

        String group = "cli_orders_loader_" + UUID.randomUUID(); // the broker is shared with other tests' groups
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        AtomicInteger exitCode = new AtomicInteger(-1);
        Thread loader = new Thread(() -> exitCode.set(Kgroups.execute(new String[] {"load-orders", "--bootstrap-server",
            kafka.bootstrapServers(), "--topic", topic, "--group", group, "--instances", "2", "--jdbc-url", jdbcUrl,
            "--http", "127.0.0.1:0", "--report-every", "200ms", "--group-type", groupType},
                new PrintWriter(out, true), new PrintWriter(err, true), Map.of())));
        loader.start();
        try {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(out.toString())
                    .as("the loader's /health address; stderr:%n%s", err).contains("/health"));
            Matcher health = Pattern.compile("(http://\\S+/health)").matcher(out.toString());
            assertThat(health.find()).isTrue();
            HttpClient http = HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                JsonNode loaders = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(URI.create(health.group(1)))
                        .build(), HttpResponse.BodyHandlers.ofString()).body()).get("data");
                long stored = 0;
                long dead = 0;
                for (JsonNode l : loaders) {
                    stored += l.get("stored").asLong();
                    dead += l.get("deadLettered").asLong();
                }
                assertThat(List.of(loaders.size(), stored, dead)).as("loaders, stored, dead-lettered; /health said %s", loaders)
                        .containsExactly(2, valid, invalid);
            });
            try (OrderStore store = OrderStore.open(jdbcUrl, null, null, 1, false)) {
                assertThat(store.versions()).hasSize(200);
                assertThat(store.versions()).as("every order at its latest version").isEqualTo(latestVersions(kafka, topic));
            }
        } finally {
            loader.interrupt();
            loader.join(60_000);
        }
        assertThat(loader.isAlive()).as("stopped within 60 s of an interrupt; it printed:%n%s%nstderr:%n%s", out, err)
                .isFalse();
        assertThat(exitCode.get()).isZero();
        Matcher totals = Pattern.compile("stored=(\\d+) applied=(\\d+) superseded=(\\d+) absorbed=(\\d+) "
                + "dead_lettered=(\\d+) stopped").matcher(out.toString());
        assertThat(totals.find()).as(out.toString()).isTrue();
        long applied = Long.parseLong(totals.group(2));
        long superseded = Long.parseLong(totals.group(3));
        long absorbed = Long.parseLong(totals.group(4));
        assertThat(List.of(Long.parseLong(totals.group(1)), applied + superseded + absorbed, Long.parseLong(totals.group(5))))
                .as("stored, applied + superseded + absorbed, dead-lettered").containsExactly(valid, valid, invalid);
        if (groupType.equals("consumer")) {
            assertThat(absorbed).as("a consumer group stores each order's events in order: nothing to absorb").isZero();
        } else {
            assertThat(superseded).as("a share group stores each event in a transaction of its own").isZero();
        }
    }

    /** The highest event_version of each valid order event in the topic, read back with a plain consumer. */
    private static Map<String, Long> latestVersions(EmbeddedKafka kafka, String topic) {
        Map<String, Long> latest = new java.util.HashMap<>();
        io.kgroups.orders.OrderEventJson json = new io.kgroups.orders.OrderEventJson();
        try (org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                Map.of("bootstrap.servers", kafka.bootstrapServers(), "group.id", "reader-" + UUID.randomUUID(),
                        "auto.offset.reset", "earliest"),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            int[] seen = {0};
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> {
                    seen[0]++;
                    try {
                        io.kgroups.orders.OrderEvent event = json.deserialize(topic, record.value());
                        latest.merge(event.orderId(), (long) event.eventVersion(), Math::max);
                    } catch (RuntimeException invalid) {
                        // an invalid event: dead-lettered, not in the table
                    }
                });
                return seen[0] >= 2000;
            });
        }
        return latest;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "load-orders --instances 0                    | --instances must be 1 to 64, was 0",
        "load-orders --ordering UNORDERED             | --ordering must be KEY or PARTITION",
        "load-orders --ordering SIDEWAYS              | Invalid value for option '--ordering'",
        "load-orders --http localhost                 | 'localhost' is not HOST:PORT",
        "produce-orders --rate fast                   | 'fast' is not a number of events per second",
        "produce-orders --bad-ratio 2                 | --bad-ratio must be 0 to 1",
        "produce-orders --orders 0                    | --orders must be at least 1",
        "demo --duration 5s                           | --duration must be at least 20s",
        "demo --protocol eager                        | expected one of [classic, consumer, share]",
        "load-orders --group-type queue               | expected one of [consumer, share]",
        "chaos --kill-every 10s --restart-after 10s   | --restart-after (10s) must be shorter than --kill-every (10s)",
        "chaos --rate 5                               | --rate must be at least 10 events per second",
    })
    void badInputIsAUsageErrorThatSaysWhatToWrite(String args, String message) {
        Cli.Result result = Cli.run(args.trim().split("\\s+"));
        assertThat(result.exitCode()).as(result.err()).isEqualTo(CliException.USAGE);
        assertThat(result.err()).contains(message);
        assertThat(result.err().lines()).hasSize(1);
    }

    @Test
    void anUnreachableDatabaseIsNamedWithoutItsPassword() {
        Cli.Result result = Cli.run(Map.of("KGROUPS_JDBC_PASSWORD", "env-secret"), "load-orders", "--jdbc-url",
                "jdbc:postgresql://127.0.0.1:1/orders?user=loader&password=hunter2", "--bootstrap-server", "127.0.0.1:1");
        assertThat(result.exitCode()).isEqualTo(CliException.FAILED);
        assertThat(result.err()).contains("cannot connect to jdbc:postgresql://127.0.0.1:1/orders?user=loader&password=[hidden]")
                .doesNotContain("hunter2").doesNotContain("env-secret");
    }
}
