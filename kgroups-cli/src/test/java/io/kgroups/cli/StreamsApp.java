package io.kgroups.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.Stores;

/**
 * A small Kafka Streams app of the streams protocol (KIP-1071) for tests: it counts the records
 * of a 2-partition input topic by their first letter. That is two subtopologies: 0 reads the
 * input and writes the repartition topic {@code APP-by-letter-repartition}, 1 reads it and keeps
 * the counts in a store with the changelog {@code APP-counts-changelog}.
 */
final class StreamsApp {
    private StreamsApp() {
    }

    static String repartitionTopic(String app) {
        return app + "-by-letter-repartition";
    }

    static String changelogTopic(String app) {
        return app + "-counts-changelog";
    }

    /** Writes {@code records} records to the 2 partitions of {@code input}, alternately. */
    static void produce(String bootstrap, String input, int records) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(input, i % 2, "k" + i, (i % 3 == 0 ? "a" : "b") + i));
            }
            producer.flush();
        }
    }

    /** Starts one instance of the app {@code app} (its group) reading {@code input}. */
    static KafkaStreams start(String bootstrap, String app, String input, String clientId) throws IOException {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(input, Consumed.with(Serdes.String(), Serdes.String()))
                .groupBy((k, v) -> v.substring(0, 1), Grouped.with("by-letter", Serdes.String(), Serdes.String()))
                .count(Materialized.as(Stores.inMemoryKeyValueStore("counts")));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, app);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.GROUP_PROTOCOL_CONFIG, "streams");
        props.put(StreamsConfig.CLIENT_ID_CONFIG, clientId);
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("kgroups-streams").toString());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
        KafkaStreams streams = new KafkaStreams(builder.build(), props);
        streams.start();
        return streams;
    }
}
