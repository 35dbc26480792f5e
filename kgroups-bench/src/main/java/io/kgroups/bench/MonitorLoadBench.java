package io.kgroups.bench;

import io.kgroups.admin.GroupAdmin;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.monitor.LagMonitor;
import io.kgroups.monitor.MonitorServer;
import io.kgroups.monitor.MonitorSnapshot;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * An HTTP load check of {@code kgroups monitor}: 1,000 groups × 50 partitions on the embedded
 * broker, the monitor sampling every 5 s as it does when run, then a minute of 50 concurrent
 * connections from wrk on /metrics (gzip, as Prometheus asks), /api/groups (the dashboard's first
 * page) and group pages (the group's JSON and its history, the two requests the dashboard's group
 * page makes). Latency per endpoint (p50, p99, max), errors, and the sampling cycle's time during a
 * quiet minute and during the load.
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
        return "HTTP load on the monitor at 1,000 groups x 50 partitions: 50 wrk connections for a minute, latency, cycle";
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
            setup.commitOffsets(kafka.bootstrapServers(), 0, groups);
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

    /** What wrk measured of one endpoint: requests, their rate, latency percentiles (ms), and errors. */
    record Measured(String endpoint, long requests, double perSecond, double p50, double p99, double max, long errors,
            String errorText) {
    }

    /** The endpoints' measures, each of a wrk process of its own, all at once. */
    private record Load(List<Measured> endpoints) {
        long errors() {
            return endpoints.stream().mapToLong(Measured::errors).sum();
        }
    }

    /**
     * {@code clients} connections for {@code phase}, shared by three wrk processes run together
     * (Debian's wrk: a load generator in C, outside this JVM, so what is measured is the server):
     * /metrics with gzip, /api/groups, and group pages (a Lua script asks for a random group's
     * JSON and then its history, as the dashboard's group page does).
     */
    private static Load load(String base, List<String> groups, int clients, Duration phase) throws Exception {
        String wrk = wrk();
        Path dir = Files.createTempDirectory("kgroups-monitor-load");
        Path names = dir.resolve("groups.lua");
        StringBuilder lua = new StringBuilder("local groups = {");
        for (String g : groups) {
            lua.append('"').append(URLEncoder.encode(g, StandardCharsets.UTF_8)).append("\",");
        }
        lua.append("}\nlocal n = 0\nlocal current\nrequest = function()\n  n = n + 1\n"
                + "  if n % 2 == 1 then\n    current = groups[math.random(#groups)]\n"
                + "    return wrk.format(\"GET\", \"/api/group?name=\" .. current)\n  end\n"
                + "  return wrk.format(\"GET\", \"/api/group/history?name=\" .. current)\nend\n");
        Files.writeString(names, lua);
        int each = Math.max(1, clients / ENDPOINTS.size());
        String seconds = phase.toSeconds() + "s";
        List<Process> running = new ArrayList<>();
        List<Path> outputs = new ArrayList<>();
        for (int i = 0; i < ENDPOINTS.size(); i++) {
            String endpoint = ENDPOINTS.get(i);
            int connections = i == ENDPOINTS.size() - 1 ? clients - each * (ENDPOINTS.size() - 1) : each;
            List<String> command = new ArrayList<>(List.of(wrk, "-t1", "-c" + connections, "-d" + seconds, "--latency",
                    "--timeout", "30s"));
            if (endpoint.equals("/metrics")) {
                command.addAll(List.of("-H", "Accept-Encoding: gzip", base + "/metrics"));
            } else if (endpoint.equals("/api/groups")) {
                command.add(base + "/api/groups");
            } else {
                command.addAll(List.of("-s", names.toString(), base + "/"));
            }
            Path out = dir.resolve("wrk-" + i + ".txt");
            outputs.add(out);
            running.add(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start());
        }
        List<Measured> measured = new ArrayList<>();
        for (int i = 0; i < running.size(); i++) {
            if (!running.get(i).waitFor(phase.toSeconds() + 60, java.util.concurrent.TimeUnit.SECONDS)) {
                running.get(i).destroyForcibly();
                throw new IllegalStateException("wrk did not end; it printed: " + Files.readString(outputs.get(i)));
            }
            measured.add(parse(ENDPOINTS.get(i), Files.readString(outputs.get(i))));
        }
        return new Load(measured);
    }

    private static final Pattern PERCENTILE = Pattern.compile("^\\s+(50|99)%\\s+([0-9.]+)(us|ms|s)\\s*$", Pattern.MULTILINE);
    private static final Pattern MAX = Pattern.compile("^\\s+Latency\\s+\\S+\\s+\\S+\\s+([0-9.]+)(us|ms|s)", Pattern.MULTILINE);
    private static final Pattern REQUESTS = Pattern.compile("^\\s*(\\d+) requests in ([0-9.]+)(ms|s|m)", Pattern.MULTILINE);
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern SOCKET_ERRORS = Pattern.compile(
            "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");

    /** wrk's report, read: its request count, the 50th and 99th percentiles, the maximum, and every error. */
    static Measured parse(String endpoint, String text) {
        Matcher requests = REQUESTS.matcher(text);
        if (!requests.find()) {
            throw new IllegalStateException("wrk for " + endpoint + " printed no request count: " + text);
        }
        long count = Long.parseLong(requests.group(1));
        double took = Double.parseDouble(requests.group(2)) * switch (requests.group(3)) {
            case "ms" -> 0.001;
            case "m" -> 60;
            default -> 1;
        };
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        Matcher percentile = PERCENTILE.matcher(text);
        while (percentile.find()) {
            double ms = millis(percentile.group(2), percentile.group(3));
            if (percentile.group(1).equals("50")) {
                p50 = ms;
            } else {
                p99 = ms;
            }
        }
        Matcher max = MAX.matcher(text);
        double maxMs = max.find() ? millis(max.group(1), max.group(2)) : Double.NaN;
        long errors = 0;
        List<String> what = new ArrayList<>();
        Matcher non2xx = NON_2XX.matcher(text);
        if (non2xx.find()) {
            errors += Long.parseLong(non2xx.group(1));
            what.add(non2xx.group(0));
        }
        Matcher socket = SOCKET_ERRORS.matcher(text);
        if (socket.find()) {
            for (int g = 1; g <= 4; g++) {
                errors += Long.parseLong(socket.group(g));
            }
            what.add(socket.group(0));
        }
        return new Measured(endpoint, count, count / took, p50, p99, maxMs, errors, String.join("; ", what));
    }

    private static double millis(String value, String unit) {
        double v = Double.parseDouble(value);
        return switch (unit) {
            case "us" -> v / 1000;
            case "s" -> v * 1000;
            default -> v;
        };
    }

    /** Debian's wrk, installed by apt-get when it is missing (as the browser test installs Chromium). */
    private static String wrk() throws Exception {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, "wrk"))) {
                return Path.of(dir, "wrk").toString();
            }
        }
        progress("installing Debian's wrk");
        List<String> sudo = "root".equals(System.getProperty("user.name")) ? List.of() : List.of("sudo");
        for (List<String> step : List.of(List.of("apt-get", "update", "-qq"), List.of("apt-get", "install", "-y", "-qq", "wrk"))) {
            List<String> command = new ArrayList<>(sudo);
            command.addAll(step);
            Process p = new ProcessBuilder(command).inheritIO().start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: install wrk (Debian's package) to run "
                        + "monitor-load");
            }
        }
        return "/usr/bin/wrk";
    }

    private static Report report(int groups, int clients, Duration phase, Load load, List<Double> quiet, List<Double> loaded) {
        Report report = Report.table("monitor-load: " + clients + " HTTP connections (wrk) on `kgroups monitor` (MonitorServer), "
                + groups + " groups x " + PARTITIONS + " partitions, embedded 1-broker Kafka, same machine", "endpoint",
                "requests", "per second", "p50 ms", "p99 ms", "max ms", "errors");
        long requests = 0;
        for (Measured m : load.endpoints()) {
            requests += m.requests();
            report.row(m.endpoint(), m.requests(), m.perSecond(), m.p50(), m.p99(), m.max(), m.errors());
        }
        double quietMedian = Report.median(quiet);
        double loadedMedian = Report.median(loaded);
        Measured metrics = load.endpoints().get(0);
        Measured api = load.endpoints().get(1);
        Measured page = load.endpoints().get(2);
        return report
                .row("cycle seconds, quiet (median; runs)", quiet.size(), "", quietMedian, "", Report.runs(quiet), "")
                .row("cycle seconds, under the load (median; runs)", loaded.size(), "", loadedMedian, "", Report.runs(loaded), "")
                .note("Method: the monitor as `kgroups monitor` runs it (sampling every " + INTERVAL.toSeconds() + " s on its"
                        + " own thread, /metrics at the default topic level), " + phase.toSeconds() + " s quiet, then "
                        + phase.toSeconds() + " s of " + clients + " connections shared by three wrk processes run at once"
                        + " (Debian's wrk, one thread each, outside this JVM): /metrics with Accept-Encoding gzip,"
                        + " /api/groups (the first page: 500 groups), and group pages (a Lua script asks for a random"
                        + " group's /api/group?name=G, then its /api/group/history?name=G, as the dashboard's group page"
                        + " does; each request timed on its own). An error is a response that is not 2xx/3xx, or a socket"
                        + " error (connect, read, write, timeout after 30 s). The cycle's time is the snapshot's"
                        + " lastCycleMillis (sample and evaluate, without the render) of every cycle after the first.")
                .note(load.errors() == 0 ? "No error." : "Errors: " + load.endpoints().stream().filter(m -> m.errors() > 0)
                        .map(m -> m.endpoint() + ": " + m.errorText()).toList())
                .note("wrk, the monitor and the broker share the same " + Runtime.getRuntime().availableProcessors()
                        + " cores: the load also takes CPU from the sampler, which is what the two cycle rows compare.")
                .result("requests", requests)
                .result("errors", load.errors())
                .result("metrics_p99_ms", metrics.p99())
                .result("groups_p99_ms", api.p99())
                .result("group_page_p99_ms", page.p99())
                .result("cycle_quiet_seconds", quietMedian)
                .result("cycle_loaded_seconds", loadedMedian);
    }

    private static void progress(String done) {
        System.err.println("monitor-load: " + done);
    }
}
