package io.kgroups.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.utils.internals.Exit;
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
    void aCreatedTopicTakesManyRequestsInFlightAtOnce(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("created", 6);
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        try (KafkaProducer<String, String> producer = Clients.producer(kafka.bootstrapServers())) {
            for (int i = 0; i < 5_000; i++) {
                acks.add(producer.send(new ProducerRecord<>("created", "k" + i, "v" + i)));
            }
            for (Future<RecordMetadata> ack : acks) {
                // A batch overtaken by a later one would be retried until delivery.timeout.ms (120 s).
                assertThat(ack.get(30, TimeUnit.SECONDS).offset()).isNotNegative();
            }
        }
    }

    @Test
    void theBrokerCannotEndTheHostJvm(EmbeddedKafka kafka) {
        // What a broker does on a fatal error (a failed log directory, say): Kafka's Exit, not System.exit.
        assertThatThrownBy(() -> Exit.exit(1, "fatal error in a test"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("refused");
        assertThatThrownBy(() -> Exit.halt(1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void sharesOneClusterAcrossTests(EmbeddedKafka kafka, EmbeddedKafka again) {
        assertThat(again).isSameAs(kafka);
    }

    @Test
    void writesBrokerLogsToAFileInTheDataDirectory(EmbeddedKafka kafka) throws Exception {
        assertThat(kafka.logFile()).startsWith(kafka.dataDir());
        assertThat(Files.readString(kafka.logFile())).contains("Transition from STARTING to STARTED");
    }
}
