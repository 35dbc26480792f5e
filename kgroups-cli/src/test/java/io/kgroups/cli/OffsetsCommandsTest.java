package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaExtension.class)
class OffsetsCommandsTest {
    private static final String TOPIC = "cli-offsets";
    private static String bootstrap;
    private static Admin admin;
    private static int groups;

    @BeforeAll
    static void topic(EmbeddedKafka kafka) throws Exception {
        bootstrap = kafka.bootstrapServers();
        kafka.createTopic(TOPIC, 2);
        admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>(TOPIC, i % 2, "k", "v")).get();
            }
        }
    }

    private static String group(long p0, long p1) throws Exception {
        String group = "cli-offsets-g" + (++groups);
        admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(p0),
                new TopicPartition(TOPIC, 1), new OffsetAndMetadata(p1))).all().get();
        return group;
    }

    private static Map<TopicPartition, OffsetAndMetadata> committed(String group) throws Exception {
        return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    }

    @Test
    void exportThenImportMovesOffsetsBetweenGroups(@TempDir Path dir) throws Exception {
        String from = group(3, 7);
        Path file = dir.resolve("offsets.csv");

        assertThat(Cli.run("offsets", "export", from, "--file", file.toString(), "--bootstrap-server", bootstrap).exitCode())
                .isZero();
        assertThat(Files.readAllLines(file)).containsExactly(TOPIC + ",0,3", TOPIC + ",1,7");

        String to = group(0, 0);
        Cli.Result imported = Cli.run("offsets", "import", file.toString(), to, "--execute", "--bootstrap-server", bootstrap,
                "--backup-dir", dir.toString(), "--audit-log", dir.resolve("audit.log").toString());
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        assertThat(committed(to).get(new TopicPartition(TOPIC, 1)).offset()).isEqualTo(7);
    }

    @Test
    void copyStartsAGroupWhereAnotherStands(@TempDir Path dir) throws Exception {
        String from = group(4, 9);
        String to = "cli-offsets-new" + (++groups);

        // A group that does not exist is a typo until said otherwise: refused, nothing written, nothing audited.
        Cli.Result typo = Cli.run("offsets", "copy", from, to, "--execute", "--bootstrap-server", bootstrap,
                "--backup-dir", dir.toString(), "--audit-log", dir.resolve("audit.log").toString());
        assertThat(typo.exitCode()).isEqualTo(CliException.FAILED);
        assertThat(typo.err()).contains("group '" + to + "' does not exist", "--create-group", "nothing was changed");
        assertThat(committed(to)).isEmpty();
        assertThat(dir.resolve("audit.log")).doesNotExist();

        Cli.Result dryRun = Cli.run("offsets", "copy", from, to, "--create-group", "--bootstrap-server", bootstrap);
        assertThat(dryRun.out()).contains("Dry run");
        assertThat(committed(to)).isEmpty();

        Cli.Result copied = Cli.run("offsets", "copy", from, to, "--execute", "--create-group", "--bootstrap-server", bootstrap,
                "--backup-dir", dir.toString(), "--audit-log", dir.resolve("audit.log").toString());
        assertThat(copied.exitCode()).as(copied.err()).isZero();
        assertThat(committed(to).get(new TopicPartition(TOPIC, 0)).offset()).isEqualTo(4);
        assertThat(committed(to).get(new TopicPartition(TOPIC, 1)).offset()).isEqualTo(9);
    }
}
