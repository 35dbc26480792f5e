package io.kgroups.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.kgroups.monitor.internal.WebhookSender;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Webhooks against a real HTTP receiver on this machine that answers, fails, hangs or is slow. */
class WebhookNotifierTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the receiver does with a request: answer with this HTTP status, after holding it if told to. */
    private interface Behaviour extends Function<JsonNode, Integer> {
    }

    /** A local receiver; every request is recorded as "group old->new" when it arrives and when it is answered 2xx. */
    private static final class Receiver implements AutoCloseable {
        final List<String> arrived = new CopyOnWriteArrayList<>();
        final List<String> accepted = new CopyOnWriteArrayList<>();
        /** Counted down at the end of the test: lets go of requests held by a hanging receiver. */
        final CountDownLatch release = new CountDownLatch(1);
        private final ExecutorService threads = Executors.newCachedThreadPool();
        private final HttpServer server;

        Receiver(Behaviour behaviour) throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(threads); // a hung request must not hold up the next one
            server.createContext("/hook", exchange -> handle(exchange, behaviour));
            server.start();
        }

        private void handle(HttpExchange exchange, Behaviour behaviour) throws IOException {
            JsonNode body = JSON.readTree(exchange.getRequestBody()).get("data"); // the envelope's
            String change = body.get("group").asText() + " " + body.get("oldStatus").asText() + "->"
                    + body.get("newStatus").asText();
            arrived.add(change);
            int status = behaviour.apply(body);
            if (status / 100 == 2) {
                accepted.add(change);
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        }

        /** Holds the request until the test ends, then answers 204. */
        int hang() {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 204;
        }

        URI url(String query) {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook" + query);
        }

        String label() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
        }

        @Override
        public void close() throws InterruptedException {
            release.countDown();
            server.stop(0);
            threads.shutdownNow();
            threads.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private final List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private Receiver receiver(Behaviour behaviour) throws IOException {
        Receiver receiver = new Receiver(behaviour);
        toClose.add(receiver);
        return receiver;
    }

    private WebhookNotifier notifier(URI url, int attempts, Duration timeout, int maxPending) {
        WebhookNotifier notifier = new WebhookNotifier(List.of(url), attempts, timeout, maxPending);
        toClose.add(notifier);
        return notifier;
    }

    private static GroupStatus group(String name, Status status) {
        return new GroupStatus(name, "consumer", "Stable", 1, status, List.of("orders-0 " + status + ": because"), 1200, 640.0, List.of(),
                List.of(), null);
    }

    private static WebhookNotifier.Delivery delivery(WebhookNotifier notifier) {
        return notifier.deliveries().get(0);
    }

    @Test
    void postsTheChangeAndRetriesAFailingReceiver() throws Exception {
        List<String> bodies = new CopyOnWriteArrayList<>();
        int[] calls = {0};
        Receiver receiver = receiver(body -> {
            bodies.add(body.toString());
            return ++calls[0] == 1 ? 503 : 204; // the first delivery fails: the notifier must try again
        });
        WebhookNotifier notifier = notifier(receiver.url(""), 3, Duration.ofSeconds(5), 100);

        notifier.statusChanged(new GroupStatus("storage_loader", "consumer", "Empty", 0, Status.STOPPED,
                List.of("orders-0 STOPPED: no commit for 600s"), 1200, 640.0, List.of(), List.of(), null), Status.WARNING);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(receiver.accepted).hasSize(1));
        assertThat(receiver.arrived).hasSize(2);
        JsonNode json = JSON.readTree(bodies.get(1));
        assertThat(json.get("group").asText()).isEqualTo("storage_loader");
        assertThat(json.get("type").asText()).isEqualTo("consumer");
        assertThat(json.get("oldStatus").asText()).isEqualTo("WARNING");
        assertThat(json.get("newStatus").asText()).isEqualTo("STOPPED");
        assertThat(json.get("totalLag").asLong()).isEqualTo(1200);
        assertThat(json.get("reasons").get(0).asText()).contains("no commit for 600s");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(delivery(notifier))
                .isEqualTo(new WebhookNotifier.Delivery(receiver.label(), 1, 0, 0, 0, 0)));
    }

    /** A named cluster's notifier (a monitor of several clusters): the body says which cluster, as do its counters. */
    @Test
    void aNamedClustersChangeSaysItsCluster() throws Exception {
        List<JsonNode> bodies = new CopyOnWriteArrayList<>();
        Receiver receiver = receiver(body -> {
            bodies.add(body);
            return 204;
        });
        WebhookNotifier notifier = new WebhookNotifier(List.of(receiver.url("")), 1, "east");
        toClose.add(notifier);

        notifier.statusChanged(group("loader", Status.STALLED), Status.OK);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(receiver.accepted).hasSize(1));
        assertThat(bodies.get(0).get("cluster").asText()).isEqualTo("east");
        assertThat(bodies.get(0).get("group").asText()).isEqualTo("loader");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(PrometheusText.render(MonitorSnapshot.empty(),
                PrometheusText.Granularity.GROUP, List.of(notifier)))
                .contains("kgroups_webhook_sent_total{cluster=\"east\",url=\"" + receiver.label() + "\"} 1"));
    }

    @Test
    void aHungReceiverHoldsUpOtherGroupsForOneTimeoutNotForItsRetries() throws Exception {
        Receiver[] self = new Receiver[1];
        Receiver receiver = receiver(body -> body.get("group").asText().equals("stuck") ? self[0].hang() : 204);
        self[0] = receiver;
        WebhookNotifier notifier = notifier(receiver.url(""), 5, Duration.ofSeconds(1), 100);

        notifier.statusChanged(group("stuck", Status.WARNING), Status.OK);
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.arrived.size() == 1);
        for (String g : List.of("g1", "g2", "g3")) {
            notifier.statusChanged(group(g, Status.STOPPED), Status.OK);
        }

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(receiver.accepted)
                .containsExactly("g1 OK->STOPPED", "g2 OK->STOPPED", "g3 OK->STOPPED"));
        // The failed attempt went behind the other groups' changes: they came right after it, not after its retries.
        assertThat(receiver.arrived.subList(0, 4)).containsExactly("stuck OK->WARNING", "g1 OK->STOPPED", "g2 OK->STOPPED",
                "g3 OK->STOPPED");
    }

    @Test
    void theQueueStaysBoundedAndCountsWhatItDropsWithoutSecretsInTheLabel() throws Exception {
        Receiver[] self = new Receiver[1];
        Receiver receiver = receiver(body -> self[0].hang());
        self[0] = receiver;
        WebhookNotifier notifier = notifier(receiver.url("?token=s3cret"), 3, Duration.ofSeconds(30), 10);

        notifier.statusChanged(group("g0", Status.WARNING), Status.OK);
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.arrived.size() == 1);
        for (int i = 1; i < 100; i++) {
            notifier.statusChanged(group("g" + i, Status.WARNING), Status.OK);
        }

        // One in flight, ten waiting (the newest), the other 89 dropped: oldest first.
        assertThat(delivery(notifier)).isEqualTo(new WebhookNotifier.Delivery(receiver.label(), 0, 0, 89, 0, 10));
        String metrics = PrometheusText.render(MonitorSnapshot.empty(), PrometheusText.Granularity.GROUP, List.of(notifier));
        assertThat(metrics).contains("kgroups_webhook_dropped_total{url=\"" + receiver.label() + "\"} 89",
                "kgroups_webhook_pending{url=\"" + receiver.label() + "\"} 10", "# TYPE kgroups_webhook_sent_total counter");
        assertThat(metrics).doesNotContain("s3cret");

        receiver.release.countDown();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(receiver.accepted).hasSize(11));
        assertThat(receiver.accepted.subList(1, 11)).containsExactly("g90 OK->WARNING", "g91 OK->WARNING", "g92 OK->WARNING",
                "g93 OK->WARNING", "g94 OK->WARNING", "g95 OK->WARNING", "g96 OK->WARNING", "g97 OK->WARNING",
                "g98 OK->WARNING", "g99 OK->WARNING");
    }

    @Test
    void labelsAndLogsNeverCarryUserInfoOrQueryStrings() {
        assertThat(WebhookSender.withoutSecrets(URI.create("https://bot:s3cret@alerts.example:8443/kafka/hook?token=abc#x")))
                .isEqualTo("https://alerts.example:8443/kafka/hook");
        assertThat(WebhookSender.withoutSecrets(URI.create("http://alerts.local/hook"))).isEqualTo("http://alerts.local/hook");
    }

    @Test
    void theNewestStatusWinsWhileTheReceiverIsBusy() throws Exception {
        CountDownLatch hold = new CountDownLatch(1);
        Receiver receiver = receiver(body -> {
            if (body.get("newStatus").asText().equals("WARNING") && body.get("group").asText().equals("a")) {
                try {
                    hold.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return 204;
        });
        WebhookNotifier notifier = notifier(receiver.url(""), 3, Duration.ofSeconds(30), 100);

        notifier.statusChanged(group("a", Status.WARNING), Status.OK);
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.arrived.size() == 1);
        notifier.statusChanged(group("a", Status.STALLED), Status.WARNING);
        notifier.statusChanged(group("a", Status.STOPPED), Status.STALLED);
        notifier.statusChanged(group("a", Status.REWIND), Status.STOPPED);
        notifier.statusChanged(group("b", Status.WARNING), Status.OK);
        notifier.statusChanged(group("b", Status.OK), Status.WARNING); // back where the receiver knew it: nothing to say
        hold.countDown();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(delivery(notifier).sent()).isEqualTo(2));
        assertThat(receiver.accepted).containsExactly("a OK->WARNING", "a WARNING->REWIND");
        assertThat(delivery(notifier)).isEqualTo(new WebhookNotifier.Delivery(receiver.label(), 2, 0, 0, 3, 0));
    }

    @Test
    void aRetriedChangeNeverArrivesAfterANewerOne() throws Exception {
        int[] calls = {0};
        Receiver receiver = receiver(body -> ++calls[0] <= 2 ? 500 : 204);
        WebhookNotifier notifier = notifier(receiver.url(""), 5, Duration.ofSeconds(5), 100);

        notifier.statusChanged(group("a", Status.WARNING), Status.OK);
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.arrived.size() == 1);
        notifier.statusChanged(group("a", Status.STALLED), Status.WARNING);

        // The receiver never took OK->WARNING: it is told OK->STALLED, once, and nothing older after it.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(delivery(notifier).sent()).isEqualTo(1));
        assertThat(receiver.accepted).containsExactly("a OK->STALLED");
        assertThat(delivery(notifier)).isEqualTo(new WebhookNotifier.Delivery(receiver.label(), 1, 0, 0, 1, 0));
    }

    @Test
    void aSlowReceiverGetsEachGroupsChangesInOrderEndingWithTheNewest() throws Exception {
        Receiver receiver = receiver(body -> {
            try {
                Thread.sleep(100); // a slow receiver (its behaviour, not a wait for a condition)
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 204;
        });
        WebhookNotifier notifier = notifier(receiver.url(""), 3, Duration.ofSeconds(5), 100);
        List<Status> cycle = List.of(Status.WARNING, Status.STALLED, Status.STOPPED, Status.OK);
        Status a = Status.OK;
        Status b = Status.OK;
        for (int i = 0; i < 30; i++) {
            Status nextA = cycle.get(i % 4);
            notifier.statusChanged(group("a", nextA), a);
            a = nextA;
            Status nextB = cycle.get((i + 1) % 4);
            notifier.statusChanged(group("b", nextB), b);
            b = nextB;
        }
        Status finalA = a;
        Status finalB = b;

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(delivery(notifier).pending()).isZero());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(told(receiver, "a")).isEqualTo(finalA);
            assertThat(told(receiver, "b")).isEqualTo(finalB);
        });
        for (String g : List.of("a", "b")) {
            List<String> changes = receiver.accepted.stream().filter(c -> c.startsWith(g + " ")).map(c -> c.substring(2)).toList();
            assertThat(changes).as("changes of %s", g).isNotEmpty();
            assertThat(changes.get(0)).startsWith("OK->");
            for (int i = 1; i < changes.size(); i++) {
                // Each change starts where the one before ended: none lost in between, none out of order.
                assertThat(changes.get(i).split("->")[0]).as("changes of %s: %s", g, changes)
                        .isEqualTo(changes.get(i - 1).split("->")[1]);
            }
        }
        assertThat(delivery(notifier).coalesced()).isPositive(); // changes came faster than the receiver took them
    }

    /** The last status the receiver was told for a group; null if none. */
    private static Status told(Receiver receiver, String group) {
        List<String> changes = receiver.accepted.stream().filter(c -> c.startsWith(group + " ")).toList();
        return changes.isEmpty() ? null : Status.valueOf(changes.get(changes.size() - 1).split("->")[1]);
    }
}
