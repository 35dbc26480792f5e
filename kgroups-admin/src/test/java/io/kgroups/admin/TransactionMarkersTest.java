package io.kgroups.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A topic written by transactions: a consumer that has read every record has committed the
 * offset of the last record + 1, which is the commit marker's. Kafka's tool shows lag 1 there
 * forever; kgroups reads the log and finds no record before the end: lag 0, offset lag 1. And the
 * read ends at the log end instead of waiting for a record that never comes.
 */
@ExtendWith(KafkaExtension.class)
class TransactionMarkersTest {

    @Test
    void aConsumerThatReadEveryCommittedRecordHasNoLag(EmbeddedKafka kafka) throws Exception {
        String topic = "tx-markers";
        String group = "tx_reader";
        TopicPartition tp = new TopicPartition(topic, 0);
        kafka.createTopic(topic, 1);
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        long lastRecord = produceInTransactions(props, topic, 3, 5, true);
        try (GroupAdmin admin = GroupAdmin.create(props, Duration.ofSeconds(30))) {
            awaitLogEnd(admin, tp, lastRecord + 2); // the last record, then its commit marker
            // What a consumer commits after processing the last record: its offset + 1, the marker's.
            admin.admin().alterConsumerGroupOffsets(group, Map.of(tp, new OffsetAndMetadata(lastRecord + 1)))
                    .all().get(30, TimeUnit.SECONDS);

            long started = System.nanoTime();
            PartitionDetail p = admin.describe(List.of(group)).get(0).partitions().get(0);
            long describeMillis = (System.nanoTime() - started) / 1_000_000;
            System.out.println("describe of a group standing at a transaction marker took " + describeMillis + " ms");

            assertThat(p.offsetLag()).as("the marker is one offset").isEqualTo(1);
            assertThat(p.lag()).as("but no record").isZero();
            assertThat(p.lagSeconds()).isEqualTo(0.0);
            assertThat(p.note()).contains("control records");
            assertThat(admin.describe(List.of(group), IsolationLevel.READ_COMMITTED).get(0).partitions().get(0).lag()).isZero();
            assertThat(admin.listGroups()).filteredOn(s -> s.group().equals(group)).singleElement()
                    .satisfies(s -> assertThat(s.totalLag()).isZero());
        }
    }

    @Test
    void abortedRecordsAreLagOnlyForAReadUncommittedReader(EmbeddedKafka kafka) throws Exception {
        String topic = "tx-aborted";
        String group = "tx_aborted_reader";
        TopicPartition tp = new TopicPartition(topic, 0);
        kafka.createTopic(topic, 1);
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        long lastCommitted = produceInTransactions(props, topic, 1, 4, true);
        produceInTransactions(props, topic, 1, 6, false); // 6 aborted records and an abort marker after them
        try (GroupAdmin admin = GroupAdmin.create(props, Duration.ofSeconds(30))) {
            awaitLogEnd(admin, tp, lastCommitted + 1 + 1 + 6 + 1);
            admin.admin().alterConsumerGroupOffsets(group, Map.of(tp, new OffsetAndMetadata(lastCommitted + 1)))
                    .all().get(30, TimeUnit.SECONDS);

            PartitionDetail committedReader = admin.describe(List.of(group), IsolationLevel.READ_COMMITTED).get(0)
                    .partitions().get(0);
            PartitionDetail uncommittedReader = admin.describe(List.of(group)).get(0).partitions().get(0);

            assertThat(committedReader.offsetLag()).isEqualTo(8); // the commit marker, 6 aborted records, the abort marker
            assertThat(committedReader.lag()).isZero();
            assertThat(uncommittedReader.lag()).as("a read_uncommitted consumer reads the aborted records").isEqualTo(8);
            assertThat(uncommittedReader.lagSeconds()).isNotNull();
        }
    }

    /**
     * commitTransaction (and abortTransaction) return before the coordinator has written the
     * markers into the partition: the log end is waited for, not assumed.
     */
    private static void awaitLogEnd(GroupAdmin admin, TopicPartition tp, long end) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(admin.admin()
                .listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest())).partitionResult(tp)
                .get(10, TimeUnit.SECONDS).offset()).as("log end of %s with its markers", tp).isEqualTo(end));
    }

    /** {@code transactions} transactions of {@code records} each; returns the offset of the last record written. */
    private static long produceInTransactions(Properties props, String topic, int transactions, int records, boolean commit)
            throws Exception {
        Properties p = new Properties();
        p.putAll(props);
        p.put("transactional.id", topic + "-" + commit + "-" + System.nanoTime());
        long last = -1;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            for (int t = 0; t < transactions; t++) {
                producer.beginTransaction();
                for (int i = 0; i < records; i++) {
                    last = producer.send(new ProducerRecord<>(topic, 0, "k", "v" + i)).get().offset();
                }
                if (commit) {
                    producer.commitTransaction();
                } else {
                    producer.abortTransaction();
                }
            }
        }
        return last;
    }
}
