package io.kgroups.bench;

import io.kgroups.admin.GroupAdmin;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.monitor.GroupStatus;
import io.kgroups.monitor.LagMonitor;
import io.kgroups.monitor.MonitorServer;
import io.kgroups.monitor.MonitorSnapshot;
import io.kgroups.monitor.PrometheusText;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.lang.ref.Reference;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The lag monitor at scale: one full {@link LagMonitor#cycle()} (sample every group, evaluate,
 * time lag) plus {@link PrometheusText#render} of its snapshot, on 1,000 groups with committed
 * offsets on every partition of one 50-partition topic of an embedded broker; and the heap the
 * monitor holds after a cycle.
 */
final class MonitorBench implements Benchmark {
    private static final String TOPIC = "bench-monitor";
    private static final int PARTITIONS = 50;
    private static final int RECORDS_PER_PARTITION = 20;
    private static final int RECORD_BYTES = 100;
    /** The records' timestamps are spread over the last hour, so that time lag differs by offset. */
    private static final long RECORD_SPACING_MS = 180_000;
    private static final String GROUP_PREFIX = "bench-monitor-";
    private static final Duration ADMIN_TIMEOUT = Duration.ofMinutes(1);
    /** The monitor's defaults, written out: they set the exact time-lag read's wait (interval / 2). */
    private static final Duration INTERVAL = Duration.ofSeconds(5);
    private static final int WINDOW = 10;
    private static final int GC_ROUNDS = 3;
    private static final int GC_MAX_ROUNDS = 10;
    private static final long GC_SETTLE_BYTES = 256 * 1024;

    @Override
    public String name() {
        return "monitor";
    }

    @Override
    public String description() {
        return "lag monitor on 1,000 groups x 50 partitions (--groups N --partitions M): cycle, render, scrape, heap";
    }

    @Override
    public Report run(boolean quick) throws Exception {
        return run(quick, Map.of());
    }

    @Override
    public List<String> options() {
        return List.of("--groups N", "--partitions M");
    }

    @Override
    public Report run(boolean quick, Map<String, String> options) throws Exception {
        return run(quick, Benchmark.positive(options, "groups", quick ? 200 : 1_000),
                Benchmark.positive(options, "partitions", PARTITIONS));
    }

    /** The benchmark on {@code groups} groups of one topic of {@code partitions} partitions. */
    Report run(boolean quick, int groups, int partitions) throws Exception {
        int timedCycles = quick ? 3 : 5;
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long started = System.nanoTime();
        ManyGroups setup = new ManyGroups(TOPIC, partitions, RECORDS_PER_PARTITION, RECORD_BYTES, RECORD_SPACING_MS,
                GROUP_PREFIX);

        long baselineBytes;
        Measured m;
        long afterCloseBytes;
        double setupSeconds;
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().port(0).build().start()) {
            String bootstrap = kafka.bootstrapServers();
            long setupStart = System.nanoTime();
            kafka.createTopic(TOPIC, partitions);
            setup.produce(bootstrap);
            setup.commitOffsets(bootstrap, 0, groups);
            setupSeconds = (System.nanoTime() - setupStart) / 1e9;
            progress(partitions + " partitions x " + RECORDS_PER_PARTITION + " records, offsets of " + groups
                    + " groups committed in " + Report.number(setupSeconds) + " s");

            // The broker (with its groups and offsets) is in this heap: its share is measured
            // before the monitor exists, and again after the monitor is closed and unreachable.
            baselineBytes = heapUsedAfterGc(memory, "baseline");
            // In a method of its own: once it returns, nothing of the monitor is left in a frame.
            m = measure(bootstrap, groups, partitions, timedCycles, memory);
            afterCloseBytes = heapUsedAfterGc(memory, "monitor closed");
            Reference.reachabilityFence(kafka);
        }
        double wholeSeconds = (System.nanoTime() - started) / 1e9;

        long groupPartitions = (long) groups * partitions;
        double cycle = Report.median(m.cycleSeconds());
        double render = Report.median(m.renderSeconds());
        double scrape = Report.median(m.scrapeSeconds());
        double heapMb = (m.withMonitorBytes() - baselineBytes) / 1048576.0;
        double residualMb = (afterCloseBytes - baselineBytes) / 1048576.0;
        double bytesPerPartition = (m.withMonitorBytes() - baselineBytes) / (double) groupPartitions;
        long maxHeap = memory.getHeapMemoryUsage().getMax();
        return Report.table("monitor: `kgroups monitor`'s LagMonitor + MonitorServer, " + groups + " groups x " + partitions
                                + " partitions (one topic), embedded 1-broker Kafka, same JVM",
                        "figure", "value", "runs")
                .row("cycle (sample + evaluate), seconds (median of " + timedCycles + ")", cycle, Report.runs(m.cycleSeconds()))
                .row("/metrics render at the cycle's end (topic level, the default), seconds", render,
                        Report.runs(m.renderSeconds()))
                .row("cycle + render, seconds (median)", Report.median(m.totalSeconds()), Report.runs(m.totalSeconds()))
                .row("  of which CPU of the monitor's threads, seconds (median)", Report.median(m.cpuSeconds()),
                        Report.runs(m.cpuSeconds()))
                .row("first (cold) cycle + render, seconds", m.firstCycle(), "1")
                .row("one scrape of /metrics (gzip, served from the page), milliseconds (median of " + SCRAPES + ")",
                        scrape * 1000, Report.runs(m.scrapeSeconds().stream().map(v -> v * 1000).toList()))
                .row("/metrics at topic level: samples / text bytes / gzip bytes", m.topic().samples() + " / "
                        + m.topic().textBytes() + " / " + m.topic().gzipBytes(), "last cycle")
                .row("/metrics at group level: samples / text bytes / gzip bytes", m.group().samples() + " / "
                        + m.group().textBytes() + " / " + m.group().gzipBytes() + " (render " + Report.number(m.group().seconds())
                        + " s)", "1")
                .row("/metrics at partition level: samples / text bytes / gzip bytes", m.partition().samples() + " / "
                        + m.partition().textBytes() + " / " + m.partition().gzipBytes() + " (render "
                        + Report.number(m.partition().seconds()) + " s)", "1")
                .row("heap held by the monitor and its server after a cycle, MB", heapMb,
                        "1 (" + mb(m.withMonitorBytes()) + " - baseline " + mb(baselineBytes) + ")")
                .row("  per group-partition, bytes", bytesPerPartition, groupPartitions + " group-partitions")
                .row("heap left after close, MB (broker drift, anything not let go)", residualMb,
                        "1 (" + mb(afterCloseBytes) + " - baseline " + mb(baselineBytes) + ")")
                .row("groups / partitions in snapshot", m.groupsSeen() + " / " + m.partitionsSeen(), "last cycle")
                .row("lagging partitions / with a time lag", m.lagging() + " / " + m.withTimeLag(), "last cycle")
                .note("Method: one topic of " + partitions + " partitions with " + RECORDS_PER_PARTITION + " records of "
                        + RECORD_BYTES + " B each (timestamps spread over the last hour); " + groups + " groups (classic,"
                        + " no members) with an offset committed on every partition by Admin alterConsumerGroupOffsets,"
                        + " varied from 0 to " + RECORDS_PER_PARTITION + " so that most partitions have lag (set-up "
                        + Report.number(setupSeconds) + " s, not timed).")
                .note("Timing: `LagMonitor.builder(GroupAdmin.create(...)).interval(" + INTERVAL.toSeconds()
                        + " s).window(" + WINDOW + ").build()` served by `MonitorServer` at the default topic level;"
                        + " `cycle()` called back to back. The cycle's own time is the snapshot's lastCycleMillis (sample,"
                        + " evaluate); the render is the page's, made once at the cycle's end and read from"
                        + " kgroups_monitor_metrics_render_seconds; cycle + render is the wall time of cycle(). The first"
                        + " cycle is cold (JIT, admin connection, retention read, empty history), reported alone; the"
                        + " figures are the median of the next " + timedCycles + ". Every cycle is checked: all " + groups
                        + " groups with " + partitions + " partitions each in the snapshot. A scrape: GET /metrics with"
                        + " Accept-Encoding gzip over loopback, the whole body read. The group and partition levels:"
                        + " a second and third MonitorServer on the last snapshot, which render it once as they start."
                        + " CPU of the monitor's threads: ThreadMXBean CPU time of the thread that runs cycle() and of the"
                        + " Admin client's I/O thread over each cycle; the rest of the wall time is the broker's work"
                        + " (in this JVM, on the same cores) and waiting for it.")
                .note("Heap: MemoryMXBean heap used after repeated System.gc() (200 ms apart, at least " + GC_ROUNDS
                        + " and until two readings agree within 0.25 MB, at most " + GC_MAX_ROUNDS + "). The embedded"
                        + " broker shares this JVM, so a baseline is taken after the set-up (broker, topic, groups and"
                        + " offsets in place, set-up clients closed) and before the GroupAdmin and monitor are created;"
                        + " the figure is heap used after the last cycle, with the monitor (its history of " + WINDOW
                        + " commits per group-partition), its GroupAdmin (Kafka Admin client), its last snapshot and the"
                        + " server with its rendered page still reachable, minus that baseline. The second heap row is"
                        + " heap used after closing them, once the method that held them has returned, minus the baseline:"
                        + " how far the broker's own heap drifted meanwhile (the error bar of the first). Max heap "
                        + mb(maxHeap) + " MB (JVM default, no -Xmx), GC: " + gcNames() + ".")
                .note("Broker in this JVM, on the same " + Runtime.getRuntime().availableProcessors() + " cores; Java "
                        + System.getProperty("java.version") + "; whole benchmark " + Report.number(wholeSeconds) + " s.")
                .note("Goal (#18): 10,000 groups x 50 partitions: cycle under 3 s, heap under 512 MB, a scrape costs no"
                        + " rendering.")
                .result("cycle_seconds", cycle)
                .result("render_seconds", render)
                .result("monitor_cpu_seconds", Report.median(m.cpuSeconds()))
                .result("scrape_ms", scrape * 1000)
                .result("heap_mb", heapMb)
                .result("heap_bytes_per_group_partition", bytesPerPartition)
                .result("first_cycle_seconds", m.firstCycle())
                .result("metrics_bytes", m.topic().textBytes())
                .result("partition_level_metrics_bytes", m.partition().textBytes())
                .result("groups", groups)
                .result("partitions", partitions);
    }

    private static final int SCRAPES = 10;

    /** A page at one level: samples, sizes, and how long its render took. */
    record Page(long samples, long textBytes, long gzipBytes, double seconds) {
    }

    /** What {@link #measure} found; the monitor itself is closed and unreachable when it returns. */
    private record Measured(double firstCycle, List<Double> cycleSeconds, List<Double> renderSeconds,
            List<Double> totalSeconds, List<Double> cpuSeconds, List<Double> scrapeSeconds, long withMonitorBytes, Page topic, Page group,
            Page partition, int groupsSeen, long partitionsSeen, long lagging, long withTimeLag) {
    }

    /** Creates the monitor and its server, runs the cold cycle and the timed ones, reads the heap with them live. */
    private static Measured measure(String bootstrap, int groups, int partitions, int timedCycles, MemoryMXBean memory)
            throws Exception {
        List<Double> cycleSeconds = new ArrayList<>();
        List<Double> renderSeconds = new ArrayList<>();
        List<Double> totalSeconds = new ArrayList<>();
        List<Double> scrapeSeconds = new ArrayList<>();
        List<Double> cpuSeconds = new ArrayList<>();
        Properties client = new Properties();
        client.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        HttpClient http = HttpClient.newHttpClient();
        try (GroupAdmin admin = GroupAdmin.create(client, ADMIN_TIMEOUT);
                LagMonitor monitor = LagMonitor.builder(admin).interval(INTERVAL).window(WINDOW).build();
                MonitorServer server = MonitorServer.builder(monitor).address("127.0.0.1", 0).start()) {
            String metricsUrl = "http://127.0.0.1:" + server.port() + "/metrics";
            long start = System.nanoTime();
            monitor.cycle();
            double first = (System.nanoTime() - start) / 1e9;
            check(monitor, groups, partitions);
            progress("first cycle + render " + Report.number(first) + " s");
            for (int i = 1; i <= timedCycles; i++) {
                start = System.nanoTime();
                long cpuBefore = monitorCpuNanos();
                monitor.cycle();
                double total = (System.nanoTime() - start) / 1e9;
                cpuSeconds.add((monitorCpuNanos() - cpuBefore) / 1e9);
                check(monitor, groups, partitions);
                double cycle = monitor.snapshot().lastCycleMillis() / 1000.0;
                double render = renderSeconds(scrape(http, metricsUrl).text());
                cycleSeconds.add(cycle);
                renderSeconds.add(render);
                totalSeconds.add(total);
                progress("cycle " + i + "/" + timedCycles + ": " + Report.number(cycle) + " s + render "
                        + Report.number(render) + " s");
            }
            Scraped last = null;
            for (int i = 0; i < SCRAPES; i++) {
                start = System.nanoTime();
                last = scrape(http, metricsUrl);
                scrapeSeconds.add((System.nanoTime() - start) / 1e9);
            }
            Page topic = page(last);
            MonitorSnapshot snapshot = monitor.snapshot();
            long partitionsSeen = snapshot.groups().stream().mapToLong(g -> g.partitions().size()).sum();
            long lagging = snapshot.groups().stream().flatMap(g -> g.partitions().stream())
                    .filter(p -> p.lagOrZero() > 0).count();
            long withTimeLag = snapshot.groups().stream().flatMap(g -> g.partitions().stream())
                    .filter(p -> p.lagOrZero() > 0 && p.lagSeconds() != null).count();
            // Monitor (history, last snapshot), its server's page and its GroupAdmin live: what a running monitor holds.
            long withMonitorBytes = heapUsedAfterGc(memory, "monitor live");
            Page group = otherLevel(monitor, http, PrometheusText.Granularity.GROUP);
            Page partition = otherLevel(monitor, http, PrometheusText.Granularity.PARTITION);
            Reference.reachabilityFence(server);
            Reference.reachabilityFence(admin);
            return new Measured(first, cycleSeconds, renderSeconds, totalSeconds, cpuSeconds, scrapeSeconds, withMonitorBytes, topic,
                    group, partition, snapshot.groups().size(), partitionsSeen, lagging, withTimeLag);
        }
    }

    /**
     * CPU time of the monitor's own threads: this one (it runs the cycles) and its Admin client's
     * I/O thread; the broker's threads, in this JVM too, are left out.
     */
    private static long monitorCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (t != null && (t.getThreadId() == Thread.currentThread().getId()
                    || t.getThreadName().startsWith("kafka-admin-client-thread"))) {
                total += Math.max(0, threads.getThreadCpuTime(t.getThreadId()));
            }
        }
        return total;
    }

    /** A server at {@code level} on the monitor's last snapshot: it renders it once as it starts. */
    private static Page otherLevel(LagMonitor monitor, HttpClient http, PrometheusText.Granularity level) throws Exception {
        try (MonitorServer other = MonitorServer.builder(monitor).metrics(level).address("127.0.0.1", 0).start()) {
            return page(scrape(http, "http://127.0.0.1:" + other.port() + "/metrics"));
        }
    }

    /** A scrape: the gzip bytes as sent, and the text they hold. */
    private record Scraped(long gzipBytes, String text) {
    }

    private static Scraped scrape(HttpClient http, String url) throws Exception {
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(url)).header("Accept-Encoding", "gzip")
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + url + ": " + response.statusCode());
        }
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(response.body()))) {
            return new Scraped(response.body().length, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private static Page page(Scraped scraped) {
        long samples = scraped.text().lines().filter(l -> !l.startsWith("#")).count();
        return new Page(samples, metric(scraped.text(), "kgroups_monitor_metrics_bytes{encoding=\"identity\"}").longValue(),
                scraped.gzipBytes(), renderSeconds(scraped.text()));
    }

    private static double renderSeconds(String text) {
        return metric(text, "kgroups_monitor_metrics_render_seconds").doubleValue();
    }

    /** The value of the sample {@code series} (name and labels) in a page. */
    private static Double metric(String text, String series) {
        return text.lines().filter(l -> l.startsWith(series + " ")).map(l -> Double.valueOf(l.substring(series.length() + 1)))
                .findFirst().orElseThrow(() -> new IllegalStateException("no " + series + " in /metrics"));
    }

    /** Fails the benchmark unless the cycle succeeded and saw every group with every partition. */
    private static void check(LagMonitor monitor, int groups, int partitionsPerGroup) {
        MonitorSnapshot snapshot = monitor.snapshot();
        if (snapshot.failedCycles() > 0) {
            throw new IllegalStateException(snapshot.failedCycles() + " monitor cycle(s) failed: " + monitor.lastFailure(),
                    monitor.lastFailure());
        }
        long seen = 0;
        long partitions = 0;
        for (GroupStatus g : snapshot.groups()) {
            if (g.group().startsWith(GROUP_PREFIX)) {
                seen++;
                partitions += g.partitions().size();
            }
        }
        if (seen != groups || partitions != (long) groups * partitionsPerGroup) {
            throw new IllegalStateException("the snapshot holds " + seen + " of " + groups + " groups (" + partitions
                    + " partitions, expected " + (long) groups * partitionsPerGroup + ")");
        }
    }

    /**
     * Heap used after full collections: System.gc() (a full, stop-the-world collection under G1
     * without -XX:+ExplicitGCInvokesConcurrent) until two readings in a row agree within
     * {@value #GC_SETTLE_BYTES} bytes, at least {@value #GC_ROUNDS} times and at most
     * {@value #GC_MAX_ROUNDS}; the last reading.
     */
    private static long heapUsedAfterGc(MemoryMXBean memory, String label) throws InterruptedException {
        long previous = -1;
        long used = -1;
        List<String> readings = new ArrayList<>();
        for (int i = 1; i <= GC_MAX_ROUNDS; i++) {
            System.gc();
            Thread.sleep(200);
            used = memory.getHeapMemoryUsage().getUsed();
            readings.add(mb(used));
            if (i >= GC_ROUNDS && Math.abs(used - previous) < GC_SETTLE_BYTES) {
                break;
            }
            previous = used;
        }
        progress("heap used, " + label + ", MB after each System.gc(): " + String.join(", ", readings));
        return used;
    }

    private static String mb(long bytes) {
        return Report.number(bytes / 1048576.0);
    }

    private static String gcNames() {
        return String.join(", ", ManagementFactory.getGarbageCollectorMXBeans().stream().map(b -> b.getName()).toList());
    }

    /** On stderr, so that stdout stays the report. */
    private static void progress(String done) {
        System.err.println("monitor: " + done);
    }
}
