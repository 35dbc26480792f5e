package io.kgroups.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kgroups.admin.GroupAdmin;
import io.kgroups.admin.ResetPlan;
import io.kgroups.admin.ResetTarget;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The dashboard's side of the monitor, over a real socket: its files are served (uPlot from its
 * webjar), and its reset preview is the plan of {@code GroupAdmin.planReset}, the planner of
 * {@code kgroups reset}, for a lagging group on the embedded broker. No browser here: that is
 * browser-test/.
 */
@ExtendWith(KafkaExtension.class)
class DashboardTest {
    private static final String TOPIC = "dash-orders";
    private static final String GROUP = "dash_loader";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static GroupAdmin admin;
    private static LagMonitor monitor;
    private static MonitorServer server;
    private static String base;

    @BeforeAll
    static void lagging(EmbeddedKafka kafka) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        kafka.createTopic(TOPIC, 2);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 40; i++) {
                producer.send(new ProducerRecord<>(TOPIC, i % 2, "k", "v")).get();
            }
        }
        admin = GroupAdmin.create(props, Duration.ofSeconds(30));
        admin.admin().alterConsumerGroupOffsets(GROUP, Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(5),
                new TopicPartition(TOPIC, 1), new OffsetAndMetadata(12))).all().get();
        monitor = LagMonitor.builder(admin).interval(Duration.ofMillis(200)).window(3).include(Pattern.compile("dash_.*"))
                .build().start();
        server = MonitorServer.start(monitor, "127.0.0.1", 0);
        base = "http://127.0.0.1:" + server.port();
        await().atMost(Duration.ofSeconds(30)).until(() -> monitor.snapshot().group(GROUP).isPresent());
    }

    @AfterAll
    static void stop() {
        server.close();
        monitor.close();
        admin.close();
    }

    @ParameterizedTest
    @CsvSource({
        "/,                                            text/html,              <title>kgroups",
        "/group.html,                                  text/html,              id=\"reset-form\"",
        "/dashboard.css,                               text/css,               --AT_RISK",
        "/overview.js,                                 text/javascript,        api/groups",
        "/group.js,                                    text/javascript,        reset-plan",
        "/webjars/uplot/1.6.30/dist/uPlot.iife.min.js, text/javascript,        uPlot",
        "/webjars/uplot/1.6.30/dist/uPlot.min.css,     text/css,               .uplot",
    })
    void servesTheDashboardsFiles(String path, String type, String content) throws Exception {
        HttpResponse<String> response = get(path);

        assertThat(response.statusCode()).isEqualTo(200);
        // Jetty names JavaScript either way, depending on its version.
        assertThat(response.headers().firstValue("Content-Type").orElse(""))
                .matches(type.equals("text/javascript") ? "(text|application)/javascript.*" : Pattern.quote(type) + ".*");
        assertThat(response.body()).contains(content);
    }

    @Test
    void theOverviewListsGroupsWithTheirTopicsAndTheIntervalToRefreshAt() throws Exception {
        JsonNode overview = data(get("/api/groups"));

        assertThat(overview.get("intervalSeconds").asDouble()).isEqualTo(0.2);
        assertThat(overview.get("cycles").asLong()).isPositive();
        JsonNode group = overview.get("groups").get(0);
        assertThat(group.get("group").asText()).isEqualTo(GROUP);
        assertThat(group.get("totalLag").asLong()).isEqualTo(15 + 8);
        assertThat(group.get("topics")).extracting(JsonNode::asText).containsExactly(TOPIC);
    }

    @Test
    void theHistoryHasLagAndTimeLagPerSample() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> data(get("/api/groups/" + GROUP + "/history"))
                .get("partitions").get(0).get("samples").size() >= 2);

        JsonNode samples = data(get("/api/groups/" + GROUP + "/history")).get("partitions").get(0).get("samples");
        assertThat(samples).allMatch(s -> s.get("lag").asLong() == 15 && s.get("committedOffset").asLong() == 5);
        assertThat(Instant.parse(samples.get(0).get("time").asText())).isBefore(Instant.parse(samples.get(1).get("time").asText()));
        // The committed offset never moved, so every sample's first unread record is the one whose age the cycle knows.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode s = data(get("/api/groups/" + GROUP + "/history")).get("partitions").get(0).get("samples");
            assertThat(s).allMatch(sample -> sample.get("lagSeconds").isNumber());
            assertThat(s.get(s.size() - 1).get("lagSeconds").asDouble()).isGreaterThan(s.get(0).get("lagSeconds").asDouble());
        });
    }

    @Test
    void theResetPreviewIsThePlanOfKgroupsReset() throws Exception {
        JsonNode all = json(get(resetPlan("to-earliest", null)));
        assertSamePlan(all, admin.planReset(GROUP, null, new ResetTarget.Earliest()));
        all = all.get("data");
        assertThat(all.get("recordsReadAgain").asLong()).isEqualTo(5 + 12);
        assertThat(all.get("dryRunCommand").asText()).isEqualTo("kgroups reset dash_loader --all-topics --to-earliest");
        assertThat(all.get("executeCommand").asText()).isEqualTo("kgroups reset dash_loader --all-topics --to-earliest --execute");

        JsonNode shifted = json(get(resetPlan("--shift-by", "-3") + "&topic=" + TOPIC + ":1"));
        assertSamePlan(shifted, admin.planReset(GROUP, Map.of(TOPIC, Set.of(1)), new ResetTarget.ShiftBy(-3)));
        shifted = shifted.get("data");
        assertThat(shifted.get("partitions")).singleElement().satisfies(p -> {
            assertThat(p.get("targetOffset").asLong()).isEqualTo(9);
            assertThat(p.get("words").asText()).isEqualTo("3 records will be read again");
        });
        assertThat(shifted.get("executeCommand").asText())
                .isEqualTo("kgroups reset dash_loader --topic dash-orders:1 --shift-by -3 --execute");

        JsonNode clamped = json(get(resetPlan("to-offset", "1000")));
        assertSamePlan(clamped, admin.planReset(GROUP, null, new ResetTarget.ToOffset(1000)));
        assertThat(clamped.get("warnings")).isNotEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "spec=to-nowhere                          | 400 | unknown reset spec '--to-nowhere'",
        "spec=to-offset&value=ten                 | 400 | --to-offset 'ten' is not a whole number",
        "spec=to-offset                           | 400 | --to-offset needs a value",
        "spec=by-duration&value=soon              | 400 | --by-duration 'soon' is not a duration",
        "value=3                                  | 400 | spec is missing",
        "spec=from-file&value=/etc/passwd         | 400 | --from-file reads a file on the monitor's host",
        "spec=to-latest&topic=dash-orders:x       | 400 | --topic dash-orders:x: partitions are numbers",
        "spec=to-latest&topic=dash-orders:7       | 400 | topic dash-orders has partitions 0 to 1, not 7",
    })
    void badInputIsA400WithOneLineThatSaysWhatWasWrong(String query, int status, String message) throws Exception {
        HttpResponse<String> response = get("/api/groups/" + GROUP + "/reset-plan?" + query);

        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(json(response).get("error").asText()).startsWith(message).doesNotContain("\n");
    }

    @Test
    void anUnknownGroupHasNoPlan() throws Exception {
        assertThat(get("/api/groups/nobody/reset-plan?spec=to-earliest").statusCode()).isEqualTo(404);
    }

    /** The envelope the plan was served in: the plan its data, the plan's warnings its warnings. */
    private static void assertSamePlan(JsonNode served, ResetPlan plan) {
        List<String> expected = new ArrayList<>();
        for (ResetPlan.Partition p : plan.partitions()) {
            expected.add(p.topic() + "-" + p.partition() + " " + p.currentOffset() + "->" + p.targetOffset() + " " + p.delta()
                    + (p.clamped() ? " clamped" : ""));
        }
        List<String> actual = new ArrayList<>();
        for (JsonNode p : served.get("data").get("partitions")) {
            actual.add(p.get("topic").asText() + "-" + p.get("partition").asInt() + " " + p.get("currentOffset").asLong()
                    + "->" + p.get("targetOffset").asLong() + " " + p.get("delta").asLong()
                    + (p.get("clamped").asBoolean() ? " clamped" : ""));
        }
        assertThat(actual).isNotEmpty().isEqualTo(expected);
        assertThat(served.get("warnings")).extracting(JsonNode::asText).isEqualTo(plan.warnings());
    }

    private static String resetPlan(String spec, String value) {
        return "/api/groups/" + GROUP + "/reset-plan?spec=" + URLEncoder.encode(spec, StandardCharsets.UTF_8)
                + (value == null ? "" : "&value=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return new ObjectMapper().readTree(response.body());
    }

    /** The data of the envelope the API answers in. */
    private static JsonNode data(HttpResponse<String> response) throws Exception {
        return json(response).get("data");
    }
}
