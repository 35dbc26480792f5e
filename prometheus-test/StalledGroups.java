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
 * The groups the Prometheus test looks at, made with the Kafka client inside kgroups.jar (run as
 * a single source file: {@code java -cp kgroups.jar StalledGroups.java BOOTSTRAP}), as the browser
 * test makes its own.
 *
 * <p>Topic {@code orders}, 3 partitions of 10 records each (Kafka's default retention, 7 days:
 * time-limited, so lagging partitions have a retention risk). {@code stalled_loader} committed
 * offset 2 of each partition, and then a member joins and stays, polling (its partitions are
 * assigned to it) and committing nothing: once its records are older than the monitor's
 * {@code --stopped-after}, STALLED. {@code stopped_loader} committed offset 5 and has no member:
 * STOPPED. {@code billing_loader} committed the log end: OK. Prints {@code ready} once the member
 * holds all 3 partitions, and runs until it is ended.
 */
public class StalledGroups {
    static final String TOPIC = "orders";
    static final int PARTITIONS = 3;
    static final int RECORDS = 10;

    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", args[0]);
        try (Admin admin = Admin.create(props);
             KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all().get();
            for (int p = 0; p < PARTITIONS; p++) {
                for (int i = 0; i < RECORDS; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, p, "order-" + i, "{\"version\":1}")).get();
                }
            }
            commit(admin, "stalled_loader", 2);
            commit(admin, "stopped_loader", 5);
            commit(admin, "billing_loader", RECORDS);
        }
        Properties consumerProps = new Properties();
        consumerProps.putAll(props);
        consumerProps.put("group.id", "stalled_loader");
        consumerProps.put("client.id", "stalled-loader-1");
        consumerProps.put("enable.auto.commit", "false");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            boolean ready = false;
            while (true) {
                consumer.poll(Duration.ofMillis(500)); // keeps the membership; nothing is committed
                if (!ready && consumer.assignment().size() == PARTITIONS) {
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
}
