package io.kgroups.bench;

import io.kgroups.admin.GroupAdmin;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.monitor.LagMonitor;
import io.kgroups.monitor.MonitorServer;
import io.kgroups.monitor.MonitorSnapshot;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * An HTTP load check of {@code kgroups monitor}: 1,000 groups × 50 partitions on the embedded
 * broker, the monitor sampling every 5 s as it does when run, then a minute of 50 concurrent
 * clients, each asking in turn for /metrics (gzip, as Prometheus does), /api/groups (the
 * dashboard's first page), and a group page (the group's JSON and its history, the two requests
 * the dashboard's group page makes). Latency per endpoint (p50, p99, max), errors, and the
 * sampling cycle's time during a quiet minute and during the load.
 */
final class MonitorLoadBench implements Benchmark {
    private static final String TOPIC = "bench-monitor-load";
    private static final int PARTITIONS = 50;
    private static final String GROUP_PREFIX = "bench-monitor-load-";
    private static final Duration INTERVAL = Duration.ofSeconds(5);
    private static final Duration ADMIN_TIMEOUT = Duration.ofMinutes(1);
    private static final int CLIENTS = 50;
    private static final List<String> ENDPOINTS = List.of("/metrics", "/api/groups", "group page");

    @Override
    public String name() {
        return "monitor-load";
    }

    @Override
    public String description() {
        return "HTTP load on the monitor at 1,000 groups x 50 partitions: 50 clients for a minute, latency, cycle time";
    }

    @Override
    public List<String> options() {
        return List.of("--groups N", "--clients N", "--seconds S");
    }

    @Override
    public Report run(boolean quick) throws Exception {
        return run(quick, Map.of());
    }

    @Override
    public Report run(boolean quick, Map<String, String> options) throws Exception {
        int groups = Benchmark.positive(options, "groups", quick ? 200 : 1_000);
        int clients = Benchmark.positive(options, "clients", CLIENTS);
        Duration phase = Duration.ofSeconds(Benchmark.positive(options, "seconds", quick ? 15 : 60));
        ManyGroups setup = new ManyGroups(TOPIC, PARTITIONS, 20, 100, 180_000, GROUP_PREFIX);
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().port(0).build().start()) {
            kafka.createTopic(TOPIC, PARTITIONS);
            setup.produce(kafka.bootstrapServers());
            setup.commitOffsets(kafka.bootstrapServers(), groups);
            progress(groups + " groups x " + PARTITIONS + " partitions in place");
            Properties client = new Properties();
            client.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            try (GroupAdmin admin = GroupAdmin.create(client, ADMIN_TIMEOUT);
                    LagMonitor monitor = LagMonitor.builder(admin).interval(INTERVAL).build();
                    MonitorServer server = MonitorServer.builder(monitor).address("127.0.0.1", 0).start()) {
                List<Double> quietCycles = Collections.synchronizedList(new ArrayList<>());
                List<Double> loadedCycles = Collections.synchronizedList(new ArrayList<>());
                AtomicBoolean loaded = new AtomicBoolean();
                CountDownLatch firstCycle = new CountDownLatch(1);
                Consumer<MonitorSnapshot> cycles = snapshot -> {
                    if (firstCycle.getCount() > 0) {
                        firstCycle.countDown(); // the cold one: not counted
                        return;
                    }
                    (loaded.get() ? loadedCycles : quietCycles).add(snapshot.lastCycleMillis() / 1000.0);
                };
                monitor.addCycleListener(cycles);
                monitor.start();
                firstCycle.await();
                String base = "http://127.0.0.1:" + server.port();
                List<String> names = monitor.snapshot().groups().stream().map(g -> g.group()).toList();
                progress("first cycle done; a quiet " + phase.toSeconds() + " s");
                Thread.sleep(phase.toMillis()); // the quiet phase is a span of time: cycles run by themselves meanwhile
                loaded.set(true);
                progress(clients + " clients for " + phase.toSeconds() + " s");
                Load load = load(base, names, clients, phase);
                monitor.removeCycleListener(cycles);
                return report(groups, clients, phase, load, quietCycles, loadedCycles);
            }
        }
    }

    /** Latencies (ms) per endpoint and the errors, of {@code clients} threads asking in turn for a while. */
    private record Load(Map<String, List<Double>> latencies, AtomicLong errors, List<String> firstErrors, double seconds) {
    }

    private static Load load(String base, List<String> groups, int clients, Duration phase) throws InterruptedException {
        Map<String, List<Double>> latencies = new ConcurrentHashMap<>();
        ENDPOINTS.forEach(e -> latencies.put(e, Collections.synchronizedList(new ArrayList<>())));
        AtomicLong errors = new AtomicLong();
        List<String> firstErrors = Collections.synchronizedList(new ArrayList<>());
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        long end = System.nanoTime() + phase.toNanos();
        long started = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int first = c;
            Thread t = new Thread(() -> {
                for (int i = first; System.nanoTime() < end; i++) {
                    String endpoint = ENDPOINTS.get(i % ENDPOINTS.size());
                    long start = System.nanoTime();
                    try {
                        if (endpoint.equals("group page")) {
                            String name = URLEncoder.encode(groups.get(ThreadLocalRandom.current().nextInt(groups.size())),
                                    StandardCharsets.UTF_8);
                            get(http, base + "/api/group?name=" + name, false);
                            get(http, base + "/api/group/history?name=" + name, false);
                        } else {
                            get(http, base + endpoint, endpoint.equals("/metrics"));
                        }
                        latencies.get(endpoint).add((System.nanoTime() - start) / 1e6);
                    } catch (Exception e) {
                        errors.incrementAndGet();
                        if (firstErrors.size() < 5) {
                            firstErrors.add(endpoint + ": " + e);
                        }
                    }
                }
            }, "load-client-" + c);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        return new Load(latencies, errors, firstErrors, (System.nanoTime() - started) / 1e9);
    }

    private static void get(HttpClient http, String url, boolean gzip) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (gzip) {
            request.header("Accept-Encoding", "gzip");
        }
        HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200 || response.body().length == 0) {
            throw new IllegalStateException("GET " + url + ": " + response.statusCode());
        }
    }

    private static Report report(int groups, int clients, Duration phase, Load load, List<Double> quiet, List<Double> loaded) {
        Report report = Report.table("monitor-load: " + clients + " HTTP clients on `kgroups monitor` (MonitorServer), " + groups
                + " groups x " + PARTITIONS + " partitions, embedded 1-broker Kafka, same JVM", "endpoint", "requests",
                "per second", "p50 ms", "p99 ms", "max ms");
        long requests = 0;
        for (String endpoint : ENDPOINTS) {
            List<Double> ms = new ArrayList<>(load.latencies().get(endpoint));
            Collections.sort(ms);
            requests += ms.size();
            report.row(endpoint, ms.size(), ms.size() / load.seconds(), percentile(ms, 0.50), percentile(ms, 0.99),
                    ms.isEmpty() ? 0 : ms.get(ms.size() - 1));
        }
        double quietMedian = Report.median(quiet);
        double loadedMedian = Report.median(loaded);
        return report
                .row("errors", load.errors().get(), "", "", "", "")
                .row("cycle seconds, quiet (median, runs)", quiet.size(), "", quietMedian, "", Report.runs(quiet))
                .row("cycle seconds, under the load (median, runs)", loaded.size(), "", loadedMedian, "", Report.runs(loaded))
                .note("Method: the monitor as `kgroups monitor` runs it (sampling every " + INTERVAL.toSeconds() + " s on its"
                        + " own thread, /metrics at the default topic level), " + phase.toSeconds() + " s quiet, then "
                        + phase.toSeconds() + " s of " + clients + " client threads (one java.net.http.HttpClient), each"
                        + " asking in turn for /metrics (Accept-Encoding gzip), /api/groups (the first page, 500 groups),"
                        + " and a group page: /api/group?name=G and /api/group/history?name=G of a random group (the"
                        + " latency is both). A request is an error unless 200 with a body. The cycle's time is the"
                        + " snapshot's lastCycleMillis (sample and evaluate, without the render), of every cycle after"
                        + " the first.")
                .note(load.firstErrors().isEmpty() ? "No error." : "First errors: " + String.join("; ", load.firstErrors()))
                .note("Clients, monitor and broker share the same " + Runtime.getRuntime().availableProcessors()
                        + " cores: the load also takes CPU from the sampler.")
                .result("requests", requests)
                .result("errors", load.errors().get())
                .result("metrics_p99_ms", percentile(sorted(load.latencies().get("/metrics")), 0.99))
                .result("groups_p99_ms", percentile(sorted(load.latencies().get("/api/groups")), 0.99))
                .result("group_page_p99_ms", percentile(sorted(load.latencies().get("group page")), 0.99))
                .result("cycle_quiet_seconds", quietMedian)
                .result("cycle_loaded_seconds", loadedMedian);
    }

    private static List<Double> sorted(List<Double> values) {
        List<Double> copy = new ArrayList<>(values);
        Collections.sort(copy);
        return copy;
    }

    /** The nearest-rank percentile of sorted values; 0 for none. */
    private static double percentile(List<Double> sorted, double p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    private static void progress(String done) {
        System.err.println("monitor-load: " + done);
    }
}
