package io.kgroups.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.kgroups.admin.GroupAdmin;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import javax.management.ObjectName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Who may read the monitor over HTTP, over a real socket, for a lagging group on the embedded
 * broker: not on a non-loopback address without credentials; with them, 401 on every endpoint
 * without or with wrong ones and 200 with right ones, /health/live open; /metrics' own token;
 * TLS with a self-signed keystore; the headers on every answer; the reset previews' rate limit
 * and their one consumer.
 */
@ExtendWith(KafkaExtension.class)
class MonitorServerSecurityTest {
    private static final String TOPIC = "guarded-orders";
    private static final String GROUP = "guarded_loader";
    private static final String TOKEN = "token-s3cret-0123456789abcdef";
    private static final String METRICS_TOKEN = "metrics-s3cret-0123456789abcdef";
    private static final String USER = "ops";
    private static final String PASSWORD = "password-s3cret";
    /** Every endpoint and file the monitor serves, each of which must need credentials. */
    private static final List<String> GUARDED = List.of("/", "/index.html", "/group.html", "/common.js", "/overview.js",
            "/group.js", "/dashboard.css", "/webjars/uplot/1.6.30/dist/uPlot.iife.min.js", "/api/status", "/api/groups",
            "/api/groups/" + GROUP, "/api/group?name=" + GROUP, "/api/groups/" + GROUP + "/history",
            "/api/group/history?name=" + GROUP, "/api/groups/" + GROUP + "/reset-plan?spec=to-earliest",
            "/api/group/reset-plan?name=" + GROUP + "&spec=to-earliest", "/metrics", "/health/ready");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static GroupAdmin admin;
    private static LagMonitor monitor;

    @BeforeAll
    static void lagging(EmbeddedKafka kafka) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        kafka.createTopic(TOPIC, 1);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, "k", "v")).get();
            }
        }
        admin = GroupAdmin.create(props, Duration.ofSeconds(30));
        admin.admin().alterConsumerGroupOffsets(GROUP, Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(5)))
                .all().get();
        monitor = LagMonitor.builder(admin).include(Pattern.compile("guarded_.*")).build();
        monitor.cycle();
    }

    @AfterAll
    static void stop() {
        monitor.close();
        admin.close();
    }

    private static MonitorServer.Builder guarded() {
        return MonitorServer.builder(monitor).address("0.0.0.0", 0)
                .credentials(HttpCredentials.tokens(List.of(TOKEN)).and(HttpCredentials.users(List.of(USER + ":" + PASSWORD))))
                // every endpoint is asked for twice (right credentials), and the reset plan four times
                .resetPreviewLimit(100, Duration.ofSeconds(1));
    }

    @Test
    void aNonLoopbackAddressWithoutCredentialsIsRefused() {
        assertThatThrownBy(() -> MonitorServer.builder(monitor).address("0.0.0.0", 0).start())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs credentials");
        assertThat(MonitorServer.loopback("127.0.0.1")).isTrue();
        assertThat(MonitorServer.loopback("localhost")).isTrue();
        assertThat(MonitorServer.loopback("::1")).isTrue();
        assertThat(MonitorServer.loopback("0.0.0.0")).isFalse();
    }

    @Test
    void everyEndpointButLivenessNeedsTheCredentials() throws Exception {
        ListAppender<ILoggingEvent> log = watchLog();
        try (MonitorServer server = guarded().start()) {
            String base = "http://127.0.0.1:" + server.port();
            List<String> wrong = List.of("Bearer wrong-token-0123456789abcdef", basic(USER, "wrong"), basic("nobody", PASSWORD),
                    "Bearer " + METRICS_TOKEN, basic(USER, TOKEN + "x"), "Basic not-base64!", "Digest " + TOKEN);
            for (String path : GUARDED) {
                HttpResponse<String> anonymous = get(base + path, null);
                assertThat(anonymous.statusCode()).as(path).isEqualTo(401);
                assertThat(anonymous.headers().allValues("WWW-Authenticate")).as(path)
                        .containsExactlyInAnyOrder("Basic realm=\"kgroups monitor\", charset=\"UTF-8\"", "Bearer realm=\"kgroups monitor\"");
                assertThat(anonymous.body()).as(path).doesNotContain("kgroups_group", GROUP);
                for (String authorization : wrong) {
                    assertThat(get(base + path, authorization).statusCode()).as("%s with %s", path, authorization).isEqualTo(401);
                }
                for (String authorization : List.of("Bearer " + TOKEN, basic(USER, PASSWORD), basic("anyone", TOKEN))) {
                    assertThat(get(base + path, authorization).statusCode()).as("%s with %s", path, authorization).isEqualTo(200);
                }
            }
            assertThat(get(base + "/health/live", null).statusCode()).isEqualTo(200);

            String metrics = get(base + "/metrics", "Bearer " + TOKEN).body();
            assertThat(metrics).contains("kgroups_monitor_failed_logins_total " + GUARDED.size() * wrong.size() + "\n")
                    .contains("kgroups_monitor_unauthenticated_requests_total " + GUARDED.size() + "\n");
        } finally {
            stopWatching(log);
        }
        // Logged, at most a line per 10 s with the count since the last; from where, never with what was sent.
        List<String> lines = log.list.stream().filter(e -> e.getMessage().equals("monitor_login_refused"))
                .map(e -> e.getMessage() + " " + e.getKeyValuePairs()).toList();
        assertThat(lines).isNotEmpty().hasSizeLessThan(5).allMatch(line -> line.contains("remote=\"127.0.0.1\""))
                .anyMatch(line -> line.contains("path=\"/\""));
        assertThat(log.list).extracting(e -> e.getFormattedMessage() + " " + e.getKeyValuePairs())
                .noneMatch(line -> line.contains("s3cret") || line.contains("wrong-token"));
    }

    @Test
    void metricsTakeTheirOwnTokenWhichOpensNothingElse() throws Exception {
        try (MonitorServer server = guarded().metricsCredentials(HttpCredentials.tokens(List.of(METRICS_TOKEN))).start()) {
            String base = "http://127.0.0.1:" + server.port();
            // Prometheus' authorization (Bearer) and basic_auth (the token as the password)
            assertThat(get(base + "/metrics", "Bearer " + METRICS_TOKEN).statusCode()).isEqualTo(200);
            assertThat(get(base + "/metrics", basic("prometheus", METRICS_TOKEN)).body()).contains("kgroups_group_lag{");
            assertThat(get(base + "/metrics", basic(USER, PASSWORD)).statusCode()).isEqualTo(200);
            assertThat(get(base + "/metrics", null).statusCode()).isEqualTo(401);
            for (String path : GUARDED.stream().filter(p -> !p.equals("/metrics")).toList()) {
                assertThat(get(base + path, "Bearer " + METRICS_TOKEN).statusCode()).as(path).isEqualTo(401);
            }
        }
    }

    @Test
    void everyAnswerKeepsThePageToItsOwnFiles() throws Exception {
        try (MonitorServer server = guarded().start()) {
            String base = "http://127.0.0.1:" + server.port();
            List<HttpResponse<String>> answers = new ArrayList<>();
            for (String path : GUARDED) {
                answers.add(get(base + path, "Bearer " + TOKEN));
            }
            answers.add(get(base + "/nothing-here", "Bearer " + TOKEN));
            answers.add(get(base + "/api/groups", null));
            answers.add(get(base + "/health/live", null));
            for (HttpResponse<String> answer : answers) {
                assertThat(answer.headers().firstValue("Content-Security-Policy")).as(answer.uri().toString())
                        .hasValue(MonitorServer.CONTENT_SECURITY_POLICY);
                assertThat(answer.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
                assertThat(answer.headers().firstValue("X-Frame-Options")).hasValue("DENY");
                assertThat(answer.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
            }
            assertThat(MonitorServer.CONTENT_SECURITY_POLICY).contains("script-src 'self';").contains("frame-ancestors 'none'")
                    .doesNotContain("unsafe");
            // Read-only: no route takes anything but GET.
            for (String path : GUARDED) {
                for (String method : List.of("POST", "PUT", "DELETE", "PATCH")) {
                    HttpResponse<String> write = HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                            .header("Authorization", "Bearer " + TOKEN).method(method, HttpRequest.BodyPublishers.ofString("{}"))
                            .build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(write.statusCode()).as("%s %s", method, path).isIn(404, 405);
                }
            }
        }
    }

    @Test
    void tlsWithAPkcs12Keystore(@TempDir Path dir) throws Exception {
        Path p12 = dir.resolve("monitor.p12");
        char[] password = "keystore-s3cret".toCharArray();
        ProcessBuilder keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "monitor", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                "-keystore", p12.toString(), "-storepass:env", "KEYTOOL_PASSWORD").redirectErrorStream(true)
                .redirectOutput(dir.resolve("keytool.out").toFile());
        keytool.environment().put("KEYTOOL_PASSWORD", new String(password));
        assertThat(keytool.start().waitFor()).as("keytool: %s", Files.readString(dir.resolve("keytool.out"))).isZero();
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            keyStore.load(in, password);
        }
        try (MonitorServer server = guarded().tls(keyStore, password).start()) {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(keyStore); // the client trusts the monitor's own certificate, and nothing else
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, trust.getTrustManagers(), null);
            HttpClient https = HttpClient.newBuilder().sslContext(tls).build();
            String base = "https://127.0.0.1:" + server.port();
            HttpResponse<String> groups = https.send(HttpRequest.newBuilder(URI.create(base + "/api/groups"))
                    .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(groups.statusCode()).isEqualTo(200);
            assertThat(groups.body()).contains(GROUP);
            assertThat(https.send(HttpRequest.newBuilder(URI.create(base + "/api/groups")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
            // Plain HTTP to the TLS port gets no answer of the monitor's.
            assertThatThrownBy(() -> get("http://127.0.0.1:" + server.port() + "/health/live", null))
                    .isInstanceOf(java.io.IOException.class);
        }
    }

    @Test
    void resetPreviewsAreRateLimitedAndShareOneConsumer() throws Exception {
        ObjectName previews = new ObjectName("kafka.consumer:type=app-info,id=kgroups-reset-preview");
        try (MonitorServer server = MonitorServer.builder(monitor).address("127.0.0.1", 0)
                .resetPreviewLimit(3, Duration.ofMinutes(10)).start()) {
            String plan = "http://127.0.0.1:" + server.port() + "/api/group/reset-plan?name=" + GROUP + "&spec=to-earliest";
            List<Object> startTimes = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> answer = get(plan, null);
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
                // the span needs the timestamps of records 0 and 5: read, each time, by the one consumer
                assertThat(answer.body()).contains("\"recordsReadAgain\":5").containsPattern("\"spanSeconds\":[0-9]");
                // The time span needs a read of the log: by the consumer the monitor keeps, not one made for the plan.
                startTimes.add(ManagementFactory.getPlatformMBeanServer().getAttribute(previews, "StartTimeMs"));
            }
            assertThat(startTimes).as("one consumer for every preview").containsOnly(startTimes.get(0));

            HttpResponse<String> limited = get(plan, null);
            assertThat(limited.statusCode()).isEqualTo(429);
            assertThat(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 600L);
            assertThat(limited.body()).contains("\"command\":\"api/group/reset-plan\"")
                    .contains("too many reset previews: 3 at once, then one every 600 s; try again in");
            // The rest of the API is not limited.
            assertThat(get("http://127.0.0.1:" + server.port() + "/api/groups", null).statusCode()).isEqualTo(200);
        }
    }

    private static ListAppender<ILoggingEvent> watchLog() {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        ((Logger) LoggerFactory.getLogger(MonitorServer.class)).addAppender(appender);
        return appender;
    }

    private static void stopWatching(ListAppender<ILoggingEvent> appender) {
        ((Logger) LoggerFactory.getLogger(MonitorServer.class)).detachAppender(appender);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> get(String url, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
