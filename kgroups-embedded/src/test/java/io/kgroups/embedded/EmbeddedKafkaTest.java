package io.kgroups.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaExtension.class)
class EmbeddedKafkaTest {

    @Test
    void producesAndConsumesOnATopicCreatedOnFirstUse(EmbeddedKafka kafka) throws Exception {
        String topic = "first-use";
        try (KafkaProducer<String, String> producer = Clients.producer(kafka.bootstrapServers());
             KafkaConsumer<String, String> consumer = Clients.consumer(kafka.bootstrapServers(), "g-first-use")) {
            Clients.send(producer, topic, "r", 100);
            consumer.subscribe(Set.of(topic));
            List<String> received = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                received.addAll(Clients.pollValues(consumer));
                return received.size() >= 100;
            });
            assertThat(received).hasSize(100).startsWith("r-0").endsWith("r-99");
        }
        try (Admin admin = Admin.create(Clients.adminConfig(kafka.bootstrapServers()))) {
            assertThat(admin.listTopics().names().get()).contains(topic);
        }
    }

    @Test
    void sharesOneClusterAcrossTests(EmbeddedKafka kafka, EmbeddedKafka again) {
        assertThat(again).isSameAs(kafka);
    }

    @Test
    void writesBrokerLogsToAFileInTheDataDirectory(EmbeddedKafka kafka) throws Exception {
        assertThat(kafka.logFile()).startsWith(kafka.dataDir());
        assertThat(Files.readString(kafka.logFile())).contains("Kafka Server started");
    }
}
