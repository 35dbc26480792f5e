package io.kgroups.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kgroups.admin.GroupAdmin;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A program that starts and closes monitors and their servers (a test suite, an embedding
 * service) gets their memory back: once closed, nothing of the monitor stays reachable.
 */
@ExtendWith(KafkaExtension.class)
class ServerReleaseTest {
    @Test
    void aClosedMonitorAndServerAreCollected(EmbeddedKafka kafka) throws Exception {
        WeakReference<LagMonitor> gone = startAndClose(kafka.bootstrapServers());
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            System.gc();
            assertThat(gone.get()).as("the closed monitor is still reachable").isNull();
        });
    }

    private static WeakReference<LagMonitor> startAndClose(String bootstrap) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        try (GroupAdmin admin = GroupAdmin.create(props, Duration.ofSeconds(30));
                LagMonitor monitor = LagMonitor.builder(admin).build();
                MonitorServer server = MonitorServer.start(monitor, "127.0.0.1", 0)) {
            monitor.cycle();
            // served: a request leaves nothing behind either
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            for (String path : java.util.List.of("/metrics", "/api/groups", "/")) {
                assertThat(http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + server.port()
                        + path)).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            }
            return new WeakReference<>(monitor);
        }
    }
}
