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
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;

/**
 * The cluster the browser test looks at, made with the Kafka client inside kgroups.jar (run as a
 * single source file: {@code java -cp kgroups.jar:KAFKA_STREAMS_JARS LaggingGroup.java BOOTSTRAP
 * MONITOR_URL}), so the test needs no build step of its own and no command that does not exist
 * yet. Kafka Streams is not in kgroups.jar: ./run puts its jar (and RocksDB's, which it links) from
 * the local Maven repository on the class path.
 *
 * <p>A streams group {@code dash_streams} (a Kafka Streams app of the streams protocol reading the
 * 2 partitions of {@code clicks}: tasks 0_0 and 0_1) that has read all of its 20 records, and a
 * share group {@code dash_sharers} whose one member took the 10 records of {@code jobs},
 * accepted 0-3, rejected 5 and holds the rest unacknowledged: start offset 4, the broker's lag 5.
 *
 * <p>A group named {@link #HOSTILE_GROUP}, markup that would run a script, with an offset on
 * {@code jobs}.
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
    static final String STREAMS_GROUP = "dash_streams";
    static final String STREAMS_TOPIC = "clicks";
    static final String SHARE_GROUP = "dash_sharers";
    static final String SHARE_TOPIC = "jobs";
    /**
     * A group whose name is markup that would run a script: the dashboard must show it as text.
     * Were it taken as HTML, the img's onerror or the script would set window.__xss.
     */
    static final String HOSTILE_GROUP = "<img src=x onerror=window.__xss=1><script>window.__xss=2</script>";
    static final HttpClient HTTP = HttpClient.newHttpClient();
    /** The monitor asks for basic auth: user:password in $MONITOR_CREDENTIALS, never on a command line. */
    static final String AUTHORIZATION = "Basic " + java.util.Base64.getEncoder().encodeToString(
            System.getenv("MONITOR_CREDENTIALS").getBytes(java.nio.charset.StandardCharsets.UTF_8));

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable e) {
            // The Streams app's and the share member's threads would keep the JVM up, and the test waiting for "ready".
            e.printStackTrace();
            System.exit(1);
        }
    }

    static void run(String[] args) throws Exception {
        String bootstrap = args[0];
        URI monitor = URI.create(args[1]);
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        KafkaStreams streams;
        KafkaShareConsumer<String, String> sharer;
        try (Admin admin = Admin.create(props);
             KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1), new NewTopic(STREAMS_TOPIC, 2, (short) 1),
                    new NewTopic(SHARE_TOPIC, 1, (short) 1))).all().get();
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>(STREAMS_TOPIC, i % 2, "user-" + i, "click")).get();
            }
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(SHARE_TOPIC, 0, "job-" + i, "{}")).get();
            }
            admin.alterConsumerGroupOffsets(HOSTILE_GROUP, Map.of(new TopicPartition(SHARE_TOPIC, 0), new OffsetAndMetadata(0)))
                    .all().get();
            // The streams app settles (internal topics, assignment) while the rounds below run.
            streams = streamsApp(bootstrap);
            sharer = shareMember(admin, bootstrap);
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
            awaitServed(monitor, SHARE_GROUP, g -> g.get("partitions").size() == 1
                    && g.get("partitions").get(0).get("startOffset").asLong() == 4 && g.get("totalLag").asLong() == 5);
            awaitServed(monitor, STREAMS_GROUP, g -> g.get("members").asInt() == 1 && g.get("totalLag").asLong() == 0
                    && g.get("partitions").size() == 2 && g.get("memberDetails").get(0).get("tasks").get("active").size() == 2);
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
            // Ended by a signal: the share member and the streams app leave with the JVM.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                sharer.close(Duration.ofSeconds(2));
                streams.close(Duration.ofSeconds(2));
            }));
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

    /** Reads clicks to its end and commits (every 100 ms): its lag is 0 once settled. */
    static KafkaStreams streamsApp(String bootstrap) throws Exception {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(STREAMS_TOPIC, Consumed.with(Serdes.String(), Serdes.String())).foreach((k, v) -> { });
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, STREAMS_GROUP);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.GROUP_PROTOCOL_CONFIG, "streams");
        props.put(StreamsConfig.CLIENT_ID_CONFIG, "clicks-app");
        props.put(StreamsConfig.STATE_DIR_CONFIG, java.nio.file.Files.createTempDirectory("dash-streams").toString());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
        KafkaStreams app = new KafkaStreams(builder.build(), props);
        app.start();
        return app;
    }

    /**
     * A share group member that takes the records of jobs (the group reads from the earliest),
     * accepts 0-3, rejects 5, and polls no more: it stays a member (heartbeats run in the
     * background), the records it holds go back when their lock expires, and wait. The start offset
     * the broker stores moves to 4 only then (it is written with the next change of state after
     * the acknowledgements), so the lock is the shortest the broker allows, 15 s.
     */
    static KafkaShareConsumer<String, String> shareMember(Admin admin, String bootstrap) throws Exception {
        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, SHARE_GROUP), List.of(
                new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("share.record.lock.duration.ms", "15000"), AlterConfigOp.OpType.SET))))
                .all().get();
        KafkaShareConsumer<String, String> member = new KafkaShareConsumer<>(Map.of("bootstrap.servers", bootstrap,
                "group.id", SHARE_GROUP, "client.id", "job-runner-1", "share.acknowledgement.mode", "explicit"),
                new StringDeserializer(), new StringDeserializer());
        member.subscribe(List.of(SHARE_TOPIC));
        // One poll that delivers: explicit acknowledgement wants its records acknowledged before the next poll.
        List<ConsumerRecord<String, String>> delivered = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (delivered.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the share group delivered nothing in 60 s");
            }
            member.poll(Duration.ofMillis(200)).forEach(delivered::add);
        }
        for (ConsumerRecord<String, String> record : delivered) {
            if (record.offset() < 4) {
                member.acknowledge(record, AcknowledgeType.ACCEPT);
            } else if (record.offset() == 5) {
                member.acknowledge(record, AcknowledgeType.REJECT);
            }
        }
        member.commitSync();
        return member;
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

    /** Until the monitor serves {@code group} as {@code expected} says (at most 90 s: a streams group settles slowly). */
    static void awaitServed(URI monitor, String group, java.util.function.Predicate<JsonNode> expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            JsonNode g = group(monitor, group);
            if (g != null && expected.test(g)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the monitor did not serve " + group + " as expected within 90 s; last seen: " + g);
            }
            Thread.sleep(100); // polling interval of the condition above
        }
    }

    static int members(URI monitor, String group) throws Exception {
        JsonNode g = group(monitor, group);
        return g == null ? 0 : g.get("members").asInt();
    }

    static JsonNode group(URI monitor, String group) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(monitor.resolve("/api/groups/" + group))
                .header("Authorization", AUTHORIZATION).build(), HttpResponse.BodyHandlers.ofString());
        // The API answers in an envelope: the group is its data.
        return response.statusCode() == 200 ? new ObjectMapper().readTree(response.body()).get("data") : null;
    }
}
