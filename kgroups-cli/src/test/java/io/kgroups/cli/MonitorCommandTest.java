package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaExtension.class)
class MonitorCommandTest {

    @Test
    void monitorServesTheGroupsUntilStopped(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("cli-monitored", 1);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.alterConsumerGroupOffsets("cli_monitored", Map.of(new TopicPartition("cli-monitored", 0),
                    new OffsetAndMetadata(0))).all().get();
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        AtomicInteger exitCode = new AtomicInteger(-1);
        Thread monitor = new Thread(() -> exitCode.set(Kgroups.execute(new String[] {"monitor", "--bootstrap-server",
            kafka.bootstrapServers(), "--http", "127.0.0.1:0", "--interval", "200ms", "--window", "3", "--allowed-lag", "5",
            "--output", "json"},
                new PrintWriter(out, true), new PrintWriter(err, true), Map.of())));
        monitor.start();
        try {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(out.toString())
                    .as("the monitor's address; stderr:%n%s", err).contains("}\n"));
            String url = new ObjectMapper().readTree(out.toString()).get("data").get("url").asText();
            HttpClient http = HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(30)).until(() -> http.send(HttpRequest.newBuilder(URI.create(url + "/health/ready"))
                    .build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            JsonNode groups = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(URI.create(url + "/api/groups")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).get("data");
            assertThat(groups.get("groups").findValuesAsText("group")).contains("cli_monitored");
            assertThat(groups.get("windowCommits").asInt()).isEqualTo(3);
            assertThat(groups.get("allowedLag").asLong()).isEqualTo(5);
            HttpResponse<String> dashboard = http.send(HttpRequest.newBuilder(URI.create(url + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(dashboard.statusCode()).isEqualTo(200);
            assertThat(dashboard.body()).contains("<title>kgroups");
        } finally {
            monitor.interrupt();
            monitor.join(30_000);
        }
        assertThat(monitor.isAlive()).as("stopped within 30 s of an interrupt; it printed:%n%s%nstderr:%n%s", out, err)
                .isFalse();
        assertThat(exitCode.get()).isZero();
    }

    /** A group name may hold a newline: `lag` lists it, `monitor --groups` matches it with ".", /metrics escapes it. */
    @Test
    void aGroupWhoseNameHoldsANewlineIsLaggedAndMonitored(EmbeddedKafka kafka) throws Exception {
        String name = "cli\nnewline";
        kafka.createTopic("cli-newline", 1);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.alterConsumerGroupOffsets(name, Map.of(new TopicPartition("cli-newline", 0), new OffsetAndMetadata(0)))
                    .all().get();
        }
        Cli.Result lag = Cli.run("lag", "--bootstrap-server", kafka.bootstrapServers(), "--output", "json");
        assertThat(new ObjectMapper().readTree(lag.out()).findValuesAsText("group")).as(lag.err()).contains(name);

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Thread monitor = new Thread(() -> Kgroups.execute(new String[] {"monitor", "--bootstrap-server",
            kafka.bootstrapServers(), "--http", "127.0.0.1:0", "--interval", "200ms", "--groups", "cli.newline", "--output",
            "json"}, new PrintWriter(out, true), new PrintWriter(err, true), Map.of()));
        monitor.start();
        try {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(out.toString())
                    .as("the monitor's address; stderr:%n%s", err).contains("}"));
            String url = new ObjectMapper().readTree(out.toString()).get("data").get("url").asText();
            HttpClient http = HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(http.send(HttpRequest.newBuilder(
                    URI.create(url + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body())
                    .contains("kgroups_group_status{group=\"cli\\nnewline\",type=\"classic\"}"));
            JsonNode groups = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(URI.create(url + "/api/groups")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertThat(groups.findValuesAsText("group")).containsExactly(name);
        } finally {
            monitor.interrupt();
            monitor.join(30_000);
        }
    }

    @Test
    void badOptionsAreUsageErrors() {
        assertThat(Cli.run("monitor", "--window", "1").exitCode()).isEqualTo(CliException.USAGE);
        Cli.Result negativeLag = Cli.run("monitor", "--allowed-lag", "-1", "--bootstrap-server", "127.0.0.1:1");
        assertThat(negativeLag.exitCode()).isEqualTo(CliException.USAGE);
        assertThat(negativeLag.err()).contains("--allowed-lag must be 0 or more records, was -1");
        Cli.Result badRegex = Cli.run("monitor", "--groups", "(", "--bootstrap-server", "127.0.0.1:1");
        assertThat(badRegex.exitCode()).isEqualTo(CliException.USAGE);
        assertThat(badRegex.err()).contains("--groups '(' is not a regular expression");
        Cli.Result badHook = Cli.run("monitor", "--webhook", "ftp://x", "--bootstrap-server", "127.0.0.1:1");
        assertThat(badHook.exitCode()).isEqualTo(CliException.USAGE);
        assertThat(badHook.err()).contains("--webhook 'ftp://x' is not an http(s) URL");
    }
}
