package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerCommandTest {

    /** `kgroups broker` running on a thread of this JVM, stopped by interrupting it. */
    private static final class RunningBroker implements AutoCloseable {
        private final StringWriter out = new StringWriter();
        private final StringWriter err = new StringWriter();
        private final AtomicInteger exitCode = new AtomicInteger(-1);
        private final Thread thread;

        RunningBroker(String... args) {
            thread = new Thread(() -> exitCode.set(Kgroups.execute(args, new PrintWriter(out, true),
                    new PrintWriter(err, true), Map.of())));
            thread.start();
        }

        /** The data of the JSON envelope the broker prints (one line) once it runs. */
        JsonNode started() throws Exception {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(out.toString().contains("}\n")
                    || !thread.isAlive()).as("the broker printed its address or ended; it printed:%n%s%nstderr:%n%s", out, err)
                    .isTrue());
            return new ObjectMapper().readTree(out.toString()).get("data");
        }

        @Override
        public void close() throws Exception {
            thread.interrupt();
            thread.join(60_000);
            assertThat(thread.isAlive()).as("stopped within 60 s of an interrupt; it printed:%n%s%nstderr:%n%s", out, err)
                    .isFalse();
            assertThat(exitCode.get()).as("exit code; stderr:%n%s", err).isZero();
        }
    }

    @Test
    void runsABrokerThatClientsCanProduceToAndConsumeFrom() throws Exception {
        String dataDir;
        try (RunningBroker broker = new RunningBroker("broker", "--port", "0", "--output", "json")) {
            JsonNode started = broker.started();
            String bootstrap = started.get("bootstrapServers").asText();
            dataDir = started.get("dataDir").asText();
            assertThat(started.get("dataKept").asBoolean()).isFalse();

            produce(bootstrap, "cli-broker", 20);
            assertThat(consumeAll(bootstrap, "cli-broker", 20)).hasSize(20);
        }
        assertThat(Path.of(dataDir)).doesNotExist();
    }

    @Test
    void dataInADataDirSurvivesARestart(@TempDir Path dir) throws Exception {
        Path dataDir = dir.resolve("kafka");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        String[] args = {"broker", "--port", String.valueOf(port), "--data-dir", dataDir.toString(), "--output", "json"};
        try (RunningBroker broker = new RunningBroker(args)) {
            produce(broker.started().get("bootstrapServers").asText(), "kept", 10);
        }
        assertThat(dataDir.resolve("broker.log")).isNotEmptyFile();
        try (RunningBroker broker = new RunningBroker(args)) {
            assertThat(consumeAll(broker.started().get("bootstrapServers").asText(), "kept", 10))
                    .containsExactly("v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9");
        }
    }

    @Test
    void aSecuredBrokerNamesTheAdminsSettingsFileThatOtherCommandsTakeAndNeverPrintsThePassword(@TempDir Path dir)
            throws Exception {
        Path dataDir = dir.resolve("kafka");
        String password;
        Cli.Result ran;
        Cli.Running broker = new Cli.Running(Map.of(), "broker", "--secure", "--port", "0", "--data-dir",
                dataDir.toString(), "--output", "json");
        try {
            JsonNode started = new ObjectMapper().readTree(broker.printed("}\n").out()).get("data");
            assertThat(started.get("secure").asBoolean()).as("started: %s", started).isTrue();
            Path file = Path.of(started.get("clientProperties").asText());
            assertThat(file).isEqualTo(dataDir.resolve("client.properties"));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            Properties admin = load(file);
            password = password(admin.getProperty("sasl.jaas.config"));
            String bootstrap = started.get("bootstrapServers").asText();
            admin.put("bootstrap.servers", bootstrap);
            produce(admin, "secured-cli", 5);
            assertThat(consumeAll(admin, "secured-cli", 5)).hasSize(5);

            Cli.Result groups = Cli.runWatchingConsole(Map.of(), "groups", "--command-config", file.toString(),
                    "--bootstrap-server", bootstrap, "--verbose", "--output", "json");
            assertThat(groups.exitCode()).as("groups; stderr:%n%s", groups.err()).isZero();
            assertThat(groups.out()).contains("\"reader-secured-cli\"");
            assertThat(groups.all()).doesNotContain(password);

            Cli.Result withoutCredentials = Cli.run("groups", "--bootstrap-server", bootstrap, "--timeout", "10s");
            assertThat(withoutCredentials.exitCode()).isEqualTo(CliException.FAILED);
            assertThat(withoutCredentials.err()).contains("authentication failed", "requires SASL", "SCRAM-SHA-512");
        } finally {
            ran = broker.stop();
        }
        assertThat(ran.exitCode()).as("broker exit code; stderr:%n%s", ran.err()).isZero();
        assertThat(ran.all()).doesNotContain(password);
        assertThat(Files.readString(dataDir.resolve("broker.log"))).isNotEmpty().doesNotContain(password);

        Cli.Result unsecured = Cli.run("broker", "--port", "0", "--data-dir", dataDir.toString());
        assertThat(unsecured.exitCode()).isEqualTo(CliException.FAILED);
        assertThat(unsecured.err().lines()).hasSize(1);
        assertThat(unsecured.err()).contains("holds a secured cluster", "start it with --secure");
    }

    @Test
    void aPortInUseIsAOneLineFailure() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            Cli.Result result = Cli.run("broker", "--port", String.valueOf(taken.getLocalPort()));

            assertThat(result.exitCode()).isEqualTo(CliException.FAILED);
            assertThat(result.err().lines()).hasSize(1);
            assertThat(result.err()).contains("port " + taken.getLocalPort(), "is in use", "choose another port");
        }
    }

    @Test
    void anUnwritableDataDirIsAOneLineFailure(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");

        Cli.Result result = Cli.run("broker", "--port", "0", "--data-dir", file.resolve("kafka").toString());

        assertThat(result.exitCode()).isEqualTo(CliException.FAILED);
        assertThat(result.err().lines()).hasSize(1);
        assertThat(result.err()).contains("cannot create data directory", "choose a writable directory");
    }

    @Test
    void aDataDirOfAnotherClusterShapeIsRefused(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("node-1"));

        Cli.Result result = Cli.run("broker", "--port", "0", "--brokers", "3", "--data-dir", dir.toString());

        assertThat(result.exitCode()).isEqualTo(CliException.FAILED);
        assertThat(result.err()).contains("holds a cluster of 1 broker(s), not 3");
    }

    private static void produce(String bootstrap, String topic, int count) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        produce(p, topic, count);
    }

    private static void produce(Properties p, String topic, int count) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, "k", "v" + i)).get();
            }
        }
    }

    private static List<String> consumeAll(String bootstrap, String topic, int count) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        return consumeAll(p, topic, count);
    }

    /** Reads {@code count} records of {@code topic} as the group reader-TOPIC, and commits them. */
    private static List<String> consumeAll(Properties settings, String topic, int count) {
        Properties p = new Properties();
        p.putAll(settings);
        p.put("group.id", "reader-" + topic);
        p.put("auto.offset.reset", "earliest");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(Set.of(topic));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
                return values.size() >= count;
            });
            consumer.commitSync();
        }
        return values;
    }

    private static Properties load(Path file) throws Exception {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            properties.load(in);
        }
        return properties;
    }

    private static String password(String jaas) {
        Matcher matcher = Pattern.compile("password=\"([^\"]+)\"").matcher(jaas);
        assertThat(matcher.find()).as("a password in the admin's sasl.jaas.config").isTrue();
        return matcher.group(1);
    }
}
