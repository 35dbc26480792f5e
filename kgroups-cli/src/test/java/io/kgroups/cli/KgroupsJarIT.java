package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import io.kgroups.embedded.EmbeddedKafka;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runnable jar, as the ./kgroups launcher runs it: a separate JVM, stopped by a signal. */
class KgroupsJarIT {
    private static final Path JAR = Path.of(System.getProperty("kgroups.jar", "target/kgroups.jar"));

    @Test
    void brokerServesClientsAndStopsCleanlyOnASignal(@TempDir Path dir) throws Exception {
        Path stderr = dir.resolve("stderr.txt");
        Process process = new ProcessBuilder(JarRun.java(), "-jar", JAR.toString(), "broker", "--port", "0", "--output", "json")
                .redirectError(stderr.toFile())
                .start();
        try {
            JsonNode started = assertTimeoutPreemptively(Duration.ofSeconds(120), () -> readJson(process),
                    () -> "the broker printed no address within 120 s; its stderr:\n" + read(stderr));
            String bootstrap = started.get("bootstrapServers").asText();
            Path dataDir = Path.of(started.get("dataDir").asText());

            Properties p = new Properties();
            p.put("bootstrap.servers", bootstrap);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>("jar-it", "k", "v" + i)).get();
                }
            }
            p.put("group.id", "jar-it");
            p.put("auto.offset.reset", "earliest");
            List<String> values = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(Set.of("jar-it"));
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                        values.add(r.value());
                    }
                    return values.size() >= 10;
                });
            }
            assertThat(values).hasSize(10);

            process.destroy(); // SIGTERM, as Ctrl-C is SIGINT: both run the shutdown hook
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s of SIGTERM; its stderr:\n%s",
                    read(stderr)).isTrue();
            assertThat(Files.readString(stderr)).contains("kgroups: Kafka stopped").doesNotContain("Exception");
            assertThat(dataDir).doesNotExist();
        } finally {
            process.destroyForcibly();
        }
    }

    /**
     * JSON on stdout is UTF-8 whatever the platform's charset: on Java 17 with {@code LC_ALL=C}
     * (a minimal container) the platform's charset is US-ASCII, and a group named outside ASCII
     * came out with '?' for its letters, a name no script could use (nor can it be typed there:
     * the arguments are decoded in that charset too, hence --all-groups). describe and groups write
     * JSON as they read, with a generator over stdout's bytes.
     */
    @Test
    void jsonOnStdoutIsUtf8WhateverThePlatformCharset(@TempDir Path dir) throws Exception {
        String group = "lager-\u00f8st-\u6771\u4eac";
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().port(0).build().start()) {
            kafka.createTopic("jar-it-utf8", 1);
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition("jar-it-utf8", 0), new OffsetAndMetadata(0)))
                        .all().get(30, TimeUnit.SECONDS);
            }
            for (List<String> command : List.of(List.of("describe", "--all-groups"), List.of("groups"))) {
                List<String> args = new ArrayList<>(List.of(JarRun.java(), "-jar", JAR.toString()));
                args.addAll(command);
                args.addAll(List.of("--output", "json", "--bootstrap-server", kafka.bootstrapServers()));
                ProcessBuilder builder = new ProcessBuilder(args).redirectError(dir.resolve("stderr.txt").toFile());
                builder.environment().put("LC_ALL", "C");
                Process process = builder.start();
                byte[] stdout = process.getInputStream().readAllBytes();
                assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s ended", command).isTrue();
                assertThat(process.exitValue()).as("%s: exit code; stderr:%n%s", command, read(dir.resolve("stderr.txt")))
                        .isZero();
                JsonNode data = new ObjectMapper().readTree(new String(stdout, StandardCharsets.UTF_8)).get("data");
                List<String> names = new ArrayList<>();
                data.forEach(g -> names.add(g.get("group").asText()));
                assertThat(names).as("%s", command).contains(group);
            }
        }
    }

    /** The data of the JSON envelope the broker prints (one line) once it runs. */
    private static JsonNode readJson(Process process) throws Exception {
        BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = reader.readLine();
        if (line == null) {
            throw new AssertionError("the broker exited without printing its address");
        }
        return new ObjectMapper().readTree(line).get("data");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }
}
