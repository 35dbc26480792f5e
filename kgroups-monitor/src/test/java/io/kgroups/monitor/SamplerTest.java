package io.kgroups.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.kgroups.admin.GroupAdmin;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The monitor's log reads are bounded: groups whose committed offsets are older than the history
 * (interpolation cannot answer) get their exact time lag a few places per cycle, most lagging
 * first, and a place read once is not read again while the group stands there.
 */
@ExtendWith(KafkaExtension.class)
class SamplerTest {

    @Test
    void exactTimeLagReadsAreBoundedPerCycleAndRemembered(EmbeddedKafka kafka) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        String topic = "sampler-orders";
        int partitions = 12;
        kafka.createTopic(topic, partitions);
        long written = System.currentTimeMillis() - 600_000;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (int p = 0; p < partitions; p++) {
                for (int i = 0; i < 100; i++) {
                    producer.send(new ProducerRecord<>(topic, p, written, "k", "v")).get();
                }
            }
        }
        try (GroupAdmin admin = GroupAdmin.create(props, Duration.ofSeconds(30))) {
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                offsets.put(new TopicPartition(topic, p), new OffsetAndMetadata(p)); // lag 100 - p: partition 0 lags most
            }
            admin.admin().alterConsumerGroupOffsets("sampler_old", offsets).all().get(30, TimeUnit.SECONDS);
            try (LagMonitor monitor = LagMonitor.builder(admin).include(Pattern.compile("sampler_.*"))
                    .exactTimeLagPartitions(5).build()) {
                monitor.cycle();
                assertThat(timed(monitor)).as("first cycle: the 5 most lagging").containsOnlyKeys(0, 1, 2, 3, 4);
                assertThat(timed(monitor).values()).allSatisfy(s -> assertThat(s).isGreaterThanOrEqualTo(600.0));
                monitor.cycle();
                assertThat(timed(monitor)).as("second cycle: 5 more, the first 5 remembered")
                        .containsOnlyKeys(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
                monitor.cycle();
                assertThat(timed(monitor)).hasSize(partitions);
            }
        }
    }

    /** Partition → time lag, for the partitions that have one. */
    private static Map<Integer, Double> timed(LagMonitor monitor) {
        Map<Integer, Double> timed = new HashMap<>();
        monitor.snapshot().group("sampler_old").orElseThrow().partitions().stream()
                .filter(p -> Objects.nonNull(p.lagSeconds())).forEach(p -> timed.put(p.partition(), p.lagSeconds()));
        return timed;
    }
}
