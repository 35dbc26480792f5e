package io.kgroups.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kgroups.admin.GroupAdmin;
import io.kgroups.embedded.EmbeddedKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The broker stops under a running monitor. The figures served stay those of the last good cycle
 * and say so: the snapshot keeps that cycle's time, /api/groups carries the error and the count of
 * failed cycles, /health/ready turns 503 after {@value MonitorServer#UNREADY_AFTER_FAILURES} failed
 * cycles in a row (saying why), and all of it clears when the broker is back. A cluster of its own:
 * stopping the shared one would break other tests.
 */
class StaleDataTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aMonitorThatCannotReadTheClusterSaysSo() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().build().start()) {
            Properties props = new Properties();
            props.put("bootstrap.servers", kafka.bootstrapServers());
            kafka.createTopic("stale-orders", 1);
            try (GroupAdmin setup = GroupAdmin.create(props, Duration.ofSeconds(30))) {
                // The first commit creates the offsets topic: longer than the monitor's short timeout.
                setup.admin().alterConsumerGroupOffsets("stale_loader", Map.of(new TopicPartition("stale-orders", 0),
                        new OffsetAndMetadata(0))).all().get(60, TimeUnit.SECONDS);
            }
            AtomicLong clock = new AtomicLong(1_800_000_000_000L);
            ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(LagMonitor.class);
            ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
                    new ch.qos.logback.core.read.ListAppender<>();
            logged.start();
            log.addAppender(logged);
            try (AutoCloseable detach = () -> log.detachAppender(logged);
                 GroupAdmin admin = GroupAdmin.create(props, Duration.ofSeconds(2));
                 LagMonitor monitor = LagMonitor.builder(admin).include(Pattern.compile("stale_.*")).clock(clock::get).build();
                 MonitorServer server = MonitorServer.start(monitor, "127.0.0.1", 0)) {
                String base = "http://127.0.0.1:" + server.port();
                monitor.cycle();
                long goodCycle = clock.get();
                assertThat(status(base + "/health/ready")).isEqualTo(200);

                kafka.stop();
                for (int i = 1; i <= MonitorServer.UNREADY_AFTER_FAILURES; i++) {
                    clock.addAndGet(5_000);
                    monitor.cycle();
                    JsonNode api = JSON.readTree(get(base + "/api/groups")).get("data");
                    assertThat(api.get("consecutiveFailures").asInt()).isEqualTo(i);
                    assertThat(api.get("lastError").asText()).contains("cannot reach Kafka");
                    assertThat(Instant.parse(api.get("lastSampleTime").asText())).as("the figures' time is the last good cycle's")
                            .isEqualTo(Instant.ofEpochMilli(goodCycle));
                    assertThat(api.get("groups").get(0).get("group").asText()).isEqualTo("stale_loader");
                    assertThat(status(base + "/health/ready")).as("after %d failed cycles", i)
                            .isEqualTo(i < MonitorServer.UNREADY_AFTER_FAILURES ? 200 : 503);
                }
                assertThat(get(base + "/health/ready")).contains("could not read the cluster", "cannot reach Kafka");
                assertThat(get(base + "/metrics")).contains("kgroups_monitor_consecutive_failures "
                        + MonitorServer.UNREADY_AFTER_FAILURES);
                assertThat(logged.list).as("logged once when it starts, not once per cycle")
                        .filteredOn(e -> e.getMessage().equals("monitor_cycle_failed")).hasSize(1);

                kafka.start();
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    clock.addAndGet(5_000);
                    monitor.cycle();
                    assertThat(monitor.snapshot().consecutiveFailures()).isZero();
                });
                assertThat(status(base + "/health/ready")).isEqualTo(200);
                assertThat(JSON.readTree(get(base + "/api/groups")).get("data").get("lastError").isNull()).isTrue();
                assertThat(logged.list).filteredOn(e -> e.getMessage().equals("monitor_cycle_recovered")).hasSize(1);
            }
        }
    }

    private String get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private int status(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
