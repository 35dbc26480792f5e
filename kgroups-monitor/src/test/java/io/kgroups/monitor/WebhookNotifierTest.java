package io.kgroups.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Webhooks against a real HTTP receiver on this machine. */
class WebhookNotifierTest {

    @Test
    void postsTheChangeAndRetriesAFailingReceiver() throws Exception {
        List<String> bodies = new CopyOnWriteArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            // The first delivery fails: the notifier must try again.
            int status = calls.incrementAndGet() == 1 ? 503 : 204;
            if (status == 204) {
                bodies.add(new String(body, StandardCharsets.UTF_8));
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
        try (WebhookNotifier notifier = new WebhookNotifier(
                List.of(URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook")), 3)) {
            GroupStatus stopped = new GroupStatus("storage_loader", "Empty", 0, Status.STOPPED,
                    List.of("orders-0 STOPPED: no commit for 600s"), 1200, 640.0, List.of(), List.of(), null);

            notifier.statusChanged(stopped, Status.WARNING);

            await().atMost(Duration.ofSeconds(10)).until(() -> bodies.size() == 1);
        } finally {
            receiver.stop(0);
        }
        assertThat(calls.get()).isEqualTo(2);
        JsonNode json = new ObjectMapper().readTree(bodies.get(0));
        assertThat(json.get("group").asText()).isEqualTo("storage_loader");
        assertThat(json.get("oldStatus").asText()).isEqualTo("WARNING");
        assertThat(json.get("newStatus").asText()).isEqualTo("STOPPED");
        assertThat(json.get("lag").asLong()).isEqualTo(1200);
        assertThat(json.get("reasons").get(0).asText()).contains("no commit for 600s");
    }
}
