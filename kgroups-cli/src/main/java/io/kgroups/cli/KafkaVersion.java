package io.kgroups.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of the Kafka client library on the class path, from the file kafka-clients ships. */
final class KafkaVersion {
    private static final String VERSION = read();

    private KafkaVersion() {
    }

    static String get() {
        return VERSION;
    }

    private static String read() {
        try (InputStream in = KafkaVersion.class.getResourceAsStream("/kafka/kafka-version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
