package io.kgroups.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A transactional topic read to its end has lag 0. Every transaction ends with a commit (or
 * abort) marker that takes an offset and is never given to a consumer; aborted records are
 * skipped under read_committed. Committing one past the last record handled left the group one
 * below the log end: 5 transactions of 10 records, log end 55, committed 54, lag 1 forever, and a
 * lagThreshold health that never cleared. When nothing is pending the runtime commits the
 * consumer's position, which is already past them.
 */
class TransactionalTopicTest extends SharedKafkaTest {

    @ParameterizedTest(name = "{0}, an aborted transaction: {1}")
    @CsvSource({"read_committed, false", "read_committed, true", "read_uncommitted, false"})
    void aTransactionalTopicReadToItsEndHasLagZero(String isolation, boolean abortOne) throws Exception {
        String topic = fixture.topic(1);
        String group = Fixture.unique("g");
        TopicPartition tp = new TopicPartition(topic, 0);
        produceTransactions(topic, abortOne);
        int expected = 50; // the aborted records are not read under read_committed
        long logEnd = abortOne ? 66 : 55; // records and markers
        // commitTransaction returns before the coordinator has written the markers into the partition: wait for the last.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(fixture.endOffset(tp)).as("records and markers").isEqualTo(logEnd));

        Properties props = fixture.props(group, "classic");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        Set<String> handled = ConcurrentHashMap.newKeySet();
        try (GroupConsumer<String, String> consumer = GroupConsumer.<String, String>builder()
                .kafkaProperties(props)
                .topics(topic)
                .keyDeserializer(new StringDeserializer())
                .valueDeserializer(new StringDeserializer())
                .commitPolicy(CommitPolicy.periodic(Duration.ofMillis(200), 10_000))
                .lagThreshold(0)
                .handler(record -> handled.add(record.value()))
                .build().start()) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(handled).hasSize(expected);
                assertThat(fixture.committed(group, tp)).as("committed").isEqualTo(logEnd);
                assertThat(consumer.stats().lag()).as("lag in stats()").containsEntry(tp, 0L);
                assertThat(consumer.health().isUp()).as("health with lagThreshold(0): " + consumer.health()).isTrue();
            });
        }
    }

    /** 5 transactions of 10 records, and one of 10 aborted in between when asked. */
    private void produceTransactions(String topic, boolean abortOne) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, fixture.kafka.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, Fixture.unique("txn"));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            for (int txn = 0; txn < 5; txn++) {
                if (abortOne && txn == 2) {
                    producer.beginTransaction();
                    for (int i = 0; i < 10; i++) {
                        producer.send(new ProducerRecord<>(topic, 0, "k", "aborted-" + i)).get();
                    }
                    producer.abortTransaction();
                }
                producer.beginTransaction();
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>(topic, 0, "k", "t" + txn + "-" + i));
                }
                producer.commitTransaction();
            }
        }
    }
}
