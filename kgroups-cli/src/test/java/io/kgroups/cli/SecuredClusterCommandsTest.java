package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaCluster;
import io.kgroups.embedded.KafkaExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command against a broker that checks SASL/SCRAM and ACLs, as the admin principal with the
 * client.properties the embedded cluster writes (what `kgroups broker --secure` prints): each
 * works, and none shows the password.
 */
@ExtendWith(KafkaExtension.class)
@KafkaCluster(secure = true)
class SecuredClusterCommandsTest {
    private static final String TOPIC = "secured-orders";
    private static final String GROUP = "secured_loader";

    @TempDir
    Path dir;

    private EmbeddedKafka kafka;
    private String password;

    @Test
    void everyCommandWorksAsTheAdminAndShowsNoSecret(EmbeddedKafka secured) throws Exception {
        kafka = secured;
        Matcher m = Pattern.compile("password=\"([^\"]+)\"").matcher(Files.readString(kafka.clientPropertiesFile()));
        assertThat(m.find()).isTrue();
        password = m.group(1);
        kafka.createTopic(TOPIC, 2);
        kafka.createTopic(TOPIC + ".DLT", 1);
        ok("produce-orders", "--topic", TOPIC, "--count", "100", "--rate", "10000");
        try (Admin admin = Admin.create(kafka.adminClientProperties())) {
            admin.alterConsumerGroupOffsets(GROUP, Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(10),
                    new TopicPartition(TOPIC, 1), new OffsetAndMetadata(20))).all().get();
        }

        ok("cluster");
        assertThat(ok("groups").out()).contains(GROUP);
        assertThat(ok("describe", GROUP).out()).contains(GROUP, TOPIC);
        assertThat(ok("describe", "--all-groups", "--output", "json").out()).contains(GROUP);
        assertThat(ok("lag", GROUP).out()).contains(GROUP);
        ok("reset", GROUP, "--all-topics", "--to-earliest");
        Path backups = dir.resolve("backups");
        Cli.Result reset = ok("reset", GROUP, "--all-topics", "--to-latest", "--execute", "--backup-dir", backups.toString(),
                "--audit-log", dir.resolve("audit.log").toString());
        Path backup = Files.list(backups).findFirst().orElseThrow();
        assertThat(reset.out()).contains(backup.toString());
        ok("offsets", "import", backup.toString(), GROUP, "--execute", "--backup-dir", backups.toString());
        Path export = dir.resolve("export.csv");
        ok("offsets", "export", GROUP, "--file", export.toString());
        assertThat(Files.readString(export)).contains(TOPIC + ",0,10", TOPIC + ",1,20");
        ok("offsets", "copy", GROUP, GROUP + "_copy", "--create-group", "--execute", "--backup-dir", backups.toString());
        ok("delete-offsets", GROUP + "_copy", "--topic", TOPIC, "--execute", "--backup-dir", backups.toString());
        ok("delete", GROUP + "_copy", "--execute", "--backup-dir", backups.toString());
        assertThat(ok("groups").out()).doesNotContain(GROUP + "_copy");
        monitorCycle();
        for (Path file : Files.list(backups).toList()) {
            assertThat(Files.readString(file)).doesNotContain(password);
        }
        assertThat(Files.readString(dir.resolve("audit.log"))).doesNotContain(password);
    }

    /** One monitor cycle: its API and metrics name the group; nothing it serves or prints holds the password. */
    private void monitorCycle() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Thread monitor = new Thread(() -> Kgroups.execute(args("monitor", "--http", "127.0.0.1:0", "--interval", "200ms",
                "--output", "json"), new PrintWriter(out, true), new PrintWriter(err, true), Map.of()), "secured-monitor");
        monitor.start();
        try {
            await("the monitor's address").atMost(Duration.ofSeconds(60)).failFast("it ended: " + err, () -> !monitor.isAlive())
                    .until(() -> out.toString().contains("\n"));
            String url = JsonContract.parse(out.toString().lines().findFirst().orElseThrow()).get("data").get("url").asText();
            HttpClient http = HttpClient.newHttpClient();
            await("a cycle that read the secured cluster").atMost(Duration.ofSeconds(30)).until(() -> http.send(
                    HttpRequest.newBuilder(URI.create(url + "/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            for (String path : List.of("/api/groups", "/api/group?name=" + GROUP, "/metrics")) {
                String body = http.send(HttpRequest.newBuilder(URI.create(url + path)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertThat(body).as(path).contains(GROUP).doesNotContain(password);
            }
        } finally {
            monitor.interrupt();
            monitor.join(60_000);
        }
        assertThat(out + err.toString()).doesNotContain(password);
    }

    /** Runs the command with --verbose (which shows the client settings, secrets hidden): it works, no secret shown. */
    private Cli.Result ok(String... command) {
        Cli.Result result = Cli.run(concat(args(command), "--verbose"));
        assertThat(result.exitCode()).as("%s: %s", String.join(" ", command), result).isZero();
        assertThat(result.all()).as("no secret shown").doesNotContain(password);
        return result;
    }

    private String[] args(String... command) {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(List.of("--bootstrap-server", kafka.bootstrapServers(), "--command-config",
                kafka.clientPropertiesFile().toString()));
        return all.toArray(String[]::new);
    }

    private static String[] concat(String[] args, String extra) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add(extra);
        return all.toArray(String[]::new);
    }
}
