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
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A group's life on the embedded broker, sampled cycle by cycle with a clock that moves a minute
 * per cycle: first seen (UNKNOWN until its window holds 4 commits), it falls behind (WARNING),
 * stops committing with no member (STOPPED once longer than 3 of its commit intervals), is reset
 * backwards (REWIND), catches up (OK); each seen in the JSON API, in /metrics and by a webhook
 * receiver, with a listener that throws on every change beside them.
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
        AtomicLong clock = new AtomicLong(System.currentTimeMillis());
        List<String> changes = new CopyOnWriteArrayList<>();
        List<String> webhook = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            JsonNode body = new ObjectMapper().readTree(exchange.getRequestBody()).get("data");
            webhook.add(body.get("oldStatus").asText() + "->" + body.get("newStatus").asText());
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        try (GroupAdmin admin = GroupAdmin.create(props, Duration.ofSeconds(30));
             KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
             LagMonitor monitor = LagMonitor.builder(admin).interval(Duration.ofMinutes(1)).window(4)
                     .include(java.util.regex.Pattern.compile("monitor_.*")).clock(clock::get).build();
             MonitorServer server = MonitorServer.start(monitor, "127.0.0.1", 0);
             WebhookNotifier notifier = new WebhookNotifier(
                     List.of(URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook")), 3)) {
            monitor.addListener((status, previous) -> {
                throw new IllegalStateException("a listener with a bug");
            });
            monitor.addListener((status, previous) -> changes.add(previous + "->" + status.status()));
            monitor.addListener(notifier);
            seen = new Seen("http://127.0.0.1:" + server.port(), group);
            long committed = 0;
            long produced = 0;

            // Falls behind: 20 records a minute in, 10 out; a trend once the window holds 4 commits.
            for (int i = 0; i < 3; i++) {
                produced += produce(producer, topic, 20);
                committed += 10;
                commit(admin, group, tp, committed);
                cycle(monitor, clock);
                assertThat(monitor.snapshot().group(group).orElseThrow().reasons()).singleElement().asString()
                        .contains(tp + " UNKNOWN", "collecting commits (" + (i + 1) + " of 4)");
            }
            seen.status(Status.UNKNOWN);
            produced += produce(producer, topic, 20);
            committed += 10;
            commit(admin, group, tp, committed);
            cycle(monitor, clock);
            GroupStatus behind = monitor.snapshot().group(group).orElseThrow();
            assertThat(behind.status()).isEqualTo(Status.WARNING);
            seen.status(Status.WARNING);
            assertThat(behind.totalLag()).isEqualTo(produced - committed);
            assertThat(behind.reasons()).singleElement().asString().contains(tp + " WARNING", "lag grew at each of the last 4 commits");

            // Stops, with no member: records keep coming; after 3 commit intervals of 60 s without a commit, STOPPED.
            for (int i = 0; i < 3; i++) {
                produced += produce(producer, topic, 20);
                cycle(monitor, clock);
                assertThat(monitor.snapshot().group(group).orElseThrow().status()).isEqualTo(Status.WARNING);
            }
            produced += produce(producer, topic, 20);
            cycle(monitor, clock);
            GroupStatus stopped = monitor.snapshot().group(group).orElseThrow();
            assertThat(stopped.status()).isEqualTo(Status.STOPPED);
            assertThat(stopped.reasons()).singleElement().asString().contains("no commit for 240s",
                    "longer than the window (180s: 3 commit intervals of 60s)");
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
            await().atMost(Duration.ofSeconds(10)).until(() -> webhook.size() == 4);
        } finally {
            receiver.stop(0);
        }
        // The first change of a group first seen says it was UNKNOWN before, not OK.
        assertThat(webhook).containsExactly("UNKNOWN->WARNING", "WARNING->STOPPED", "STOPPED->REWIND", "REWIND->OK");
        assertThat(changes).containsExactly("UNKNOWN->WARNING", "WARNING->STOPPED", "STOPPED->REWIND", "REWIND->OK");
    }

    /**
     * A real consumer with auto.offset.reset=latest joins a topic that already holds records: not
     * committed yet is UNKNOWN with its reason, not STALLED; once it commits the end it is OK; when it
     * then holds the partition without committing while records arrive, it is STALLED (a member is
     * there), after the stopped-after limit since no commit interval is known yet.
     */
    @Test
    void aMemberThatHasNotCommittedYetIsUnknownThenOkThenStalled(EmbeddedKafka kafka) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        String topic = "monitor-late";
        String group = "monitor_late";
        TopicPartition tp = new TopicPartition(topic, 0);
        kafka.createTopic(topic, 1);
        AtomicLong clock = new AtomicLong(System.currentTimeMillis());
        Properties consumerProps = new Properties();
        consumerProps.putAll(Map.of("bootstrap.servers", kafka.bootstrapServers(), "group.id", group,
                "auto.offset.reset", "latest", "enable.auto.commit", "false"));
        try (GroupAdmin admin = GroupAdmin.create(props, Duration.ofSeconds(30));
             KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
             KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(),
                     new StringDeserializer());
             LagMonitor monitor = LagMonitor.builder(admin).interval(Duration.ofMinutes(1)).window(4)
                     .stoppedAfter(Duration.ofMinutes(2)).include(java.util.regex.Pattern.compile("monitor_late"))
                     .clock(clock::get).build()) {
            produce(producer, topic, 50);
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(100));
                return consumer.assignment().contains(tp);
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                cycle(monitor, clock);
                return monitor.snapshot().group(group).map(g -> g.members() == 1 && !g.partitions().isEmpty()).orElse(false);
            });
            PartitionStatus notYet = monitor.snapshot().group(group).orElseThrow().partitions().get(0);
            assertThat(notYet.status()).as(notYet.reason()).isEqualTo(Status.UNKNOWN);
            assertThat(notYet.reason()).isEqualTo("not committed yet (50 records in the log)");
            assertThat(monitor.snapshot().group(group).orElseThrow().status()).isEqualTo(Status.UNKNOWN);

            consumer.commitSync(Map.of(tp, new OffsetAndMetadata(consumer.position(tp))));
            cycle(monitor, clock);
            assertThat(monitor.snapshot().group(group).orElseThrow().status()).isEqualTo(Status.OK);

            // Records arrive; the member holds the partition and commits nothing.
            for (int minute = 1; minute <= 2; minute++) {
                produce(producer, topic, 10);
                cycle(monitor, clock);
                GroupStatus waiting = monitor.snapshot().group(group).orElseThrow();
                assertThat(waiting.status()).isEqualTo(Status.OK); // caught up at its last commit, within the window
                assertThat(waiting.partitions().get(0).reason()).isEqualTo("lag was zero within the window");
            }
            produce(producer, topic, 10);
            cycle(monitor, clock);
            GroupStatus stalled = monitor.snapshot().group(group).orElseThrow();
            assertThat(stalled.status()).as(String.join("; ", stalled.reasons())).isEqualTo(Status.STALLED);
            assertThat(stalled.reasons()).singleElement().asString().contains("a member holds it but no commit for 180s",
                    "longer than 120s", "with lag 30");
        }
    }

    private Seen seen;

    /** Checks a status where users see it: the JSON API and the Prometheus metric. */
    private record Seen(String base, String group) {
        void status(Status expected) throws Exception {
            HttpClient http = HttpClient.newHttpClient();
            String api = http.send(HttpRequest.newBuilder(URI.create(base + "/api/groups/" + group)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(new ObjectMapper().readTree(api).get("data").get("status").asText()).isEqualTo(expected.name());
            String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("kgroups_group_status{group=\"" + group + "\",type=\"classic\"} " + expected.code());
            JsonNode all = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/api/groups")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).get("data");
            assertThat(all.get("windowCommits").asInt()).isEqualTo(4);
            assertThat(all.get("allowedLag").asLong()).isZero();
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
