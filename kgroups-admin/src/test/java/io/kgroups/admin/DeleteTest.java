package io.kgroups.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Executed deletes where only Kafka can see the member in the way: one that joins after every
 * check and the backup. Kafka refuses; nothing is changed, no backup is left, nothing audited.
 */
@ExtendWith(KafkaExtension.class)
class DeleteTest {
    private static final String TOPIC = "delete-orders";
    private static String bootstrap;
    private static int groups;

    @BeforeAll
    static void topic(EmbeddedKafka kafka) throws Exception {
        bootstrap = kafka.bootstrapServers();
        kafka.createTopic(TOPIC, 2);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>(TOPIC, i % 2, "k", "v")).get();
            }
        }
    }

    private static GroupAdmin admin() {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        return GroupAdmin.create(p, Duration.ofSeconds(30));
    }

    private static Map<TopicPartition, OffsetAndMetadata> committed(GroupAdmin admin, String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>(admin.admin().listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get());
        committed.values().removeIf(java.util.Objects::isNull);
        return committed;
    }

    static Stream<Arguments> deletes() {
        return Stream.of(Arguments.of("classic", "delete"), Arguments.of("consumer", "delete"),
                Arguments.of("classic", "delete-offsets"), Arguments.of("consumer", "delete-offsets"));
    }

    @ParameterizedTest(name = "{1}, a {0} member")
    @MethodSource("deletes")
    void aMemberJoiningAfterTheCheckChangesNothingAndLeavesNoBackup(String protocol, String action, @TempDir Path dir)
            throws Exception {
        try (GroupAdmin admin = admin()) {
            String group = "delete-g" + (++groups);
            admin.admin().alterConsumerGroupOffsets(group, Map.of(new TopicPartition(TOPIC, 0),
                    new OffsetAndMetadata(4, Optional.of(0), "m"), new TopicPartition(TOPIC, 1), new OffsetAndMetadata(6)))
                    .all().get();
            Map<TopicPartition, OffsetAndMetadata> before = committed(admin, group);
            List<KafkaConsumer<String, String>> joined = new ArrayList<>();
            admin.beforeWrite(() -> joined.add(GroupMember.joined(bootstrap, TOPIC, group, protocol)));
            try {
                assertThatThrownBy(() -> {
                    if (action.equals("delete")) {
                        admin.executeDelete(group, false, false, dir.resolve("backups"), dir.resolve("audit.log"));
                    } else {
                        admin.executeDeleteOffsets(group, Map.of(TOPIC, Set.of()), dir.resolve("backups"),
                                dir.resolve("audit.log"));
                    }
                })
                        .isInstanceOf(GroupAdminException.class)
                        .hasMessageStartingWith("group '" + group + "' " + (action.equals("delete")
                                ? "got a member after the check" : "is subscribed to the topic"))
                        .hasMessageContaining("so Kafka refused the write")
                        .hasMessageContaining("nothing was changed; stop its consumers and run the command again");
                assertThat(joined).as("the member joined after the checks").hasSize(1);
                assertThat(committed(admin, group)).isEqualTo(before);
                try (Stream<Path> files = Files.list(dir.resolve("backups"))) {
                    assertThat(files).as("the backup of a delete that did not happen is removed").isEmpty();
                }
                assertThat(dir.resolve("audit.log")).doesNotExist();
            } finally {
                admin.beforeWrite(() -> { });
                joined.forEach(KafkaConsumer::close);
            }
        }
    }
}
