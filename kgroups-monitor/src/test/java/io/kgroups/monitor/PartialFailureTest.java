package io.kgroups.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kgroups.admin.GroupAdmin;
import io.kgroups.admin.GroupDetail;
import io.kgroups.admin.PartitionDetail;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaCluster;
import io.kgroups.embedded.KafkaExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Three brokers; a replication-factor-1 partition of one group goes offline with its broker. The
 * failure stays where it happens: that partition is UNKNOWN with the reason (API, metrics,
 * describe), the group's other partition and the other groups keep their live figures, and the
 * monitor stays ready (the cluster can be read; readiness is about whole cycles failing).
 */
@ExtendWith(KafkaExtension.class)
@KafkaCluster(brokers = 3)
class PartialFailureTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void anOfflinePartitionMarksOnlyItself(EmbeddedKafka kafka) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        String fragile = "fragile-orders";
        String sturdy = "sturdy-orders";
        kafka.createTopic(fragile, 3, 1, Map.of());
        kafka.createTopic(sturdy, 1, 3, Map.of());
        TopicPartition lost = new TopicPartition(fragile, 0);
        TopicPartition kept;
        int victim;
        try (GroupAdmin admin = GroupAdmin.create(props, Duration.ofSeconds(10));
             KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            TopicDescription d = admin.admin().describeTopics(List.of(fragile)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(fragile);
            victim = d.partitions().get(0).leader().id();
            int other = d.partitions().stream().filter(p -> p.leader().id() != victim).findFirst().orElseThrow().partition();
            kept = new TopicPartition(fragile, other);
            for (TopicPartition tp : List.of(lost, kept, new TopicPartition(sturdy, 0))) {
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), "k", "v")).get();
                }
            }
            commit(admin, "partial_fragile", Map.of(lost, 4L, kept, 6L));
            commit(admin, "partial_sturdy", Map.of(new TopicPartition(sturdy, 0), 7L));
        }

        try (GroupAdmin admin = GroupAdmin.create(props, Duration.ofSeconds(10));
             LagMonitor monitor = LagMonitor.builder(admin).include(Pattern.compile("partial_.*")).build();
             MonitorServer server = MonitorServer.builder(monitor).metrics(PrometheusText.Granularity.PARTITION)
                     .address("127.0.0.1", 0).start()) {
            String base = "http://127.0.0.1:" + server.port();
            monitor.cycle();
            long firstCycle = monitor.snapshot().timeMs();
            assertThat(monitor.snapshot().group("partial_fragile").orElseThrow().partitions())
                    .allSatisfy(p -> assertThat(p.lastSampleMs()).isEqualTo(firstCycle));

            kafka.stopBroker(victim);
            try {
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    monitor.cycle();
                    assertThat(partition(monitor.snapshot(), "partial_fragile", lost).reason())
                            .as("%s", monitor.snapshot()).contains("offline");
                });
                MonitorSnapshot snapshot = monitor.snapshot();
                PartitionStatus offline = partition(snapshot, "partial_fragile", lost);
                assertThat(offline.status()).isEqualTo(Status.UNKNOWN);
                assertThat(offline.lastSampleMs()).isLessThan(snapshot.timeMs());
                PartitionStatus alive = partition(snapshot, "partial_fragile", kept);
                assertThat(alive.lag()).isEqualTo(4);
                assertThat(alive.reason()).doesNotContain("offline");
                assertThat(alive.lastSampleMs()).isEqualTo(snapshot.timeMs());
                GroupStatus fragileGroup = snapshot.group("partial_fragile").orElseThrow();
                assertThat(fragileGroup.status()).isEqualTo(Status.UNKNOWN);
                assertThat(fragileGroup.reasons()).anySatisfy(r -> assertThat(r).contains(lost.toString(), "offline"));
                GroupStatus sturdyGroup = snapshot.group("partial_sturdy").orElseThrow();
                assertThat(sturdyGroup.reasons()).noneSatisfy(r -> assertThat(r).contains("offline"));
                assertThat(sturdyGroup.totalLag()).isEqualTo(3);
                assertThat(sturdyGroup.lastSampleMs()).isEqualTo(snapshot.timeMs());

                JsonNode api = JSON.readTree(get(base + "/api/group?name=partial_fragile")).get("data");
                assertThat(api.get("status").asText()).isEqualTo("UNKNOWN");
                String metrics = get(base + "/metrics");
                assertThat(metrics).contains("kgroups_partition_status{group=\"partial_fragile\",type=\"classic\",topic=\"" + fragile
                        + "\",partition=\"" + lost.partition() + "\"} -1");
                // The offline partition's figures are as old as its last good sample; the others are this cycle's.
                assertThat(metrics).contains("kgroups_partition_last_sample_timestamp_seconds{group=\"partial_fragile\",type=\"classic\",topic=\""
                        + fragile + "\",partition=\"" + lost.partition() + "\"} " + seconds(offline.lastSampleMs()));
                assertThat(metrics).contains("kgroups_partition_last_sample_timestamp_seconds{group=\"partial_fragile\",type=\"classic\",topic=\""
                        + fragile + "\",partition=\"" + kept.partition() + "\"} " + seconds(snapshot.timeMs()));
                assertThat(metrics).contains("kgroups_group_lag{group=\"partial_sturdy\",type=\"classic\",topic=\"" + sturdy
                        + "\",partition=\"0\"} 3");
                assertThat(metrics).contains("kgroups_group_lag{group=\"partial_fragile\",type=\"classic\",topic=\"" + fragile
                        + "\",partition=\"" + kept.partition() + "\"} 4");
                assertThat(status(base + "/health/ready")).isEqualTo(200);

                GroupDetail described = admin.describe(List.of("partial_fragile")).get(0);
                PartitionDetail offlineDetail = described.partitions().stream()
                        .filter(p -> p.partition() == lost.partition()).findFirst().orElseThrow();
                assertThat(offlineDetail.error()).contains("offline");
                assertThat(offlineDetail.committedOffset()).isEqualTo(4);
                assertThat(described.partitions()).filteredOn(p -> p.partition() == kept.partition()).singleElement()
                        .satisfies(p -> assertThat(p.lag()).isEqualTo(4));
            } finally {
                kafka.startBroker(victim);
            }
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                monitor.cycle();
                assertThat(partition(monitor.snapshot(), "partial_fragile", lost).lastSampleMs())
                        .isEqualTo(monitor.snapshot().timeMs());
            });
        }
    }

    /** Epoch ms as the metrics print Unix seconds. */
    private static String seconds(long ms) {
        return ms % 1000 == 0 ? Long.toString(ms / 1000) : String.format(java.util.Locale.ROOT, "%.3f", ms / 1000.0);
    }

    private static PartitionStatus partition(MonitorSnapshot snapshot, String group, TopicPartition tp) {
        return snapshot.group(group).orElseThrow().partitions().stream()
                .filter(p -> p.topic().equals(tp.topic()) && p.partition() == tp.partition()).findFirst().orElseThrow();
    }

    private static void commit(GroupAdmin admin, String group, Map<TopicPartition, Long> offsets) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> request = new java.util.HashMap<>();
        offsets.forEach((tp, o) -> request.put(tp, new OffsetAndMetadata(o)));
        admin.admin().alterConsumerGroupOffsets(group, request).all().get(30, TimeUnit.SECONDS);
    }

    private String get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private int status(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
