package io.kgroups.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The same groups described by kgroups and by Apache Kafka's kafka-consumer-groups: same numbers. */
@ExtendWith(KafkaExtension.class)
class KafkaToolDifferentialTest {

    @Test
    void describeAgreesWithKafkaConsumerGroupsOnOffsetsAndLag(EmbeddedKafka kafka) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        String topic = "diff-orders";
        kafka.createTopic(topic, 4);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 400; i++) {
                producer.send(new ProducerRecord<>(topic, i % 4, "k" + i, "v" + i));
            }
        }
        try (GroupAdmin groups = GroupAdmin.create(props, Duration.ofSeconds(30))) {
            List<String> names = List.of("diff-a", "diff-b", "diff-c");
            long[][] committed = {{0, 50, 100, 100}, {100, 100}, {7}};
            for (int g = 0; g < names.size(); g++) {
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                for (int p = 0; p < committed[g].length; p++) {
                    offsets.put(new TopicPartition(topic, p), new OffsetAndMetadata(committed[g][p]));
                }
                groups.admin().alterConsumerGroupOffsets(names.get(g), offsets).all().get();
            }

            Map<String, long[]> ours = new TreeMap<>();
            for (GroupDetail detail : groups.describe(names)) {
                for (PartitionDetail p : detail.partitions()) {
                    ours.put(detail.group() + " " + p.topic() + " " + p.partition(),
                            new long[] {p.committedOffset(), p.logEndOffset(), p.lag()});
                }
            }
            Map<String, long[]> theirs = new TreeMap<>();
            for (String group : names) {
                theirs.putAll(kafkaToolDescribe(kafka.bootstrapServers(), group));
            }

            assertThat(ours.keySet()).isEqualTo(theirs.keySet()).hasSize(7);
            ours.forEach((key, numbers) -> assertThat(numbers).as(key).containsExactly(theirs.get(key)));
        }
    }

    /** kafka-consumer-groups --describe of the group: committed, log-end, lag per partition. */
    private static Map<String, long[]> kafkaToolDescribe(String bootstrap, String group) {
        Map<String, long[]> rows = new TreeMap<>();
        for (Map<String, String> row : KafkaTool.consumerGroups("--bootstrap-server", bootstrap, "--describe", "--group", group)
                .someRows(group)) {
            rows.put(group + " " + row.get("TOPIC") + " " + row.get("PARTITION"), new long[] {
                Long.parseLong(row.get("CURRENT-OFFSET")), Long.parseLong(row.get("LOG-END-OFFSET")),
                Long.parseLong(row.get("LAG"))});
        }
        return rows;
    }
}
