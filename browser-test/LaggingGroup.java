import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The cluster the browser test looks at, made with the Kafka client inside kgroups.jar (run as a
 * single source file: {@code java -cp kgroups.jar LaggingGroup.java BOOTSTRAP MONITOR_URL}), so
 * the test needs no build step of its own and no command that does not exist yet.
 *
 * <p>Topic {@code orders} (3 partitions); in each of {@link #ROUNDS} rounds 10 records arrive per
 * partition, {@code storage_loader} commits only 4 of them (its lag grows by 6 a partition) and
 * {@code billing_loader} commits them all; each round waits until the monitor has sampled it, so
 * the lag chart has one rising point per round. Then a member joins {@code storage_loader} and
 * stays, committing nothing, until this process is ended: the group has an owner per partition
 * and its lag holds still. Prints {@code ready} when all of it is in place.
 */
public class LaggingGroup {
    static final String TOPIC = "orders";
    static final int PARTITIONS = 3;
    static final int ROUNDS = 5;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        URI monitor = URI.create(args[1]);
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        try (Admin admin = Admin.create(props);
             KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all().get();
            for (int round = 1; round <= ROUNDS; round++) {
                for (int p = 0; p < PARTITIONS; p++) {
                    for (int i = 0; i < 10; i++) {
                        producer.send(new ProducerRecord<>(TOPIC, p, "order-" + i, "{\"round\":" + round + "}")).get();
                    }
                }
                commit(admin, "storage_loader", 4L * round);
                commit(admin, "billing_loader", 10L * round);
                awaitSampled(monitor, "storage_loader", 4L * round, 10L * round);
            }
        }
        Properties consumerProps = new Properties();
        consumerProps.putAll(props);
        consumerProps.put("group.id", "storage_loader");
        consumerProps.put("client.id", "storage-loader-1");
        consumerProps.put("enable.auto.commit", "false");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            boolean ready = false;
            while (true) {
                consumer.poll(Duration.ofMillis(500)); // keeps the membership; nothing is committed
                if (!ready && consumer.assignment().size() == PARTITIONS && members(monitor, "storage_loader") == 1) {
                    System.out.println("ready");
                    System.out.flush();
                    ready = true;
                }
            }
        }
    }

    static void commit(Admin admin, String group, long offset) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            offsets.put(new TopicPartition(TOPIC, p), new OffsetAndMetadata(offset));
        }
        admin.alterConsumerGroupOffsets(group, offsets).all().get();
    }

    /** Until the monitor's last cycle saw these offsets in every partition (at most 60 s). */
    static void awaitSampled(URI monitor, String group, long committed, long logEnd) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            JsonNode g = group(monitor, group);
            if (g != null && g.get("partitions").size() == PARTITIONS && java.util.stream.StreamSupport
                    .stream(g.get("partitions").spliterator(), false)
                    .allMatch(p -> p.get("committedOffset").asLong() == committed && p.get("logEndOffset").asLong() == logEnd)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the monitor did not see " + group + " at " + committed + "/" + logEnd
                        + " within 60 s; last seen: " + g);
            }
            Thread.sleep(100); // polling interval of the condition above
        }
    }

    static int members(URI monitor, String group) throws Exception {
        JsonNode g = group(monitor, group);
        return g == null ? 0 : g.get("members").asInt();
    }

    static JsonNode group(URI monitor, String group) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(monitor.resolve("/api/groups/" + group)).build(),
                HttpResponse.BodyHandlers.ofString());
        // The API answers in an envelope: the group is its data.
        return response.statusCode() == 200 ? new ObjectMapper().readTree(response.body()).get("data") : null;
    }
}
