package io.kgroups.bench;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Fills a topic with records for a benchmark to read, the same way in every benchmark. */
final class TopicFiller {
    private TopicFiller() {
    }

    /**
     * Sends {@code records} values of {@code recordBytes} bytes (no key: the producer spreads them
     * over the partitions) with acks=all and linger.ms=5; returns the seconds until every one was
     * acknowledged. Create the topic first ({@code EmbeddedKafka.createTopic}).
     */
    static double fill(String bootstrap, String topic, int records, int recordBytes) {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5);
        // One array for every record: the producer copies it into its batches, and without
        // compression the contents do not matter.
        byte[] value = new byte[recordBytes];
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.partitionsFor(topic); // metadata before the clock starts
            long start = System.nanoTime();
            for (int i = 0; i < records && failure.get() == null; i++) {
                producer.send(new ProducerRecord<>(topic, value), (metadata, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            producer.flush();
            long elapsed = System.nanoTime() - start;
            if (failure.get() != null) {
                throw new IllegalStateException("produce to " + topic + " failed: " + failure.get(), failure.get());
            }
            return elapsed / 1e9;
        }
    }
}
