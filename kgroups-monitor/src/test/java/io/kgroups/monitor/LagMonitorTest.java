package io.kgroups.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kgroups.admin.GroupAdmin;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A group's life on the embedded broker, sampled cycle by cycle with a clock that moves a minute
 * per cycle: it falls behind (WARNING), stops committing (STALLED for a window, then STOPPED), is reset
 * backwards (REWIND), catches up (OK); each seen in the JSON API, in /metrics and by a webhook receiver.
 */
@ExtendWith(KafkaExtension.class)
class LagMonitorTest {

    @Test
    void followsAGroupThroughWarningStoppedRewindAndOk(EmbeddedKafka kafka) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        String topic = "monitor-orders";
        String group = "monitor_loader";
        TopicPartition tp = new TopicPartition(topic, 0);
        kafka.createTopic(topic, 1);
        AtomicLong clock = new AtomicLong(1_700_000_000_000L);
        List<String> changes = new CopyOnWriteArrayList<>();
        List<String> webhook = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            JsonNode body = new ObjectMapper().readTree(exchange.getRequestBody());
            webhook.add(body.get("oldStatus").asText() + "->" + body.get("newStatus").asText());
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        try (GroupAdmin admin = GroupAdmin.create(props, Duration.ofSeconds(30));
             KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
             LagMonitor monitor = LagMonitor.builder(admin).window(4).include(java.util.regex.Pattern.compile("monitor_.*"))
                     .clock(clock::get).build();
             MonitorServer server = MonitorServer.start(monitor, "127.0.0.1", 0);
             WebhookNotifier notifier = new WebhookNotifier(
                     List.of(URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook")), 3)) {
            monitor.addListener((status, previous) -> changes.add(previous + "->" + status.status()));
            monitor.addListener(notifier);
            seen = new Seen("http://127.0.0.1:" + server.port(), group);
            long committed = 0;
            long produced = 0;

            // Falls behind: 20 records a minute in, 10 out.
            for (int i = 0; i < 4; i++) {
                produced += produce(producer, topic, 20);
                committed += 10;
                commit(admin, group, tp, committed);
                cycle(monitor, clock);
            }
            GroupStatus behind = monitor.snapshot().group(group).orElseThrow();
            assertThat(behind.status()).isEqualTo(Status.WARNING);
            seen.status(Status.WARNING);
            assertThat(behind.totalLag()).isEqualTo(produced - committed);
            assertThat(behind.reasons()).singleElement().asString().contains(tp + " WARNING", "never shrank");

            // Stops: records keep coming; stuck for a whole window is STALLED, longer is STOPPED.
            for (int i = 0; i < 3; i++) {
                produced += produce(producer, topic, 20);
                cycle(monitor, clock);
            }
            assertThat(monitor.snapshot().group(group).orElseThrow().status()).isEqualTo(Status.STALLED);
            produced += produce(producer, topic, 20);
            cycle(monitor, clock);
            assertThat(monitor.snapshot().group(group).orElseThrow().status()).isEqualTo(Status.STOPPED);
            seen.status(Status.STOPPED);

            // Reset backwards.
            commit(admin, group, tp, 5);
            cycle(monitor, clock);
            assertThat(monitor.snapshot().group(group).orElseThrow().status()).isEqualTo(Status.REWIND);
            seen.status(Status.REWIND);

            // Catches up.
            commit(admin, group, tp, produced);
            cycle(monitor, clock);
            GroupStatus caughtUp = monitor.snapshot().group(group).orElseThrow();
            assertThat(caughtUp.status()).isEqualTo(Status.OK);
            assertThat(caughtUp.maxLagSeconds()).isZero();
            seen.status(Status.OK);
            await().atMost(Duration.ofSeconds(10)).until(() -> webhook.size() == 5);
        } finally {
            receiver.stop(0);
        }
        assertThat(webhook).containsExactly("OK->WARNING", "WARNING->STALLED", "STALLED->STOPPED", "STOPPED->REWIND",
                "REWIND->OK");
        assertThat(changes).containsExactly("OK->WARNING", "WARNING->STALLED", "STALLED->STOPPED", "STOPPED->REWIND",
                "REWIND->OK");
    }

    private Seen seen;

    /** Checks a status where users see it: the JSON API and the Prometheus metric. */
    private record Seen(String base, String group) {
        void status(Status expected) throws Exception {
            HttpClient http = HttpClient.newHttpClient();
            String api = http.send(HttpRequest.newBuilder(URI.create(base + "/api/groups/" + group)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(new ObjectMapper().readTree(api).get("status").asText()).isEqualTo(expected.name());
            String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("kgroups_group_status{group=\"" + group + "\"} " + expected.code());
        }
    }

    private static long produce(KafkaProducer<String, String> producer, String topic, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            producer.send(new ProducerRecord<>(topic, 0, "k", "v")).get();
        }
        return count;
    }

    private static void commit(GroupAdmin admin, String group, TopicPartition tp, long offset) throws Exception {
        admin.admin().alterConsumerGroupOffsets(group, Map.of(tp, new OffsetAndMetadata(offset))).all().get();
    }

    private static void cycle(LagMonitor monitor, AtomicLong clock) {
        monitor.cycle();
        clock.addAndGet(60_000);
    }
}
