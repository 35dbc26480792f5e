package io.kgroups.bench;

import io.kgroups.bench.child.ChildProcess;
import io.kgroups.orders.OrderEvent;
import io.kgroups.orders.OrderEventJson;
import io.kgroups.orders.OrderStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The reference guide's storage loader written in Java, run by {@link LoaderBench} as a child
 * process ({@code java -cp kgroups-bench.jar io.kgroups.bench.SeedPatternChild BOOTSTRAP TOPIC
 * GROUP JDBC_URL JDBC_USER}, an empty JDBC_USER for none): its consumer loop, poll, then per
 * record the upsert in a transaction of its own and a synchronous commit of that record's offset
 * (the guide's {@code consumer.commit(asynchronous=False)} after each message; a Java poll returns
 * many, and committing the position would commit records not yet stored). The loader's SQL
 * through {@link OrderStore} with one connection. Loads until killed; exits when stdin closes.
 */
public final class SeedPatternChild {
    private SeedPatternChild() {
    }

    public static void main(String[] args) throws Exception {
        ChildProcess child = new ChildProcess("seed-pattern");
        if (args.length != 5) {
            child.fail("usage: BOOTSTRAP TOPIC GROUP JDBC_URL JDBC_USER");
        }
        child.exitWhenParentGoes();
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0],
                ConsumerConfig.GROUP_ID_CONFIG, args[2],
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (OrderStore store = OrderStore.open(args[3], args[4].isEmpty() ? null : args[4], null, 1, false);
             KafkaConsumer<String, OrderEvent> consumer =
                     new KafkaConsumer<>(config, new StringDeserializer(), new OrderEventJson())) {
            consumer.subscribe(List.of(args[1]));
            while (true) {
                for (ConsumerRecord<String, OrderEvent> record : consumer.poll(Duration.ofSeconds(1))) {
                    store.store(List.of(new OrderStore.Delivery(record.value(), record.topic(), record.partition(),
                            record.offset())));
                    consumer.commitSync(Map.of(new TopicPartition(record.topic(), record.partition()),
                            new OffsetAndMetadata(record.offset() + 1)));
                }
            }
        }
    }
}
