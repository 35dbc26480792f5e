package io.kgroups.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.kgroups.admin.GroupAdmin;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Offsets and settings that move under a running monitor, on the embedded broker. */
@ExtendWith(KafkaExtension.class)
class OffsetOddsTest {

    /** A topic re-created smaller than the group's committed offset: not "lag 0", a warning that says what happens next. */
    @Test
    void aCommittedOffsetPastTheLogEndIsAWarningThatSaysTheGroupWillBeReset(EmbeddedKafka kafka) throws Exception {
        Properties props = props(kafka);
        kafka.createTopic("odd-recreated", 1);
        produce(props, "odd-recreated", 10, System.currentTimeMillis());
        try (GroupAdmin admin = GroupAdmin.create(props, Duration.ofSeconds(30));
             LagMonitor monitor = LagMonitor.builder(admin).include(Pattern.compile("odd_recreated")).build()) {
            commit(admin, "odd_recreated", new TopicPartition("odd-recreated", 0), 500);
            monitor.cycle();
            PartitionStatus p = monitor.snapshot().group("odd_recreated").orElseThrow().partitions().get(0);
            assertThat(p.status()).isEqualTo(Status.WARNING);
            assertThat(p.lag()).isNull();
            assertThat(p.reason()).contains("past the log end 10", "resets it");
        }
    }

    /** retention.ms changed on a watched topic reaches the retention risk within the refresh, not never. */
    @Test
    void aChangedRetentionIsReadAgain(EmbeddedKafka kafka) throws Exception {
        Properties props = props(kafka);
        String topic = "odd-retention";
        TopicPartition tp = new TopicPartition(topic, 0);
        kafka.createTopic(topic, 1, 1, Map.of("retention.ms", String.valueOf(Duration.ofDays(7).toMillis())));
        long written = System.currentTimeMillis() - 60_000;
        produce(props, topic, 10, written);
        AtomicLong clock = new AtomicLong(System.currentTimeMillis());
        try (GroupAdmin admin = GroupAdmin.create(props, Duration.ofSeconds(30));
             LagMonitor monitor = LagMonitor.builder(admin).include(Pattern.compile("odd_retention")).clock(clock::get).build()) {
            commit(admin, "odd_retention", tp, 0);
            monitor.cycle();
            assertThat(retentionLeft(monitor)).isGreaterThan(Duration.ofDays(6).toSeconds());

            admin.admin().incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic), List.of(
                    new AlterConfigOp(new ConfigEntry("retention.ms", String.valueOf(Duration.ofHours(2).toMillis())),
                            AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
            clock.addAndGet(Sampler.RETENTION_REFRESH_MS);
            monitor.cycle();
            assertThat(retentionLeft(monitor)).isLessThan(Duration.ofHours(2).toSeconds());
        }
    }

    private static double retentionLeft(LagMonitor monitor) {
        Double left = monitor.snapshot().group("odd_retention").orElseThrow().partitions().get(0).retentionSecondsLeft();
        assertThat(left).as("retention left, %s", monitor.snapshot()).isNotNull();
        return left;
    }

    private static Properties props(EmbeddedKafka kafka) {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        return props;
    }

    private static void produce(Properties props, String topic, int count, long timestamp) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, 0, timestamp, "k", "v")).get();
            }
        }
    }

    private static void commit(GroupAdmin admin, String group, TopicPartition tp, long offset) throws Exception {
        admin.admin().alterConsumerGroupOffsets(group, Map.of(tp, new OffsetAndMetadata(offset))).all().get(30, TimeUnit.SECONDS);
    }
}
