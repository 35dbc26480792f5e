package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaCluster;
import io.kgroups.embedded.KafkaExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The output contract of a partial read: a partition offline with its broker (replication factor
 * 1 on 3 brokers). describe and lag answer with what they could read, exit code 3, and name the
 * rest in the envelope's warnings as on stderr; the JSON stays valid by the schema.
 */
@ExtendWith(KafkaExtension.class)
@KafkaCluster(brokers = 3)
class PartialReadContractTest {

    @Test
    void anOfflinePartitionIsAWarningAndExitCodeThree(EmbeddedKafka kafka) throws Exception {
        String topic = "contract-fragile";
        String group = "contract_fragile";
        kafka.createTopic(topic, 3, 1, Map.of());
        TopicPartition lost = new TopicPartition(topic, 0);
        int victim;
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()))) {
            victim = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions()
                    .get(0).leader().id();
            admin.alterConsumerGroupOffsets(group, Map.of(lost, new OffsetAndMetadata(0), new TopicPartition(topic, 1),
                    new OffsetAndMetadata(0), new TopicPartition(topic, 2), new OffsetAndMetadata(0))).all()
                    .get(30, TimeUnit.SECONDS);
        }
        kafka.stopBroker(victim);
        try {
            // Until the brokers' metadata says the partition has no leader.
            Cli.Result described = await("describe sees " + lost + " offline").atMost(Duration.ofSeconds(60))
                    .until(() -> run(kafka, "describe", group), r -> r.exitCode() == CliException.PARTIAL);
            JsonNode groups = JsonContract.answer(described, "describe", CliException.PARTIAL);
            assertThat(described.err()).contains("kgroups: warning: group " + group + " " + lost + ": ");
            assertThat(groups.get(0).get("partitions")).filteredOn(p -> p.get("partition").asInt() == 0).singleElement()
                    .satisfies(p -> assertThat(p.get("error").asText()).contains("offline"));

            JsonNode lag = JsonContract.answer(run(kafka, "lag", group), "lag", CliException.PARTIAL);
            assertThat(lag).singleElement().satisfies(row -> assertThat(row.get("status").asText()).isEqualTo("UNKNOWN"));
        } finally {
            kafka.startBroker(victim);
        }
    }

    private static Cli.Result run(EmbeddedKafka kafka, String... args) {
        String[] all = java.util.stream.Stream.concat(java.util.stream.Stream.of(args), java.util.stream.Stream.of(
                "--output", "json", "--bootstrap-server", kafka.bootstrapServers(), "--timeout", "10s")).toArray(String[]::new);
        return Cli.run(all);
    }
}
