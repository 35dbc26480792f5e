package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kgroups.consumer.CommitPolicy;
import io.kgroups.consumer.GroupConsumer;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A group of kgroups' runtime that read a transactional topic to its end shows lag 0 in
 * {@code kgroups describe}: the runtime commits past the last commit marker. (It committed one past
 * the last record: log end 55, committed 54, lag 1 forever, here and in every monitor.)
 */
@ExtendWith(KafkaExtension.class)
class TransactionalGroupTest {

    @Test
    void aTransactionalTopicReadToItsEndShowsLagZero(EmbeddedKafka kafka) throws Exception {
        String bootstrap = kafka.bootstrapServers();
        kafka.createTopic("cli-txn", 1);
        Properties producerProps = new Properties();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        producerProps.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "cli-txn-producer");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps, new StringSerializer(),
                new StringSerializer())) {
            producer.initTransactions();
            for (int txn = 0; txn < 5; txn++) {
                producer.beginTransaction();
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>("cli-txn", 0, "k", "v"));
                }
                producer.commitTransaction();
            }
        }
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "txn_loader");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        AtomicInteger handled = new AtomicInteger();
        try (GroupConsumer<String, String> consumer = GroupConsumer.<String, String>builder()
                .kafkaProperties(props)
                .topics("cli-txn")
                .keyDeserializer(new StringDeserializer())
                .valueDeserializer(new StringDeserializer())
                .commitPolicy(CommitPolicy.periodic(Duration.ofMillis(200), 10_000))
                .handler(record -> handled.incrementAndGet())
                .build().start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> handled.get() == 50
                    && consumer.stats().committed().getOrDefault(new org.apache.kafka.common.TopicPartition("cli-txn", 0), 0L) == 55);
        }

        Cli.Result result = Cli.run("describe", "txn_loader", "--bootstrap-server", bootstrap, "--output", "json");
        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode partition = new ObjectMapper().readTree(result.out()).get("data").get(0).get("partitions").get(0);
        assertThat(partition.get("logEndOffset").asLong()).as("50 records and 5 commit markers").isEqualTo(55);
        assertThat(partition.get("committedOffset").asLong()).isEqualTo(55);
        assertThat(partition.get("lag").asLong()).isZero();
    }
}
