package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

@ExtendWith(KafkaExtension.class)
class MonitorCommandTest {

    @Test
    void monitorServesTheGroupsUntilStopped(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("cli-monitored", 1);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.alterConsumerGroupOffsets("cli_monitored", Map.of(new TopicPartition("cli-monitored", 0),
                    new OffsetAndMetadata(0))).all().get();
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        AtomicInteger exitCode = new AtomicInteger(-1);
        Thread monitor = new Thread(() -> exitCode.set(Kgroups.execute(new String[] {"monitor", "--bootstrap-server",
            kafka.bootstrapServers(), "--http", "127.0.0.1:0", "--interval", "200ms", "--window", "3", "--allowed-lag", "5",
            "--output", "json"},
                new PrintWriter(out, true), new PrintWriter(err, true), Map.of())));
        monitor.start();
        try {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(out.toString())
                    .as("the monitor's address; stderr:%n%s", err).contains("}\n"));
            String url = new ObjectMapper().readTree(out.toString()).get("data").get("url").asText();
            HttpClient http = HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(30)).until(() -> http.send(HttpRequest.newBuilder(URI.create(url + "/health/ready"))
                    .build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            JsonNode groups = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(URI.create(url + "/api/groups")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).get("data");
            assertThat(groups.get("groups").findValuesAsText("group")).contains("cli_monitored");
            assertThat(groups.get("windowCommits").asInt()).isEqualTo(3);
            assertThat(groups.get("allowedLag").asLong()).isEqualTo(5);
            HttpResponse<String> dashboard = http.send(HttpRequest.newBuilder(URI.create(url + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(dashboard.statusCode()).isEqualTo(200);
            assertThat(dashboard.body()).contains("<title>kgroups");
        } finally {
            monitor.interrupt();
            monitor.join(30_000);
        }
        assertThat(monitor.isAlive()).as("stopped within 30 s of an interrupt; it printed:%n%s%nstderr:%n%s", out, err)
                .isFalse();
        assertThat(exitCode.get()).isZero();
    }

    /** A group name may hold a newline: `lag` lists it, `monitor --groups` matches it with ".", /metrics escapes it. */
    @Test
    void aGroupWhoseNameHoldsANewlineIsLaggedAndMonitored(EmbeddedKafka kafka) throws Exception {
        String name = "cli\nnewline";
        kafka.createTopic("cli-newline", 1);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.alterConsumerGroupOffsets(name, Map.of(new TopicPartition("cli-newline", 0), new OffsetAndMetadata(0)))
                    .all().get();
        }
        Cli.Result lag = Cli.run("lag", "--bootstrap-server", kafka.bootstrapServers(), "--output", "json");
        assertThat(new ObjectMapper().readTree(lag.out()).findValuesAsText("group")).as(lag.err()).contains(name);

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Thread monitor = new Thread(() -> Kgroups.execute(new String[] {"monitor", "--bootstrap-server",
            kafka.bootstrapServers(), "--http", "127.0.0.1:0", "--interval", "200ms", "--groups", "cli.newline", "--output",
            "json"}, new PrintWriter(out, true), new PrintWriter(err, true), Map.of()));
        monitor.start();
        try {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(out.toString())
                    .as("the monitor's address; stderr:%n%s", err).contains("}"));
            String url = new ObjectMapper().readTree(out.toString()).get("data").get("url").asText();
            HttpClient http = HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(http.send(HttpRequest.newBuilder(
                    URI.create(url + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body())
                    .contains("kgroups_group_status{group=\"cli\\nnewline\",type=\"classic\"}"));
            JsonNode groups = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(URI.create(url + "/api/groups")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertThat(groups.findValuesAsText("group")).containsExactly(name);
        } finally {
            monitor.interrupt();
            monitor.join(30_000);
        }
    }

    @Test
    void badOptionsAreUsageErrors() {
        assertThat(Cli.run("monitor", "--window", "1").exitCode()).isEqualTo(CliException.USAGE);
        Cli.Result negativeLag = Cli.run("monitor", "--allowed-lag", "-1", "--bootstrap-server", "127.0.0.1:1");
        assertThat(negativeLag.exitCode()).isEqualTo(CliException.USAGE);
        assertThat(negativeLag.err()).contains("--allowed-lag must be 0 or more records, was -1");
        Cli.Result badRegex = Cli.run("monitor", "--groups", "(", "--bootstrap-server", "127.0.0.1:1");
        assertThat(badRegex.exitCode()).isEqualTo(CliException.USAGE);
        assertThat(badRegex.err()).contains("--groups '(' is not a regular expression");
        for (String storm : List.of("1/5m", "ten/5m", "10/0s", "10/xyz", "10")) {
            Cli.Result badStorm = Cli.run("monitor", "--rebalance-storm", storm, "--bootstrap-server", "127.0.0.1:1");
            assertThat(badStorm.exitCode()).as(storm).isEqualTo(CliException.USAGE);
            assertThat(badStorm.err()).as(storm).contains("'" + storm + "' is not N/DURATION", "such as 10/5m")
                    .hasLineCount(1);
        }
        Cli.Result badHook = Cli.run("monitor", "--webhook", "ftp://x", "--bootstrap-server", "127.0.0.1:1");
        assertThat(badHook.exitCode()).isEqualTo(CliException.USAGE);
        assertThat(badHook.err()).contains("--webhook 'ftp://x' is not an http(s) URL");
    }

    @Test
    void aNonLoopbackAddressNeedsCredentials() {
        Cli.Result open = Cli.run("monitor", "--bootstrap-server", "127.0.0.1:1", "--http", "0.0.0.0:0");
        assertThat(open.exitCode()).isEqualTo(CliException.USAGE);
        assertThat(open.err()).startsWith("kgroups: --http 0.0.0.0:0 is not a loopback address: ")
                .contains("--http-basic-file FILE", "--http-token-file FILE").hasLineCount(1);
        Cli.Result demo = Cli.run("demo", "--http", "0.0.0.0:8080");
        assertThat(demo.exitCode()).isEqualTo(CliException.USAGE);
        assertThat(demo.err()).contains("--http 0.0.0.0:8080 is not a loopback address").hasLineCount(1);
    }

    @Test
    void credentialsOverPlainHttpBeyondLoopbackAreAWarning(EmbeddedKafka kafka) throws Exception {
        Cli.Running monitor = new Cli.Running(Map.of(MonitorAccess.TOKEN_ENV, "env-token-s3cret-0123456789"), "monitor",
                "--bootstrap-server", kafka.bootstrapServers(), "--http", "0.0.0.0:0", "--groups", "none", "--output", "json");
        monitor.printed("}");
        Cli.Result result = monitor.stop();
        assertThat(result.err()).contains("kgroups: warning: credentials go over plain HTTP to 0.0.0.0, readable on the way: "
                + "add --tls-keystore");
        JsonNode warnings = new ObjectMapper().readTree(result.out()).get("warnings");
        assertThat(warnings.get(0).asText()).startsWith("credentials go over plain HTTP");
        assertThat(result.all()).doesNotContain("s3cret");
    }

    @Test
    void badCredentialsAreUsageErrorsThatShowNoSecret(@TempDir Path dir) throws Exception {
        Path shortToken = Files.writeString(dir.resolve("short"), "tiny-s3cret\n");
        Path badUsers = Files.writeString(dir.resolve("users"), "ops:fine-s3cret\nno-colon-s3cret\n");
        Path empty = Files.writeString(dir.resolve("empty"), "\n  \n");
        Path notAKeyStore = Files.writeString(dir.resolve("not.p12"), "not-a-keystore-s3cret");
        Path p12 = keyStore(dir, "keystore-s3cret");
        Path wrongPassword = Files.writeString(dir.resolve("wrong"), "wrong-s3cret");
        Path trustStore = dir.resolve("trust.p12");
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(p12)) {
            KeyStore withKey = KeyStore.getInstance("PKCS12");
            withKey.load(in, "keystore-s3cret".toCharArray());
            trusted.setCertificateEntry("monitor", withKey.getCertificate("monitor"));
        }
        try (var out = Files.newOutputStream(trustStore)) {
            trusted.store(out, "keystore-s3cret".toCharArray());
        }
        String[] base = {"monitor", "--bootstrap-server", "127.0.0.1:1", "--http", "0.0.0.0:0"};
        Map<String, String> none = Map.of();
        Object[][] cases = {
            {none, new String[] {"--http-token-file", shortToken.toString()}, "line 1 is a token shorter than 16 characters"},
            {Map.of(MonitorAccess.TOKEN_ENV, "short-s3cret"), new String[0], "$KGROUPS_MONITOR_TOKEN: line 1 is a token shorter"},
            {none, new String[] {"--http-basic-file", badUsers.toString()}, "line 2 is not user:password"},
            {none, new String[] {"--http-basic-file", dir.resolve("missing").toString()}, "missing: no such file"},
            {none, new String[] {"--metrics-token-file", empty.toString()}, "is empty: write the secret in it"},
            {none, new String[] {"--http-basic-file", dir.toString()}, "is a directory"},
            {Map.of(MonitorAccess.BASIC_ENV, "ops:x-s3cret"), new String[] {"--tls-keystore", p12.toString()},
                "--tls-keystore needs its password"},
            {Map.of(MonitorAccess.BASIC_ENV, "ops:x-s3cret"), new String[] {"--tls-keystore", p12.toString(),
                "--tls-keystore-password-file", wrongPassword.toString()}, "the password does not open it"},
            {Map.of(MonitorAccess.BASIC_ENV, "ops:x-s3cret", MonitorAccess.TLS_PASSWORD_ENV, "keystore-s3cret"),
                new String[] {"--tls-keystore", notAKeyStore.toString()}, "not a PKCS#12 keystore"},
            {Map.of(MonitorAccess.BASIC_ENV, "ops:x-s3cret", MonitorAccess.TLS_PASSWORD_ENV, "keystore-s3cret"),
                new String[] {"--tls-keystore", trustStore.toString()}, "holds no private key (a trust store?)"},
            {Map.of(MonitorAccess.BASIC_ENV, "ops:x-s3cret"), new String[] {"--tls-keystore-password-file",
                wrongPassword.toString()}, "--tls-keystore-password-file is the password of --tls-keystore"},
        };
        for (Object[] c : cases) {
            @SuppressWarnings("unchecked")
            Map<String, String> environment = (Map<String, String>) c[0];
            String[] args = concat(base, (String[]) c[1]);
            Cli.Result result = Cli.run(environment, args);
            assertThat(result.exitCode()).as(String.join(" ", args) + ": " + result.err()).isEqualTo(CliException.USAGE);
            assertThat(result.err()).as(String.join(" ", args)).contains((String) c[2]).hasLineCount(1)
                    .doesNotContain("-s3cret");
            // with --verbose, the stack trace too shows no secret
            assertThat(Cli.run(environment, concat(args, "--verbose")).all()).doesNotContain("-s3cret");
        }
    }

    /**
     * The monitor as a team would run it: on every address, basic auth for people, a token for
     * Prometheus, over TLS, with --verbose; what it prints and what it serves show no secret.
     */
    @Test
    void servedWithCredentialsOverTlsShowsNoSecret(EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
        kafka.createTopic("cli-guarded", 1);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.alterConsumerGroupOffsets("cli_guarded", Map.of(new TopicPartition("cli-guarded", 0),
                    new OffsetAndMetadata(0))).all().get();
        }
        Path users = Files.writeString(dir.resolve("users"), "ops:basic-s3cret\n");
        Files.setPosixFilePermissions(users, PosixFilePermissions.fromString("rw-r--r--"));
        Path metricsToken = Files.writeString(dir.resolve("metrics-token"), "metrics-s3cret-0123456789\n");
        Files.setPosixFilePermissions(metricsToken, PosixFilePermissions.fromString("rw-------"));
        Path p12 = keyStore(dir, "keystore-s3cret");
        Cli.Running monitor = new Cli.Running(Map.of(MonitorAccess.TLS_PASSWORD_ENV, "keystore-s3cret",
                MonitorAccess.TOKEN_ENV, "env-token-s3cret-0123456789"), "monitor", "--bootstrap-server",
                kafka.bootstrapServers(), "--http", "0.0.0.0:0", "--http-basic-file", users.toString(), "--metrics-token-file",
                metricsToken.toString(), "--tls-keystore", p12.toString(), "--interval", "200ms", "--groups", "cli_guarded",
                "--output", "json", "--verbose");
        List<String> served = new ArrayList<>();
        Cli.Result result;
        try {
            monitor.printed("}");
            String url = new ObjectMapper().readTree(monitor.out()).get("data").get("url").asText();
            assertThat(url).matches("https://0\\.0\\.0\\.0:\\d+");
            String base = url.replace("0.0.0.0", "127.0.0.1");
            HttpClient https = HttpClient.newBuilder().sslContext(trusting(p12, "keystore-s3cret")).build();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(get(https, base + "/api/groups",
                    basic("ops", "basic-s3cret")).body()).contains("cli_guarded"));
            for (String path : List.of("/", "/group.html", "/api/groups", "/api/status", "/api/group?name=cli_guarded",
                    "/api/group/history?name=cli_guarded", "/metrics", "/health/ready")) {
                HttpResponse<String> right = get(https, base + path, basic("ops", "basic-s3cret"));
                assertThat(right.statusCode()).as(path).isEqualTo(200);
                served.add(right.body());
                assertThat(get(https, base + path, null).statusCode()).as(path).isEqualTo(401);
                assertThat(get(https, base + path, basic("ops", "wrong-s3cret")).statusCode()).as(path).isEqualTo(401);
            }
            assertThat(get(https, base + "/api/groups", "Bearer env-token-s3cret-0123456789").statusCode()).isEqualTo(200);
            assertThat(get(https, base + "/metrics", "Bearer metrics-s3cret-0123456789").statusCode()).isEqualTo(200);
            assertThat(get(https, base + "/api/groups", "Bearer metrics-s3cret-0123456789").statusCode()).isEqualTo(401);
            assertThat(get(https, base + "/health/live", null).statusCode()).isEqualTo(200);
            served.add(get(https, base + "/metrics", "Bearer metrics-s3cret-0123456789").body());
        } finally {
            result = monitor.stop();
        }
        assertThat(result.exitCode()).isZero();
        assertThat(result.err()).contains("kgroups: warning: --http-basic-file " + users + " can be read by other users of "
                + "this machine: chmod 600 " + users).doesNotContain("--metrics-token-file");
        // The refused login is logged, from where, without what was sent.
        assertThat(result.all()).contains("monitor_login_refused remote=\"127.0.0.1\"");
        assertThat(result.all()).doesNotContain("s3cret");
        assertThat(served).noneMatch(body -> body.contains("s3cret"));
    }

    /** A self-signed PKCS#12 keystore for 127.0.0.1, made by the JDK's keytool. */
    /**
     * A service may start before its cluster, whatever its --timeout: below the 1 s the first call
     * is waited for, the call gives up on its own first (a race once: the monitor refused to start).
     * It serves, and says it is not ready and why.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "--timeout {0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"300ms", "1s", "3s"})
    void aMonitorStartsWhileItsClusterIsDownWhateverItsTimeout(String timeout) throws Exception {
        Cli.Running monitor = new Cli.Running(Map.of(), "monitor", "--bootstrap-server", "127.0.0.1:1", "--timeout", timeout,
                "--http", "127.0.0.1:0", "--interval", "200ms", "--output", "json");
        try {
            monitor.printed("\"url\"");
            assertThat(monitor.out()).contains("\"url\"");
            String url = new ObjectMapper().readTree(monitor.out()).get("data").get("url").asText();
            HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url
                    + "/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).startsWith("not ready: no cycle has read the cluster yet");
        } finally {
            Cli.Result stopped = monitor.stop();
            assertThat(stopped.exitCode()).as(stopped.err()).isZero();
        }
    }

    private static Path keyStore(Path dir, String password) throws Exception {
        Path p12 = dir.resolve("monitor.p12");
        ProcessBuilder keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "monitor", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                "-keystore", p12.toString(), "-storepass:env", "KEYTOOL_PASSWORD").redirectErrorStream(true)
                .redirectOutput(dir.resolve("keytool.out").toFile());
        keytool.environment().put("KEYTOOL_PASSWORD", password);
        assertThat(keytool.start().waitFor()).as("keytool: %s", Files.readString(dir.resolve("keytool.out"))).isZero();
        return p12;
    }

    /** TLS that trusts the monitor's own certificate, and nothing else. */
    private static SSLContext trusting(Path p12, String password) throws Exception {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            keyStore.load(in, password.toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(keyStore);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trust.getTrustManagers(), null);
        return tls;
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> get(HttpClient client, String url, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String[] concat(String[] first, String... more) {
        String[] all = Arrays.copyOf(first, first.length + more.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }
}
