package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A cluster kgroups cannot talk to is named for what it is, at once, in one line of kgroups' own:
 * nothing listening, a name that does not resolve, a listener of another security protocol (real
 * SASL_PLAINTEXT and SSL brokers here, beside the shared PLAINTEXT one), with no library log line.
 */
@ExtendWith(KafkaExtension.class)
class ConnectionErrorsTest {
    private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required "
            + "username=\"ops\" password=\"ops-secret\"";
    private static final String STORE_PASSWORD = "store-secret";

    @TempDir
    static Path dir;
    private static String plaintext;
    private static EmbeddedKafka sasl;
    private static EmbeddedKafka ssl;

    @BeforeAll
    static void brokers(EmbeddedKafka kafka) throws Exception {
        plaintext = kafka.bootstrapServers();
        // The embedded broker's client listener is named PLAINTEXT; mapping the name to another
        // protocol gives a real SASL or TLS listener (one node: the inter-broker traffic is to itself).
        sasl = EmbeddedKafka.builder()
                .brokerProperty("listener.security.protocol.map", "PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT")
                .brokerProperty("sasl.enabled.mechanisms", "PLAIN")
                .brokerProperty("sasl.mechanism.inter.broker.protocol", "PLAIN")
                .brokerProperty("listener.name.plaintext.plain.sasl.jaas.config", JAAS + " user_ops=\"ops-secret\";")
                .build().start();
        Path keystore = dir.resolve("broker.p12");
        Path truststore = dir.resolve("trust.p12");
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD);
        keytool("-exportcert", "-alias", "broker", "-keystore", keystore.toString(), "-storepass", STORE_PASSWORD,
                "-file", dir.resolve("broker.crt").toString());
        keytool("-importcert", "-noprompt", "-alias", "broker", "-file", dir.resolve("broker.crt").toString(),
                "-storetype", "PKCS12", "-keystore", truststore.toString(), "-storepass", STORE_PASSWORD);
        ssl = EmbeddedKafka.builder()
                .brokerProperty("listener.security.protocol.map", "PLAINTEXT:SSL,CONTROLLER:PLAINTEXT")
                .brokerProperty("ssl.keystore.type", "PKCS12")
                .brokerProperty("ssl.keystore.location", keystore.toString())
                .brokerProperty("ssl.keystore.password", STORE_PASSWORD)
                .brokerProperty("ssl.key.password", STORE_PASSWORD)
                .brokerProperty("ssl.truststore.type", "PKCS12")
                .brokerProperty("ssl.truststore.location", truststore.toString())
                .brokerProperty("ssl.truststore.password", STORE_PASSWORD)
                .build().start();
    }

    @AfterAll
    static void stopBrokers() {
        if (sasl != null) {
            sasl.close();
        }
        if (ssl != null) {
            ssl.close();
        }
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0).as("keytool %s:%n%s", command, output)
                .isTrue();
    }

    /** A client config for a listener of {@code protocol}, right in everything else (credentials, trust). */
    private static Path config(String protocol, String... more) throws IOException {
        List<String> lines = new ArrayList<>(List.of("security.protocol=" + protocol));
        if (protocol.startsWith("SASL_")) {
            lines.addAll(List.of("sasl.mechanism=PLAIN", "sasl.jaas.config=" + JAAS + ";"));
        }
        if (protocol.endsWith("SSL")) {
            lines.addAll(List.of("ssl.truststore.type=PKCS12", "ssl.truststore.location=" + dir.resolve("trust.p12"),
                    "ssl.truststore.password=" + STORE_PASSWORD));
        }
        lines.addAll(List.of(more));
        Path file = Files.createTempFile(dir, protocol, ".properties");
        Files.write(file, lines);
        return file;
    }

    private static String bootstrap(String listener) {
        return switch (listener) {
            case "PLAINTEXT" -> plaintext;
            case "SASL_PLAINTEXT" -> sasl.bootstrapServers();
            default -> ssl.bootstrapServers();
        };
    }

    /** Runs the command, and checks that it failed with one line of kgroups' own and nothing else anywhere. */
    private static Cli.Result fails(String... args) {
        Cli.Result result = Cli.runWatchingConsole(Map.of(), args);
        assertThat(result.exitCode()).as("exit code; stderr:%n%s", result.err()).isEqualTo(CliException.FAILED);
        assertThat(result.err().lines()).as("stderr").hasSize(1).allMatch(line -> line.startsWith("kgroups: "));
        assertThat(result.out()).as("stdout").isEmpty();
        assertThat(result.console()).as("what libraries logged to the console").isEmpty();
        return result;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void nothingListeningIsSaidWithinAboutASecondNotAfterTheTimeout() throws Exception {
        String address = "127.0.0.1:" + freePort();
        for (String command : List.of("groups", "cluster", "produce-orders")) {
            long start = System.nanoTime();
            Cli.Result result = fails(command, "--bootstrap-server", address);
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);

            assertThat(result.err()).isEqualTo("kgroups: cannot reach Kafka at " + address + ": connection refused (nothing "
                    + "listens there): check --bootstrap-server (or $KGROUPS_BOOTSTRAP_SERVERS) and that the cluster is up\n");
            assertThat(seconds).as("seconds taken by %s, with the default --timeout of 30s", command).isLessThan(10);
        }
    }

    @Test
    void aHostThatDoesNotResolveIsSaidAsSuch() {
        Cli.Result result = fails("describe", "some-group", "--bootstrap-server", "no-such-host.invalid:9092");

        assertThat(result.err()).contains("cannot reach Kafka at no-such-host.invalid:9092: unknown host");
    }

    @Test
    void aListenerThatAcceptsButDoesNotAnswerKeepsTheTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new ArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept()); // held open, never answered
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.start();
            String address = "127.0.0.1:" + silent.getLocalPort();
            long start = System.nanoTime();
            Cli.Result result = fails("groups", "--bootstrap-server", address, "--timeout", "3s");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(result.err()).contains("cannot reach Kafka at " + address + " within 3s", "--bootstrap-server");
            assertThat(millis).as("waited for the timeout").isGreaterThanOrEqualTo(3_000);
            silent.close();
            acceptor.join(5_000);
            for (Socket socket : accepted) {
                socket.close();
            }
        }
    }

    @ParameterizedTest(name = "a {0} config against a {1} listener")
    @CsvSource(delimiter = '|', value = {
        "SASL_PLAINTEXT | PLAINTEXT      | does not speak SASL (is it PLAINTEXT?), your config says SASL_PLAINTEXT",
        "SSL            | PLAINTEXT      | does not speak TLS (is it PLAINTEXT?), your config says SSL",
        "SASL_SSL       | PLAINTEXT      | does not speak TLS nor SASL (is it PLAINTEXT?), your config says SASL_SSL",
        "PLAINTEXT      | SASL_PLAINTEXT | requires SASL (is it SASL_PLAINTEXT? it offers PLAIN), your config says PLAINTEXT",
        "SSL            | SASL_PLAINTEXT | does not speak TLS (is it SASL_PLAINTEXT? it offers PLAIN), your config says SSL",
        "PLAINTEXT      | SSL            | speaks TLS (is it SSL or SASL_SSL?), your config says PLAINTEXT",
        "SASL_PLAINTEXT | SSL            | speaks TLS (is it SSL or SASL_SSL?), your config says SASL_PLAINTEXT",
    })
    void aListenerOfAnotherSecurityProtocolIsNamed(String protocol, String listener, String says) throws Exception {
        String address = bootstrap(listener);
        long start = System.nanoTime();
        Cli.Result result = fails("groups", "--bootstrap-server", address, "--command-config", config(protocol).toString());
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);

        assertThat(result.err()).isEqualTo("kgroups: authentication failed: the broker's listener at " + address + " " + says
                + ": check security.protocol in --command-config\n");
        assertThat(seconds).as("seconds taken, with the default --timeout of 30s").isLessThan(10);
    }

    @Test
    void theClusterCommandSaysTheSame() throws Exception {
        Cli.Result result = fails("cluster", "--bootstrap-server", plaintext, "--command-config",
                config("SASL_PLAINTEXT").toString());

        assertThat(result.err()).contains("authentication failed: the broker's listener at " + plaintext
                + " does not speak SASL (is it PLAINTEXT?), your config says SASL_PLAINTEXT");
    }

    @Test
    void rightConfigsWorkAndAWrongPasswordIsNotCalledAProtocolMismatch() throws Exception {
        Cli.Result viaSasl = Cli.run("cluster", "--bootstrap-server", sasl.bootstrapServers(), "--command-config",
                config("SASL_PLAINTEXT").toString());
        assertThat(viaSasl.exitCode()).as(viaSasl.err()).isZero();
        Cli.Result viaSsl = Cli.run("groups", "--bootstrap-server", ssl.bootstrapServers(), "--command-config",
                config("SSL").toString());
        assertThat(viaSsl.exitCode()).as(viaSsl.err()).isZero();

        Path wrongPassword = dir.resolve("wrong-password.properties");
        Files.write(wrongPassword, List.of("security.protocol=SASL_PLAINTEXT", "sasl.mechanism=PLAIN",
                "sasl.jaas.config=" + JAAS.replace("ops-secret", "not-it") + ";"));
        Cli.Result wrong = fails("groups", "--bootstrap-server", sasl.bootstrapServers(), "--command-config",
                wrongPassword.toString());
        assertThat(wrong.err()).contains("authentication with Kafka at " + sasl.bootstrapServers()
                + " failed: Authentication failed: Invalid username or password").doesNotContain("not-it");
    }

    @Test
    void withVerboseTheLibraryLinesShowAndTheNextRunIsQuietAgain() throws Exception {
        String config = config("SASL_PLAINTEXT").toString();
        Cli.Result verbose = Cli.runWatchingConsole(Map.of(), "groups", "--verbose", "--bootstrap-server", plaintext,
                "--command-config", config);
        assertThat(verbose.console()).contains("NetworkClient");

        fails("groups", "--bootstrap-server", plaintext, "--command-config", config);
    }

    @Test
    void theMonitorStartsWhileTheClusterIsDownButNotWithAConfigThatCannotWork() throws Exception {
        Cli.Result mismatch = fails("monitor", "--http", "127.0.0.1:0", "--bootstrap-server", plaintext,
                "--command-config", config("SSL").toString());
        assertThat(mismatch.err()).contains("does not speak TLS (is it PLAINTEXT?), your config says SSL");
        Cli.Result loader = fails("load-orders", "--jdbc-url", "jdbc:h2:mem:mismatch", "--bootstrap-server", plaintext,
                "--command-config", config("SSL").toString());
        assertThat(loader.err()).contains("does not speak TLS (is it PLAINTEXT?), your config says SSL");

        Cli.Running monitor = new Cli.Running(Map.of(), "monitor", "--bootstrap-server", "127.0.0.1:" + freePort(),
                "--http", "127.0.0.1:0", "--interval", "200ms", "--output", "json");
        Cli.Result stopped;
        try {
            String url = new ObjectMapper().readTree(monitor.printed("}").out()).get("data").get("url").asText();
            HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url
                    + "/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(503);
        } finally {
            stopped = monitor.stop();
        }
        assertThat(stopped.exitCode()).as("stderr:%n%s", stopped.err()).isZero();
    }

}
