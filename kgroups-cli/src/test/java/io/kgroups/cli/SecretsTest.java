package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every command, with and without --verbose, given a command config full of secrets of every
 * kind (SASL, SSL, basic auth, schema-registry user info, a database's, a bearer token, OAuth,
 * user:password@ in URLs), by --command-config or by the default named cluster, and a database
 * password: no secret value appears in anything it prints, nor on the console. Against the shared
 * PLAINTEXT broker, which ignores the security settings; with security.protocol SASL_PLAINTEXT or
 * SSL the commands fail (authentication, a client that cannot be made), and are grepped too.
 */
@ExtendWith(KafkaExtension.class)
class SecretsTest {
    private static final String TOPIC = "cli-secrets";
    /** Each secret's value holds this word, so that a leak of any of them is found by one grep. */
    private static final String MARK = "s3cret";
    private static final List<String> SECRETS = List.of(
            "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"ops\" "
                    + "password=\"jaas-" + MARK + "\";",
            "ssl.keystore.password=keystore-" + MARK,
            "ssl.key.password=key-" + MARK,
            "ssl.truststore.password=truststore-" + MARK,
            "ssl.keystore.key=-----BEGIN ENCRYPTED PRIVATE KEY----- pem-" + MARK,
            "basic.auth.credentials.source=USER_INFO",
            "basic.auth.user.info=ops:basic-" + MARK,
            "schema.registry.basic.auth.user.info=ops:registry-" + MARK,
            "schema.registry.url=https://ops:registry-url-" + MARK + "@registry.example:8081",
            "bearer.auth.token=bearer-" + MARK,
            "http.headers=Authorization: Bearer header-" + MARK,
            "sasl.oauthbearer.client.credentials.client.secret=oauth-" + MARK,
            "sasl.oauthbearer.token.endpoint.url=https://ops:endpoint-" + MARK + "@idp.example/token",
            "db.passwd=db-" + MARK,
            "my.pwd=pwd-" + MARK,
            "custom.settings=first line\\npassword=multiline-" + MARK);
    private static Map<String, String> environment;

    @TempDir
    static Path dir;
    private static String bootstrap;
    private static Path config;
    private static int groups;
    /** Every leak found: the command line, and the line that showed a secret. */
    private final List<String> leaks = new ArrayList<>();

    @BeforeAll
    static void setUp(EmbeddedKafka kafka) throws Exception {
        bootstrap = kafka.bootstrapServers();
        kafka.createTopic(TOPIC, 1);
        config = dir.resolve("secrets.properties");
        Files.write(config, SECRETS);
        // The same config as the default named cluster's: what a command reads without any option.
        Path named = Files.write(dir.resolve("kgroups.config"), List.of("default=secrets",
                "cluster.secrets.bootstrap=" + bootstrap, "cluster.secrets.command-config=" + config));
        environment = Map.of(LoadOrdersCommand.PASSWORD_ENV, "env-jdbc-" + MARK, ClusterProfiles.CONFIG_ENV, named.toString());
    }

    @AfterAll
    static void noSecretFileLeftReadable() throws Exception {
        try (var files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).filter(f -> !f.toString().endsWith(".properties")).toList()) {
                assertThat(Files.readString(file)).as("what kgroups wrote to %s", file).doesNotContain(MARK);
            }
        }
    }

    @AfterEach
    void nothingLeaked() {
        assertThat(leaks).as("lines that showed a secret").isEmpty();
    }

    private static String group() throws Exception {
        String group = "cli-secrets-g" + (++groups);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(0))).all().get();
        }
        return group;
    }

    /** The command line with the secrets' config, the broker and (with verbose) --verbose. */
    private static String[] line(Path commandConfig, boolean verbose, String... command) {
        List<String> args = new ArrayList<>(List.of(command));
        args.addAll(List.of("--command-config", commandConfig.toString(), "--bootstrap-server", bootstrap));
        if (verbose) {
            args.add("--verbose");
        }
        return args.toArray(String[]::new);
    }

    /** Runs the command and records every line of its output and of the console that shows a secret. */
    private Cli.Result grep(boolean verbose, String... command) {
        String[] args = line(config, verbose, command);
        return grep(args);
    }

    /** As {@link #grep(boolean, String...)}, the command line as given. */
    private Cli.Result grep(String... args) {
        Cli.Result result = Cli.runWatchingConsole(environment, args);
        check(String.join(" ", args), result.all());
        return result;
    }

    private void check(String what, String text) {
        text.lines().filter(l -> l.contains(MARK)).forEach(l -> leaks.add(what + ": " + l));
    }

    private Path withProtocol(String protocol) throws Exception {
        Path file = dir.resolve(protocol + ".properties");
        List<String> lines = new ArrayList<>(SECRETS);
        lines.add("security.protocol=" + protocol);
        lines.add("sasl.mechanism=PLAIN");
        Files.write(file, lines);
        return file;
    }

    @ParameterizedTest(name = "verbose: {0}")
    @ValueSource(booleans = {false, true})
    void theGroupCommands(boolean verbose) throws Exception {
        String group = group();
        Path backups = dir.resolve("backups");
        Path audit = dir.resolve("audit.log");
        Path export = dir.resolve(group + ".csv");
        String[] files = {"--backup-dir", backups.toString(), "--audit-log", audit.toString()};

        assertThat(grep(verbose, "cluster").exitCode()).isZero();
        assertThat(grep(verbose, "groups").out()).contains(group);
        assertThat(grep(verbose, "--output", "json", "groups").out()).contains(group);
        assertThat(grep(verbose, "describe", group).exitCode()).isZero();
        assertThat(grep(verbose, "lag", group).exitCode()).isZero();
        assertThat(grep(verbose, "reset", group, "--topic", TOPIC, "--to-latest").out()).contains("Dry run");
        assertThat(grep(verbose, concat(files, "reset", group, "--topic", TOPIC, "--to-latest", "--execute")).out())
                .contains("Executed.");
        assertThat(grep(verbose, "offsets", "export", group).exitCode()).isZero();
        assertThat(grep(verbose, "offsets", "export", group, "--file", export.toString()).exitCode()).isZero();
        assertThat(grep(verbose, concat(files, "offsets", "import", export.toString(), group + "-imported", "--create-group",
                "--execute")).exitCode()).isZero();
        assertThat(grep(verbose, concat(files, "offsets", "copy", group, group + "-copy", "--create-group", "--execute"))
                .exitCode()).isZero();
        assertThat(grep(verbose, "delete-offsets", group + "-copy", "--topic", TOPIC).exitCode()).isZero();
        assertThat(grep(verbose, concat(files, "delete-offsets", group + "-copy", "--topic", TOPIC, "--execute")).exitCode())
                .isZero();
        assertThat(grep(verbose, "delete", group + "-imported").exitCode()).isZero();
        assertThat(grep(verbose, concat(files, "delete", group + "-imported", "--execute")).exitCode()).isZero();
        // The cluster of the config file, with no option: as shell completion asks for group names.
        assertThat(grep(verbose ? new String[] {"__complete-groups", "--verbose"} : new String[] {"__complete-groups"}).out())
                .contains(group);
        // A failure prints the most: the error, and with --verbose its stack trace.
        assertThat(grep(verbose, "describe", "no-such-group-" + group).exitCode()).isEqualTo(CliException.FAILED);
    }

    @ParameterizedTest(name = "verbose: {0}")
    @ValueSource(booleans = {false, true})
    void theCommandsThatNeedNoCluster(boolean verbose) {
        String[] flag = verbose ? new String[] {"--verbose"} : new String[0];
        assertThat(grep(concat(flag, "help")).exitCode()).isZero();
        assertThat(grep(concat(flag, "completion")).exitCode()).isZero();
        assertThat(grep(concat(flag, "reset", "--help")).exitCode()).isZero();
        assertThat(grep(concat(flag, "--version")).exitCode()).isZero();
    }

    @ParameterizedTest(name = "verbose: {0}")
    @ValueSource(booleans = {false, true})
    void theOrdersCommands(boolean verbose) throws Exception {
        String topic = TOPIC + "-orders-" + verbose;
        assertThat(grep(verbose, "produce-orders", "--topic", topic, "--count", "20", "--orders", "5").exitCode()).isZero();

        // The password from the environment; a URL holding one is refused as a failed connection, and hidden.
        String[] loader = line(config, verbose, "load-orders", "--topic", topic, "--group", topic, "--jdbc-url",
                "jdbc:h2:mem:" + topic + ";DB_CLOSE_DELAY=-1", "--report-every", "200ms", "--http", "127.0.0.1:0");
        Cli.Running running = new Cli.Running(environment, loader);
        running.printed("stored=20");
        check(String.join(" ", loader), running.stop().all());
        assertThat(grep(verbose, "load-orders", "--jdbc-url", "jdbc:postgresql://127.0.0.1:1/orders?user=ops&password=url-"
                + MARK).exitCode()).isEqualTo(CliException.FAILED);
    }

    @ParameterizedTest(name = "verbose: {0}")
    @ValueSource(booleans = {false, true})
    void theMonitorAndItsHttpApi(boolean verbose) throws Exception {
        group();
        String[] monitor = line(config, verbose, "monitor", "--http", "127.0.0.1:0", "--interval", "200ms", "--output",
                "json", "--webhook", "http://hook:webhook-" + MARK + "@127.0.0.1:1/kafka?token=query-" + MARK);
        Cli.Running running = new Cli.Running(environment, monitor);
        try {
            String url = new com.fasterxml.jackson.databind.ObjectMapper().readTree(running.printed("}").out()).get("data")
                    .get("url").asText();
            HttpClient http = HttpClient.newHttpClient();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> http.send(
                    HttpRequest.newBuilder(URI.create(url + "/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            for (String path : List.of("/api/groups", "/api/status", "/metrics", "/health/ready")) {
                check("GET " + path, http.send(HttpRequest.newBuilder(URI.create(url + path)).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
            }
        } finally {
            check(String.join(" ", monitor), running.stop().all());
        }
    }

    @ParameterizedTest(name = "verbose: {0}")
    @ValueSource(booleans = {false, true})
    void theBroker(boolean verbose) throws Exception {
        String[] broker = verbose ? new String[] {"broker", "--port", "0", "--verbose"} : new String[] {"broker", "--port", "0"};
        Cli.Running running = new Cli.Running(environment, broker);
        running.printed("Kafka is running");
        check(String.join(" ", broker), running.stop().all());
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
        "SASL_PLAINTEXT, authentication failed",
        "SSL,            cannot create a Kafka client", // ssl.keystore.key is a PEM key, the key store type JKS
    })
    void commandsThatFailWithTheSecuritySettings(String protocol, String error) throws Exception {
        Path secured = withProtocol(protocol);
        String group = group();
        for (boolean verbose : List.of(false, true)) {
            for (String[] command : List.of(new String[] {"cluster"}, new String[] {"groups"},
                    new String[] {"describe", group}, new String[] {"lag"},
                    new String[] {"reset", group, "--topic", TOPIC, "--to-earliest", "--execute"},
                    new String[] {"offsets", "export", group}, new String[] {"delete", group, "--execute"},
                    new String[] {"monitor", "--http", "127.0.0.1:0"})) {
                String[] args = line(secured, verbose, command);
                Cli.Result result = Cli.runWatchingConsole(environment, args);
                assertThat(result.err()).as(String.join(" ", args)).startsWith("kgroups: ").contains(error);
                check(String.join(" ", args), result.all());
            }
        }
    }

    private static String[] concat(String[] tail, String... head) {
        List<String> all = new ArrayList<>(List.of(head));
        all.addAll(List.of(tail));
        return all.toArray(String[]::new);
    }
}
