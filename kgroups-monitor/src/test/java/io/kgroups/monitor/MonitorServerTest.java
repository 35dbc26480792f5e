package io.kgroups.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kgroups.admin.GroupAdmin;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The monitor's HTTP side, over a real socket, for a lagging group on the embedded broker. */
@ExtendWith(KafkaExtension.class)
class MonitorServerTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void servesMetricsJsonAndHealth(EmbeddedKafka kafka) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        kafka.createTopic("served-orders", 2);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 30; i++) {
                producer.send(new ProducerRecord<>("served-orders", i % 2, "k", "v")).get();
            }
        }
        try (GroupAdmin admin = GroupAdmin.create(props, Duration.ofSeconds(30))) {
            admin.admin().alterConsumerGroupOffsets("served_loader", Map.of(
                    new TopicPartition("served-orders", 0), new OffsetAndMetadata(5),
                    new TopicPartition("served-orders", 1), new OffsetAndMetadata(15))).all().get();
            try (LagMonitor monitor = LagMonitor.builder(admin).interval(Duration.ofMillis(200)).window(3)
                    .include(java.util.regex.Pattern.compile("served_.*")).build();
                 WebhookNotifier webhooks = new WebhookNotifier(List.of(URI.create("http://127.0.0.1:1/hook?token=s3cret")), 1);
                 MonitorServer server = MonitorServer.builder(monitor).webhooks(webhooks)
                         .metrics(PrometheusText.Granularity.PARTITION).address("127.0.0.1", 0).start()) {
                String base = "http://127.0.0.1:" + server.port();
                assertThat(get(base + "/health/live").statusCode()).isEqualTo(200);
                assertThat(get(base + "/health/ready").statusCode()).isEqualTo(503);

                monitor.start();
                await().atMost(Duration.ofSeconds(30)).until(() -> get(base + "/health/ready").statusCode() == 200);

                JsonNode groups = data(get(base + "/api/groups"));
                assertThat(groups.get("groups")).hasSize(1);
                assertThat(groups.get("groups").get(0).get("group").asText()).isEqualTo("served_loader");
                assertThat(groups.get("groups").get(0).get("totalLag").asLong()).isEqualTo(10);
                assertThat(groups.get("windowCommits").asInt()).isEqualTo(3);
                assertThat(groups.get("allowedLag").asLong()).isZero();

                JsonNode group = data(get(base + "/api/groups/served_loader"));
                assertThat(group.get("partitions")).hasSize(2);
                assertThat(group.get("partitions").get(0).get("lag").asLong()).isEqualTo(10);
                // Offsets set once and never moved, watched for seconds: not enough evidence either way.
                assertThat(group.get("status").asText()).isEqualTo("UNKNOWN");
                assertThat(group.get("reasons").get(0).asText()).contains("collecting commits (1 of 3)");

                await().atMost(Duration.ofSeconds(30)).until(() ->
                        data(get(base + "/api/groups/served_loader/history")).get("partitions").get(0).get("samples").size() >= 2);

                // Time lag (so retention risk) needs an exact read of the first unconsumed record, which a cycle may miss.
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(get(base + "/metrics").body())
                        .contains("kgroups_group_retention_risk_seconds{group=\"served_loader\",type=\"classic\",topic=\"served-orders\",partition=\"0\"}"));
                String metrics = get(base + "/metrics").body();
                assertThat(metrics).contains("kgroups_group_lag{group=\"served_loader\",type=\"classic\",topic=\"served-orders\",partition=\"0\"} 10")
                        .contains("kgroups_group_status{group=\"served_loader\",type=\"classic\"}")
                        .contains("kgroups_group_retention_risk_seconds{group=\"served_loader\",type=\"classic\",topic=\"served-orders\",partition=\"0\"} 6")
                        .contains("# TYPE kgroups_monitor_cycles_total counter")
                        // the partition's own figure: once, not once per group
                        .contains("kgroups_partition_log_end_offset{topic=\"served-orders\",partition=\"0\"} 15\n")
                        .contains("kgroups_group_status{group=\"served_loader\",type=\"classic\"} -1")
                        .contains("kgroups_webhook_dropped_total{url=\"http://127.0.0.1:1/hook\"} 0")
                        .doesNotContain("s3cret");

                HttpResponse<String> unknown = get(base + "/api/groups/nope");
                assertThat(unknown.statusCode()).isEqualTo(404);
                assertThat(json(unknown).get("error").asText()).isEqualTo("no group 'nope' in the last cycle");
                assertThat(json(unknown).get("command").asText()).isEqualTo("api/group");
            }
        }
    }

    /** Group names may hold '/', '%' and spaces: the query forms of the API serve them. */
    @Test
    void aGroupNameWithSlashAndPercentIsServed(EmbeddedKafka kafka) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        kafka.createTopic("slashed-orders", 1);
        String name = "served team/a%2Fb 100%";
        try (GroupAdmin admin = GroupAdmin.create(props, Duration.ofSeconds(30))) {
            admin.admin().alterConsumerGroupOffsets(name, Map.of(new TopicPartition("slashed-orders", 0),
                    new OffsetAndMetadata(0))).all().get();
            try (LagMonitor monitor = LagMonitor.builder(admin).include(java.util.regex.Pattern.compile("served team/.*"))
                    .build();
                 MonitorServer server = MonitorServer.start(monitor, "127.0.0.1", 0)) {
                monitor.cycle();
                String query = "?name=" + java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8);
                String base = "http://127.0.0.1:" + server.port();
                assertThat(data(get(base + "/api/group" + query)).get("group").asText()).isEqualTo(name);
                assertThat(data(get(base + "/api/group/history" + query)).get("group").asText()).isEqualTo(name);
                assertThat(get(base + "/api/group/reset-plan" + query + "&spec=to-earliest").statusCode()).isEqualTo(200);
                assertThat(get(base + "/api/group?name=nope").statusCode()).isEqualTo(404);
            }
        }
    }

    /** Kafka takes any character in a group name, a newline too: monitored by default, and escaped in /metrics. */
    @Test
    void aGroupNameWithANewlineIsMonitored(EmbeddedKafka kafka) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        kafka.createTopic("newline-orders", 1);
        String name = "a\nb";
        try (GroupAdmin admin = GroupAdmin.create(props, Duration.ofSeconds(30))) {
            admin.admin().alterConsumerGroupOffsets(name, Map.of(new TopicPartition("newline-orders", 0),
                    new OffsetAndMetadata(0))).all().get();
            try (LagMonitor monitor = LagMonitor.builder(admin).build();
                 MonitorServer server = MonitorServer.builder(monitor).metrics(PrometheusText.Granularity.PARTITION).address("127.0.0.1", 0).start()) {
                monitor.cycle();
                String base = "http://127.0.0.1:" + server.port();
                assertThat(json(get(base + "/api/groups")).findValuesAsText("group")).contains(name);
                String query = "?name=" + java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8);
                assertThat(data(get(base + "/api/group" + query)).get("group").asText()).isEqualTo(name);
                // The text format's escape of a newline in a label value: backslash, n.
                assertThat(get(base + "/metrics").body()).contains("kgroups_group_status{group=\"a\\nb\",type=\"classic\"} 0")
                        .contains("kgroups_group_committed_offset{group=\"a\\nb\",type=\"classic\",topic=\"newline-orders\",partition=\"0\"} 0");
            }
        }
    }

    /**
     * /metrics is the page of the last cycle, rendered once at its end: a scrape between cycles
     * renders nothing, so it serves the same bytes however the cluster moved, and the next cycle's
     * page has the new figures. Gzip for a scraper that takes it (as Prometheus does), the same
     * text inflated. /api/groups pages through every group with its cursor.
     */
    @Test
    void metricsAreTheLastCyclesPageAndTheGroupsArePaged(EmbeddedKafka kafka) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        kafka.createTopic("paged-orders", 2);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>("paged-orders", i % 2, "k", "v")).get();
            }
        }
        try (GroupAdmin admin = GroupAdmin.create(props, Duration.ofSeconds(30))) {
            for (int g = 0; g < 5; g++) {
                admin.admin().alterConsumerGroupOffsets("paged_" + g, Map.of(new TopicPartition("paged-orders", 0),
                        new OffsetAndMetadata(g), new TopicPartition("paged-orders", 1), new OffsetAndMetadata(1))).all().get();
            }
            try (LagMonitor monitor = LagMonitor.builder(admin).include(java.util.regex.Pattern.compile("paged_.*")).build();
                 MonitorServer server = MonitorServer.start(monitor, "127.0.0.1", 0)) {
                String base = "http://127.0.0.1:" + server.port();
                monitor.cycle();
                String page = get(base + "/metrics").body();
                // the default level, per topic: partition 0 lag 10 - 0, partition 1 lag 10 - 1
                assertThat(page).contains("kgroups_group_lag{group=\"paged_0\",type=\"classic\",topic=\"paged-orders\"} 19\n")
                        .doesNotContain("partition=\"");
                HttpResponse<byte[]> gzip = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                        .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofByteArray());
                assertThat(gzip.headers().firstValue("Content-Encoding")).hasValue("gzip");
                try (java.util.zip.GZIPInputStream in = new java.util.zip.GZIPInputStream(
                        new java.io.ByteArrayInputStream(gzip.body()))) {
                    // GZIPInputStream checks the trailer's CRC-32 and length of the whole text
                    assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(page);
                }
                // One gzip member, not two: a reader that stops after the first (curl --compressed) still gets every series.
                java.util.zip.Inflater inflater = new java.util.zip.Inflater(true);
                inflater.setInput(gzip.body(), 10, gzip.body().length - 10);
                byte[] text = new byte[page.length() * 2 + 1024];
                int inflated = inflater.inflate(text);
                assertThat(inflater.finished()).as("the first member holds all of it").isTrue();
                assertThat(inflater.getRemaining()).as("only the trailer after it").isEqualTo(8);
                assertThat(new String(text, 0, inflated, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(page)
                        .contains("kgroups_monitor_metrics_bytes{encoding=\"gzip\"}");
                inflater.end();

                admin.admin().alterConsumerGroupOffsets("paged_0", Map.of(new TopicPartition("paged-orders", 0),
                        new OffsetAndMetadata(10))).all().get();
                assertThat(get(base + "/metrics").body()).as("no cycle since: the same page").isEqualTo(page);
                monitor.cycle();
                assertThat(get(base + "/metrics").body())
                        .contains("kgroups_group_lag{group=\"paged_0\",type=\"classic\",topic=\"paged-orders\"} 9\n");

                List<String> seen = new java.util.ArrayList<>();
                String after = "";
                do {
                    JsonNode answer = data(get(base + "/api/groups?sort=totalLag&limit=2&after=" + after));
                    assertThat(answer.get("matched").asInt()).isEqualTo(5);
                    assertThat(answer.get("total").asInt()).isEqualTo(5);
                    answer.get("groups").forEach(g -> seen.add(g.get("group").asText() + "=" + g.get("totalLag").asLong()));
                    after = answer.get("next").isNull() ? null : answer.get("next").asText();
                } while (after != null);
                assertThat(seen).containsExactly("paged_1=18", "paged_2=17", "paged_3=16", "paged_4=15", "paged_0=9");
                HttpResponse<String> bad = get(base + "/api/groups?sort=lag");
                assertThat(bad.statusCode()).isEqualTo(400);
                assertThat(json(bad).get("error").asText()).startsWith("sort=lag is not one of group");
            }
        }
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return new ObjectMapper().readTree(response.body());
    }

    /** The data of the envelope the API answers in. */
    private static JsonNode data(HttpResponse<String> response) throws Exception {
        return json(response).get("data");
    }
}
