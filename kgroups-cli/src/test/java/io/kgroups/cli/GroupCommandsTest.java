package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaExtension.class)
class GroupCommandsTest {
    private static String bootstrap;

    @BeforeAll
    static void group(EmbeddedKafka kafka) throws Exception {
        bootstrap = kafka.bootstrapServers();
        kafka.createTopic("cli-orders", 2);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                new StringSerializer(), new StringSerializer()); Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>("cli-orders", i % 2, "k", "v")).get();
            }
            admin.alterConsumerGroupOffsets("cli_loader", Map.of(
                    new TopicPartition("cli-orders", 0), new OffsetAndMetadata(4),
                    new TopicPartition("cli-orders", 1), new OffsetAndMetadata(10))).all().get();
        }
    }

    @Test
    void groupsListsTheGroupWithItsLag() {
        Cli.Result result = Cli.run("groups", "--bootstrap-server", bootstrap, "--output", "csv");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out().lines()).first().isEqualTo("group,state,type,protocolType,members,topics,totalLag,error");
        assertThat(result.out()).contains("cli_loader,Empty,classic,,0,cli-orders,6,");
    }

    @Test
    void groupFiltersAreCheckedAndCaseInsensitive() {
        Cli.Result lower = Cli.run("groups", "--state", "empty", "--type", "CLASSIC", "--bootstrap-server", bootstrap,
                "--output", "csv");
        assertThat(lower.exitCode()).as(lower.err()).isZero();
        assertThat(lower.out()).contains("cli_loader,Empty,classic");

        Cli.Result state = Cli.run("groups", "--state", "Bogus", "--bootstrap-server", bootstrap);
        assertThat(state.exitCode()).isEqualTo(CliException.USAGE);
        assertThat(state.err()).contains("--state 'Bogus' is not a group state: use one of", "Stable", "Empty");

        Cli.Result type = Cli.run("groups", "--type", "bogus", "--bootstrap-server", bootstrap);
        assertThat(type.exitCode()).isEqualTo(CliException.USAGE);
        assertThat(type.err()).contains("--type 'bogus' is not a group type (classic, consumer, share, streams)");
    }

    @Test
    void describeJsonHasTheDocumentedFields() throws Exception {
        Cli.Result result = Cli.run("describe", "cli_loader", "--bootstrap-server", bootstrap, "--output", "json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode group = new ObjectMapper().readTree(result.out()).get("data").get(0);
        assertThat(group.get("group").asText()).isEqualTo("cli_loader");
        assertThat(group.get("state").asText()).isEqualTo("Empty");
        assertThat(group.get("type").asText()).isEqualTo("classic");
        assertThat(group.get("coordinator").get("id").asInt()).isEqualTo(1);
        assertThat(group.get("members").asInt()).isZero();
        assertThat(group.get("memberDetails").isArray()).isTrue();
        assertThat(group.get("totalLag").asLong()).isEqualTo(6);
        JsonNode p0 = group.get("partitions").get(0);
        assertThat(p0.get("topic").asText()).isEqualTo("cli-orders");
        assertThat(p0.get("partition").asInt()).isZero();
        assertThat(p0.get("committedOffset").asLong()).isEqualTo(4);
        assertThat(p0.get("logStartOffset").asLong()).isZero();
        assertThat(p0.get("logEndOffset").asLong()).isEqualTo(10);
        assertThat(p0.get("lag").asLong()).isEqualTo(6);
        assertThat(p0.get("lagSeconds").isNumber()).isTrue();
        assertThat(p0.has("memberId")).isTrue();
    }

    @Test
    void describeTableShowsTheGroupAndItsPartitions() {
        Cli.Result result = Cli.run("describe", "cli_loader", "--bootstrap-server", bootstrap);

        assertThat(result.out()).contains("GROUP cli_loader  state Empty  type classic", "lag 6")
                .contains("committed", "log-end", "retention-risk");
    }

    @Test
    void lagIsCompactPerGroupAndTopic() {
        Cli.Result result = Cli.run("lag", "cli_loader", "--bootstrap-server", bootstrap, "--output", "csv");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out().lines()).containsExactly("group,topic,lag,lagSeconds,members,moved,status",
                result.out().lines().skip(1).findFirst().orElseThrow());
        // An Empty group with lag, seen once: one sample cannot say it is fine, nor that it stopped (its records are new).
        assertThat(result.out().lines().skip(1).findFirst().orElseThrow()).startsWith("cli_loader,cli-orders,6,")
                .endsWith(",0,,UNKNOWN");
    }

    @Test
    void anUnknownGroupIsAOneLineFailure() {
        Cli.Result result = Cli.run("describe", "no_such_group", "--bootstrap-server", bootstrap);

        assertThat(result.exitCode()).isEqualTo(CliException.FAILED);
        assertThat(result.err().lines()).hasSize(1);
        assertThat(result.err()).contains("group 'no_such_group' does not exist");
    }

    @Test
    void describeNeedsGroupsOrAllGroups() {
        Cli.Result result = Cli.run("describe", "--bootstrap-server", bootstrap);

        assertThat(result.exitCode()).isEqualTo(CliException.USAGE);
        assertThat(result.err()).contains("GROUP", "--all-groups");
    }
}
