package io.kgroups.bench;

import io.kgroups.admin.GroupAdmin;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.monitor.GroupStatus;
import io.kgroups.monitor.LagMonitor;
import io.kgroups.monitor.MonitorSnapshot;
import io.kgroups.monitor.PrometheusText;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

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
    private static final ManyGroups SETUP = new ManyGroups(TOPIC, PARTITIONS, RECORDS_PER_PARTITION, RECORD_BYTES,
            RECORD_SPACING_MS, GROUP_PREFIX);
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
        return "lag monitor on 1,000 groups x 50 partitions: one cycle + /metrics render, heap held";
    }

    @Override
    public Report run(boolean quick) throws Exception {
        int groups = quick ? 200 : 1_000;
        int timedCycles = quick ? 3 : 5;
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long started = System.nanoTime();

        long baselineBytes;
        Measured m;
        long afterCloseBytes;
        double setupSeconds;
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().port(0).build().start()) {
            String bootstrap = kafka.bootstrapServers();
            long setup = System.nanoTime();
            kafka.createTopic(TOPIC, PARTITIONS);
            SETUP.produce(bootstrap);
            SETUP.commitOffsets(bootstrap, 0, groups);
            setupSeconds = (System.nanoTime() - setup) / 1e9;
            progress(PARTITIONS + " partitions x " + RECORDS_PER_PARTITION + " records, offsets of " + groups
                    + " groups committed in " + Report.number(setupSeconds) + " s");

            // The broker (with its groups and offsets) is in this heap: its share is measured
            // before the monitor exists, and again after the monitor is closed and unreachable.
            baselineBytes = heapUsedAfterGc(memory, "baseline");
            // In a method of its own: once it returns, nothing of the monitor is left in a frame.
            m = measure(bootstrap, groups, timedCycles, memory);
            afterCloseBytes = heapUsedAfterGc(memory, "monitor closed");
            Reference.reachabilityFence(kafka);
        }
        double wholeSeconds = (System.nanoTime() - started) / 1e9;

        double cycle = Report.median(m.totalSeconds());
        double heapMb = (m.withMonitorBytes() - baselineBytes) / 1048576.0;
        double residualMb = (afterCloseBytes - baselineBytes) / 1048576.0;
        long maxHeap = memory.getHeapMemoryUsage().getMax();
        return Report.table("monitor: LagMonitor cycle + PrometheusText.render, " + groups + " groups x " + PARTITIONS
                                + " partitions (one topic), embedded 1-broker Kafka, same JVM",
                        "figure", "value", "runs")
                .row("cycle + render, seconds (median of " + timedCycles + ")", cycle, Report.runs(m.totalSeconds()))
                .row("  of which cycle(), seconds (median)", Report.median(m.cycleSeconds()), Report.runs(m.cycleSeconds()))
                .row("  of which render, seconds (median)", Report.median(m.renderSeconds()), Report.runs(m.renderSeconds()))
                .row("first (cold) cycle + render, seconds", m.firstCycle() + m.firstRender(),
                        Report.number(m.firstCycle()) + " + " + Report.number(m.firstRender()))
                .row("heap held by the monitor after a cycle, MB", heapMb,
                        "1 (" + mb(m.withMonitorBytes()) + " - baseline " + mb(baselineBytes) + ")")
                .row("heap left after close, MB (broker drift, noise)", residualMb,
                        "1 (" + mb(afterCloseBytes) + " - baseline " + mb(baselineBytes) + ")")
                .row("/metrics text, bytes", m.metricsBytes(), "last cycle")
                .row("/metrics samples (lines)", m.metricsLines(), "last cycle")
                .row("groups / partitions in snapshot", m.groupsSeen() + " / " + m.partitionsSeen(), "last cycle")
                .row("lagging partitions / with a time lag", m.lagging() + " / " + m.withTimeLag(), "last cycle")
                .note("Method: one topic of " + PARTITIONS + " partitions with " + RECORDS_PER_PARTITION + " records of "
                        + RECORD_BYTES + " B each (timestamps spread over the last hour); " + groups + " groups (classic,"
                        + " no members) with an offset committed on every partition by Admin alterConsumerGroupOffsets,"
                        + " varied from 0 to " + RECORDS_PER_PARTITION + " so that most partitions have lag (set-up "
                        + Report.number(setupSeconds) + " s, not timed).")
                .note("Timing: `LagMonitor.builder(GroupAdmin.create(...)).interval(" + INTERVAL.toSeconds()
                        + " s).window(" + WINDOW + ").build()`, then `cycle()` called synchronously back to back, each"
                        + " followed by `PrometheusText.render(monitor.snapshot())`; wall time of both (System.nanoTime)."
                        + " The first cycle is cold (JIT, admin connection, retention read, empty history), reported"
                        + " alone; the figure is the median of the next " + timedCycles + ". Every cycle is checked: all "
                        + groups + " groups with " + PARTITIONS + " partitions each in the snapshot.")
                .note("Heap: MemoryMXBean heap used after repeated System.gc() (200 ms apart, at least " + GC_ROUNDS
                        + " and until two readings agree within 0.25 MB, at most " + GC_MAX_ROUNDS + "). The embedded"
                        + " broker shares this JVM, so a baseline is taken after the set-up (broker, topic, groups and"
                        + " offsets in place, set-up clients closed) and before the GroupAdmin and monitor are created;"
                        + " the figure is heap used after the last cycle, with the monitor, its GroupAdmin (Kafka Admin"
                        + " client) and its last snapshot still reachable, minus that baseline. The second heap row is"
                        + " heap used after closing them, once the method that held them has returned, minus the baseline: how far the broker's own"
                        + " heap drifted meanwhile (the error bar of the first). Max heap "
                        + mb(maxHeap) + " MB (JVM default, no -Xmx), GC: " + gcNames() + ".")
                .note("Broker in this JVM, on the same " + Runtime.getRuntime().availableProcessors() + " cores; Java "
                        + System.getProperty("java.version") + "; whole benchmark " + Report.number(wholeSeconds) + " s.")
                .note("Goal (from the issue): cycle under 1 s and heap under 256 MB, at 1,000 groups x 50 partitions.")
                .result("cycle_seconds", cycle)
                .result("heap_mb", heapMb)
                .result("first_cycle_seconds", m.firstCycle() + m.firstRender())
                .result("render_seconds", Report.median(m.renderSeconds()))
                .result("metrics_bytes", m.metricsBytes())
                .result("groups", groups)
                .result("partitions", PARTITIONS);
    }

    /** What {@link #measure} found; the monitor itself is closed and unreachable when it returns. */
    private record Measured(double firstCycle, double firstRender, List<Double> cycleSeconds,
            List<Double> renderSeconds, List<Double> totalSeconds, long withMonitorBytes, long metricsBytes,
            long metricsLines, int groupsSeen, long partitionsSeen, long lagging, long withTimeLag) {
    }

    /** Creates the monitor, runs the cold cycle and the timed ones, reads the heap with the monitor live. */
    private static Measured measure(String bootstrap, int groups, int timedCycles, MemoryMXBean memory)
            throws InterruptedException {
        List<Double> cycleSeconds = new ArrayList<>();
        List<Double> renderSeconds = new ArrayList<>();
        List<Double> totalSeconds = new ArrayList<>();
        Properties client = new Properties();
        client.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (GroupAdmin admin = GroupAdmin.create(client, ADMIN_TIMEOUT);
                LagMonitor monitor = LagMonitor.builder(admin).interval(INTERVAL).window(WINDOW).build()) {
            double[] first = timedCycle(monitor);
            long metricsBytes = (long) first[2];
            check(monitor, groups);
            progress("first cycle " + Report.number(first[0]) + " s + render " + Report.number(first[1]) + " s");
            for (int i = 1; i <= timedCycles; i++) {
                double[] run = timedCycle(monitor);
                check(monitor, groups);
                cycleSeconds.add(run[0]);
                renderSeconds.add(run[1]);
                totalSeconds.add(run[0] + run[1]);
                metricsBytes = (long) run[2];
                progress("cycle " + i + "/" + timedCycles + ": " + Report.number(run[0]) + " s + render "
                        + Report.number(run[1]) + " s");
            }
            MonitorSnapshot snapshot = monitor.snapshot();
            long metricsLines = PrometheusText.render(snapshot).lines().filter(l -> !l.startsWith("#")).count();
            long partitionsSeen = snapshot.groups().stream().mapToLong(g -> g.partitions().size()).sum();
            long lagging = snapshot.groups().stream().flatMap(g -> g.partitions().stream())
                    .filter(p -> p.lagOrZero() > 0).count();
            long withTimeLag = snapshot.groups().stream().flatMap(g -> g.partitions().stream())
                    .filter(p -> p.lagOrZero() > 0 && p.lagSeconds() != null).count();
            // Monitor (history, last snapshot) and its GroupAdmin live: what a running monitor holds.
            long withMonitorBytes = heapUsedAfterGc(memory, "monitor live");
            Reference.reachabilityFence(monitor);
            Reference.reachabilityFence(admin);
            return new Measured(first[0], first[1], cycleSeconds, renderSeconds, totalSeconds, withMonitorBytes,
                    metricsBytes, metricsLines, snapshot.groups().size(), partitionsSeen, lagging, withTimeLag);
        }
    }

    /** One cycle then one render: {seconds of the cycle, seconds of the render, bytes of the text}. */
    private static double[] timedCycle(LagMonitor monitor) {
        long start = System.nanoTime();
        monitor.cycle();
        long cycled = System.nanoTime();
        String text = PrometheusText.render(monitor.snapshot());
        long rendered = System.nanoTime();
        return new double[] {(cycled - start) / 1e9, (rendered - cycled) / 1e9,
                text.getBytes(StandardCharsets.UTF_8).length};
    }

    /** Fails the benchmark unless the cycle succeeded and saw every group with every partition. */
    private static void check(LagMonitor monitor, int groups) {
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
        if (seen != groups || partitions != (long) groups * PARTITIONS) {
            throw new IllegalStateException("the snapshot holds " + seen + " of " + groups + " groups (" + partitions
                    + " partitions, expected " + (long) groups * PARTITIONS + ")");
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
