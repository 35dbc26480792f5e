package io.kgroups.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.kgroups.admin.GroupAdmin;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Time lag against the truth: a producer writing one record a second (of the monitor's clock,
 * which moves a minute per cycle) and a consumer held exactly 300 records, so 300 seconds, behind.
 */
@ExtendWith(KafkaExtension.class)
class TimeLagTruthTest {

    @Test
    void timeLagIsWithinOneIntervalOfTheTruth(EmbeddedKafka kafka) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        String topic = "truth-orders";
        String group = "truth_loader";
        TopicPartition tp = new TopicPartition(topic, 0);
        kafka.createTopic(topic, 1);
        long interval = 60_000;
        AtomicLong clock = new AtomicLong(System.currentTimeMillis() - 30 * interval);
        try (GroupAdmin admin = GroupAdmin.create(props, Duration.ofSeconds(30));
             KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
             LagMonitor monitor = LagMonitor.builder(admin).interval(Duration.ofMillis(interval)).window(8).exactTimeLagPartitions(0)
                     .include(java.util.regex.Pattern.compile("truth_.*")).clock(clock::get).build()) {
            long produced = 0;
            for (int cycle = 0; cycle < 12; cycle++) {
                for (int s = 0; s < 60; s++) { // one record per second of the clock
                    producer.send(new ProducerRecord<>(topic, 0, clock.get() + s * 1_000L, "k", "v"));
                    produced++;
                }
                producer.flush();
                clock.addAndGet(interval);
                long held = Math.max(0, produced - 300);
                admin.admin().alterConsumerGroupOffsets(group, Map.of(tp, new OffsetAndMetadata(held))).all().get();
                monitor.cycle();
            }
            PartitionStatus p = monitor.snapshot().group(group).orElseThrow().partitions().get(0);
            assertThat(p.lag()).isEqualTo(300);
            // Interpolated on the log-end history (8 samples span 7 min, more than the 5 min behind; exact
            // reads of the most lagging partitions switched off): the truth is 300 s.
            assertThat(p.lagSeconds()).isBetween(300.0 - 60, 300.0 + 60);
        }
    }
}
