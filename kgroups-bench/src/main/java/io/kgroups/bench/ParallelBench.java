package io.kgroups.bench;

import io.kgroups.bench.child.ResultLine;
import io.kgroups.embedded.EmbeddedKafka;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Parallel processing of slow records: kgroups' {@link io.kgroups.consumer.GroupConsumer} with
 * {@code Ordering.KEY}, {@code UNORDERED} and {@code PARTITION} at concurrency 100, against
 * Confluent Parallel Consumer in KEY order at the same concurrency, with a handler that sleeps
 * 5 ms (so the ideal is 100 / 5 ms = 20,000 records/s). Then, for kgroups KEY and Parallel
 * Consumer, a kill -9 at half way and a restart in the same group: how many records are handled
 * twice.
 *
 * <p>Every consumer runs in a child JVM of its own (the broker stays in this one): Parallel
 * Consumer needs kafka-clients 3.9 and comes as the runnable jar of kgroups-bench-peer-pc; kgroups
 * runs {@link ParallelChild} on this JVM's class path. Both children take the same arguments and
 * print the same result line, so that both are measured alike.
 */
final class ParallelBench implements Benchmark {
    private static final String TOPIC = "bench-parallel";
    private static final int PARTITIONS = 3;
    private static final int KEYS = 10_000;
    private static final int VALUE_BYTES = 100;
    private static final int CONCURRENCY = 100;
    private static final int SLEEP_MS = 5;
    private static final double IDEAL = CONCURRENCY * 1000.0 / SLEEP_MS;
    /** Both peers, every run: the classic minimum, so that a killed member leaves the group in 6 s, not 45. */
    private static final Map<String, String> KAFKA = Map.of(
            ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000",
            ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "2000");
    private static final Duration CHILD_LIMIT = Duration.ofMinutes(3);
    /** A log-mode child that adds no line for this long is stuck, not slow. */
    private static final Duration STALL_LIMIT = Duration.ofSeconds(60);
    /** After the last new record: how long the file must stay unchanged before the child is stopped. */
    private static final Duration QUIET = Duration.ofSeconds(2);
    private static final Duration CEILING_RUN = Duration.ofSeconds(2);
    private static final String PC_VERSION = "0.5.3.2";
    private static final String PC_JAR = "kgroups-bench-peer-pc/target/kgroups-bench-peer-pc.jar";

    /** What is compared; a round runs them in this order. */
    enum Variant {
        KEY("kgroups Ordering.KEY"),
        UNORDERED("kgroups Ordering.UNORDERED"),
        PARTITION("kgroups Ordering.PARTITION (bounded run)"),
        PARALLEL_CONSUMER("Parallel Consumer " + PC_VERSION + " ProcessingOrder.KEY");

        final String label;

        Variant(String label) {
            this.label = label;
        }
    }

    @Override
    public String name() {
        return "parallel";
    }

    @Override
    public String description() {
        return "slow handler (5 ms) at concurrency 100: kgroups KEY/UNORDERED/PARTITION vs Parallel Consumer,"
                + " replays after kill -9";
    }

    @Override
    public Report run(boolean quick) throws Exception {
        int records = quick ? 20_000 : 100_000;
        int rounds = quick ? 1 : 3;
        int killRounds = quick ? 1 : 3;
        int partitionSeconds = quick ? 5 : 10;
        int ceilingRuns = quick ? 1 : 3;
        Path pcJar = RepositoryFile.find(PC_JAR, "build it with ./bench (or mvn -pl kgroups-bench-peer-pc package)");
        double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        long started = System.nanoTime();

        Map<Variant, List<Result>> results = new LinkedHashMap<>();
        List<Kill> kgroupsKills = new ArrayList<>();
        List<Kill> pcKills = new ArrayList<>();
        List<Double> ceiling = new ArrayList<>();
        double fillSeconds;
        Path work = Files.createTempDirectory("kgroups-bench-parallel");
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().brokers(1).partitions(PARTITIONS).port(0).build().start()) {
            String bootstrap = kafka.bootstrapServers();
            kafka.createTopic(TOPIC, PARTITIONS);
            fillSeconds = fill(bootstrap, records);
            progress("filled " + TOPIC + " with " + records + " records (" + KEYS + " keys) in "
                    + Report.number(fillSeconds) + " s");
            for (int run = 1; run <= ceilingRuns; run++) {
                ceiling.add(sleepCeiling(CEILING_RUN));
            }
            progress("sleep ceiling (" + CONCURRENCY + " threads looping Thread.sleep(" + SLEEP_MS + "), no Kafka): "
                    + Report.runs(ceiling) + " per s");

            // The variants alternate, so that drift (other load, a warmer broker) hits them all alike.
            for (int round = 1; round <= rounds; round++) {
                for (Variant variant : Variant.values()) {
                    String group = "bench-parallel-" + variant.name().toLowerCase(Locale.ROOT) + "-" + round;
                    List<String> mode = variant == Variant.PARTITION
                            ? List.of("mode=bounded", "seconds=" + partitionSeconds)
                            : List.of("mode=throughput");
                    Result result = runToEnd(command(variant, pcJar, bootstrap, group, records, mode), variant.label);
                    results.computeIfAbsent(variant, v -> new ArrayList<>()).add(result);
                    progress("round " + round + "/" + rounds + " " + variant.label + ": "
                            + Report.number(result.recordsPerSecond()) + " records/s" + (variant == Variant.PARTITION
                            ? " over " + Report.number(result.seconds()) + " s"
                            : " (10%-90%), " + Report.number(result.endToEnd()) + " end to end, first record after "
                            + Report.number(result.firstRecord()) + " s"));
                }
            }

            for (int round = 1; round <= killRounds; round++) {
                for (Variant variant : List.of(Variant.KEY, Variant.PARALLEL_CONSUMER)) {
                    String group = "bench-parallel-kill-" + variant.name().toLowerCase(Locale.ROOT) + "-" + round;
                    Path file = work.resolve(group + ".log");
                    Kill kill = killAndRestart(
                            command(variant, pcJar, bootstrap, group, records, List.of("mode=log", "out=" + file)),
                            file, records, variant.label);
                    (variant == Variant.KEY ? kgroupsKills : pcKills).add(kill);
                    progress("kill " + round + "/" + killRounds + " " + variant.label + ": killed at "
                            + kill.linesAtKill() + " lines, " + kill.replayed() + " records handled twice;"
                            + " restart to all " + records + " records: " + Report.number(kill.restartSeconds()) + " s");
                }
            }
        } finally {
            deleteQuietly(work);
        }

        Map<Variant, Double> median = new LinkedHashMap<>();
        results.forEach((variant, runs) -> median.put(variant, Report.median(rates(runs))));
        double pc = median.get(Variant.PARALLEL_CONSUMER);
        double sleepCeiling = Report.median(ceiling);
        double kgroupsReplayed = Report.median(replays(kgroupsKills));
        double pcReplayed = Report.median(replays(pcKills));

        Report report = Report.table("parallel: " + records + " records, " + PARTITIONS + " partitions, " + KEYS
                        + " keys, handler sleeps " + SLEEP_MS + " ms, concurrency " + CONCURRENCY
                        + ", embedded 1-broker Kafka; peer: Confluent Parallel Consumer " + PC_VERSION,
                "variant", "records/s", "vs ideal", "vs Parallel Consumer", "replayed after kill", "runs (records/s)");
        report.row("ideal (" + CONCURRENCY + " / " + SLEEP_MS + " ms)", IDEAL, "1.00", Report.ratio(IDEAL / pc), "",
                "");
        report.row("sleep ceiling (" + CONCURRENCY + " threads looping Thread.sleep(" + SLEEP_MS + "), no Kafka)",
                sleepCeiling, Report.ratio(sleepCeiling / IDEAL), Report.ratio(sleepCeiling / pc), "",
                Report.runs(ceiling));
        for (Variant variant : Variant.values()) {
            String replayed = switch (variant) {
                case KEY -> Report.number(kgroupsReplayed) + " (runs: " + Report.runs(replays(kgroupsKills)) + ")";
                case PARALLEL_CONSUMER -> Report.number(pcReplayed) + " (runs: " + Report.runs(replays(pcKills)) + ")";
                default -> "";
            };
            report.row(variant.label, median.get(variant), Report.ratio(median.get(variant) / IDEAL),
                    Report.ratio(median.get(variant) / pc), replayed, Report.runs(rates(results.get(variant))));
        }
        double totalSeconds = (System.nanoTime() - started) / 1e9;
        return report
                .note("Method: the topic is filled once (" + records + " records, keys k0..k" + (KEYS - 1)
                        + " in turn, " + VALUE_BYTES + " B values, acks=all, " + Report.number(fillSeconds) + " s);"
                        + " every pass reads it from the beginning in a fresh group (auto.offset.reset=earliest),"
                        + " one consumer in a fresh child JVM (the broker stays in the benchmark's JVM). The handler"
                        + " sleeps " + SLEEP_MS + " ms and counts. records/s is the median of " + rounds + " round(s),"
                        + " variants in turn.")
                .note("Warm-up excluded: records/s is taken between the 10% and the 90% record handled (JVM start,"
                        + " group join, JIT warm-up and the tail are outside the window); end-to-end figures (from"
                        + " building the consumer to the last record) per run, KEY: "
                        + Report.runs(endToEnd(results.get(Variant.KEY))) + "; UNORDERED: "
                        + Report.runs(endToEnd(results.get(Variant.UNORDERED))) + "; Parallel Consumer: "
                        + Report.runs(endToEnd(results.get(Variant.PARALLEL_CONSUMER))) + ".")
                .note("Sleep ceiling: " + CONCURRENCY + " plain threads, each looping Thread.sleep(" + SLEEP_MS
                        + ") for " + CEILING_RUN.toSeconds() + " s in the benchmark's JVM (broker idle): what this"
                        + " machine's timer and scheduler allow, since a " + SLEEP_MS + " ms sleep overshoots a little;"
                        + " no runtime can beat it. kgroups KEY / ceiling = " + Report.ratio(median.get(Variant.KEY)
                        / sleepCeiling) + ".")
                .note("PARTITION: one record per partition at a time, so at most " + PARTITIONS + " x 1000 / "
                        + SLEEP_MS + " ms = " + (PARTITIONS * 1000 / SLEEP_MS) + " records/s: measured over "
                        + partitionSeconds + " s, starting 2 s after the first record was handled.")
                .note("Settings: kgroups at its defaults but ordering and concurrency(" + CONCURRENCY + ")"
                        + " (commitPolicy periodic(1s, 10000), CooperativeStickyAssignor), kafka-clients "
                        + kafkaClientsVersion() + "; Parallel Consumer maxConcurrency(" + CONCURRENCY + "),"
                        + " ProcessingOrder.KEY, CommitMode.PERIODIC_CONSUMER_ASYNCHRONOUS (its default; commit"
                        + " interval 5 s by default), ignoreReflectiveAccessExceptionsForAutoCommitDisabledCheck(true),"
                        + " batchSize 1, on kafka-clients 3.9.1 (it needs 3.x). Both: session.timeout.ms=6000,"
                        + " heartbeat.interval.ms=2000 (so that a killed member leaves the group in 6 s),"
                        + " max.poll.records 500 and every other client setting at its default.")
                .note("Replayed after kill: the child appends \"partition:offset\" per handled record to a file"
                        + " (one unbuffered write each); when it holds " + records / 2 + " lines the child gets"
                        + " SIGKILL (Process.destroyForcibly), then a new child starts in the same group and runs until"
                        + " all " + records + " records are in the file and it is quiet for " + QUIET.toSeconds()
                        + " s. replayed = lines - distinct records; median of " + killRounds + " kill run(s)."
                        + " Lines at kill, kgroups: " + killLines(kgroupsKills) + "; Parallel Consumer: "
                        + killLines(pcKills) + ". Restart to all records (includes the 6 s until the dead member"
                        + " leaves), kgroups: " + Report.runs(restarts(kgroupsKills)) + " s; Parallel Consumer: "
                        + Report.runs(restarts(pcKills)) + " s. Why the replays differ: kgroups commits every 1 s"
                        + " or 10,000 done records, and puts the offsets done above the committed one (out of order,"
                        + " KEY) in the commit metadata, which the restarted consumer skips; Parallel Consumer commits"
                        + " every 5 s (its default commitInterval), so a kill about 2.5 s after its first record"
                        + " mostly comes before its first commit. A run whose kill comes before the first commit"
                        + " replays every line (possible in --quick, where the kill comes about 0.5 s in).")
                .note("Machine: " + Runtime.getRuntime().availableProcessors() + " cores shared by the broker and the"
                        + " child JVM; load average before the run: " + Report.number(loadBefore) + "; whole run "
                        + Report.number(totalSeconds) + " s.")
                .ratio("key_vs_ideal", median.get(Variant.KEY) / IDEAL)
                .ratio("key_vs_parallel_consumer", median.get(Variant.KEY) / pc)
                .result("replayed_kgroups", kgroupsReplayed)
                .result("replayed_parallel_consumer", pcReplayed)
                .ratio("key_vs_sleep_ceiling", median.get(Variant.KEY) / sleepCeiling)
                .ratio("unordered_vs_ideal", median.get(Variant.UNORDERED) / IDEAL)
                .ratio("partition_vs_ideal", median.get(Variant.PARTITION) / IDEAL)
                .ratio("parallel_consumer_vs_ideal", pc / IDEAL)
                .result("key_records_per_s", median.get(Variant.KEY))
                .result("unordered_records_per_s", median.get(Variant.UNORDERED))
                .result("partition_records_per_s", median.get(Variant.PARTITION))
                .result("parallel_consumer_records_per_s", pc)
                .result("sleep_ceiling_records_per_s", sleepCeiling);
    }

    /**
     * Sleeps per second of {@link #CONCURRENCY} threads each looping {@code Thread.sleep(SLEEP_MS)}
     * for {@code duration}: the ceiling of any runtime on this machine, with no Kafka at all.
     */
    private static double sleepCeiling(Duration duration) throws InterruptedException {
        LongAdder sleeps = new LongAdder();
        CountDownLatch ready = new CountDownLatch(CONCURRENCY);
        CountDownLatch go = new CountDownLatch(1);
        long[] window = new long[2];
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < CONCURRENCY; i++) {
            Thread thread = new Thread(() -> {
                ready.countDown();
                try {
                    go.await();
                    while (System.nanoTime() < window[1]) {
                        Thread.sleep(SLEEP_MS);
                        sleeps.increment();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "bench-parallel-sleep-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        ready.await();
        window[0] = System.nanoTime();
        window[1] = window[0] + duration.toNanos();
        go.countDown(); // publishes window[] to the threads
        for (Thread thread : threads) {
            thread.join();
        }
        return sleeps.sum() / ((System.nanoTime() - window[0]) / 1e9);
    }

    /** What a child printed: its records/s over the measured window, and how it got there. */
    record Result(long processed, double seconds, double recordsPerSecond, double endToEnd, double firstRecord) {
    }

    /** One kill-and-restart: lines in the file when the first child was killed, and at the end. */
    record Kill(long linesAtKill, long lines, long distinct, double restartSeconds) {
        long replayed() {
            return lines - distinct;
        }
    }

    /** The command line of a child running {@code variant}. */
    private static List<String> command(Variant variant, Path pcJar, String bootstrap, String group, int records,
            List<String> mode) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (variant == Variant.PARALLEL_CONSUMER) {
            command.add("-jar");
            command.add(pcJar.toString());
        } else {
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(ParallelChild.class.getName());
            command.add("ordering=" + variant.name());
        }
        command.add("bootstrap=" + bootstrap);
        command.add("topic=" + TOPIC);
        command.add("group=" + group);
        command.add("records=" + records);
        command.add("concurrency=" + CONCURRENCY);
        command.add("sleepMs=" + SLEEP_MS);
        KAFKA.forEach((key, value) -> command.add("kafka." + key + "=" + value));
        command.addAll(mode);
        return command;
    }

    /** Runs a child that ends by itself and returns its result line. */
    private static Result runToEnd(List<String> command, String label) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            // The result is one short line: the pipe never fills, so reading after the exit is safe.
            if (!process.waitFor(CHILD_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException(label + ": the child ran over " + CHILD_LIMIT.toSeconds() + " s");
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(label + ": the child failed (exit " + process.exitValue() + ")");
            }
            return parse(output, label);
        } finally {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    private static Result parse(String output, String label) {
        for (String line : output.split("\n")) {
            if (line.startsWith(ResultLine.PREFIX)) {
                Map<String, String> values = new HashMap<>();
                for (String pair : line.substring(ResultLine.PREFIX.length()).trim().split(" ")) {
                    int eq = pair.indexOf('=');
                    values.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
                return new Result(Long.parseLong(values.get("processed")), Double.parseDouble(values.get("seconds")),
                        Double.parseDouble(values.get("records_per_s")),
                        Double.parseDouble(values.get("end_to_end_records_per_s")),
                        Double.parseDouble(values.get("first_record_s")));
            }
        }
        throw new IllegalStateException(label + ": no result line from the child; it printed: " + output.strip());
    }

    /**
     * Starts a log-mode child, SIGKILLs it when the file holds half the records, starts it again
     * in the same group, and stops it once every record is in the file and the file is quiet.
     */
    static Kill killAndRestart(List<String> command, Path file, int records, String label)
            throws IOException, InterruptedException {
        Files.deleteIfExists(file);
        Files.createFile(file);
        try (LineTally tally = new LineTally(file, records)) {
            Process first = start(command);
            try {
                awaitLines(tally, first, () -> tally.lines() >= records / 2, label + " (before the kill)");
            } finally {
                first.destroyForcibly(); // SIGKILL
                first.waitFor();
            }
            tally.update();
            long linesAtKill = tally.lines();

            long restart = System.nanoTime();
            Process second = start(command);
            try {
                awaitLines(tally, second, () -> tally.distinct() >= records, label + " (after the restart)");
                double restartSeconds = (System.nanoTime() - restart) / 1e9;
                long quietSince = System.nanoTime();
                long lines = tally.lines();
                while (System.nanoTime() - quietSince < QUIET.toNanos()) {
                    Thread.sleep(50);
                    tally.update();
                    if (tally.lines() != lines) {
                        lines = tally.lines();
                        quietSince = System.nanoTime();
                    }
                }
                return new Kill(linesAtKill, tally.lines(), tally.distinct(), restartSeconds);
            } finally {
                second.destroyForcibly();
                second.waitFor();
            }
        }
    }

    private static Process start(List<String> command) throws IOException {
        // stdout is unused in log mode; stdin stays open: the child exits when it closes.
        return new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    private interface Condition {
        boolean met() throws IOException;
    }

    private static void awaitLines(LineTally tally, Process child, Condition done, String what)
            throws IOException, InterruptedException {
        long lastLines = -1;
        long lastChange = System.nanoTime();
        while (true) {
            tally.update();
            if (done.met()) {
                return;
            }
            if (!child.isAlive()) {
                throw new IllegalStateException(what + ": the child exited (" + child.exitValue() + ") after "
                        + tally.lines() + " lines");
            }
            long now = System.nanoTime();
            if (tally.lines() != lastLines) {
                lastLines = tally.lines();
                lastChange = now;
            } else if (now - lastChange > STALL_LIMIT.toNanos()) {
                throw new IllegalStateException(what + ": no new line for " + STALL_LIMIT.toSeconds() + " s, at "
                        + tally.lines() + " lines, " + tally.distinct() + " distinct");
            }
            Thread.sleep(2);
        }
    }

    /** Reads the lines a child appends, as they come: counts them and the distinct records. */
    private static final class LineTally implements AutoCloseable {
        private final InputStream in;
        private final Set<Long> seen;
        private final byte[] buffer = new byte[64 * 1024];
        private final StringBuilder partial = new StringBuilder();
        private long lines;

        LineTally(Path file, int records) throws IOException {
            this.in = Files.newInputStream(file);
            this.seen = new HashSet<>(records * 2);
        }

        void update() throws IOException {
            int n;
            while ((n = in.read(buffer)) > 0) {
                for (int i = 0; i < n; i++) {
                    char c = (char) buffer[i];
                    if (c == '\n') {
                        String line = partial.toString();
                        partial.setLength(0);
                        int colon = line.indexOf(':');
                        long partition = Long.parseLong(line.substring(0, colon));
                        long offset = Long.parseLong(line.substring(colon + 1));
                        seen.add(partition << 48 | offset);
                        lines++;
                    } else {
                        partial.append(c);
                    }
                }
            }
        }

        long lines() {
            return lines;
        }

        long distinct() {
            return seen.size();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** Fills the topic: key {@code k<i mod KEYS>}, so that every key has records / KEYS records, spread out. */
    private static double fill(String bootstrap, int records) {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5);
        byte[] value = new byte[VALUE_BYTES];
        byte[][] keys = new byte[KEYS][];
        for (int k = 0; k < KEYS; k++) {
            keys[k] = ("k" + k).getBytes(StandardCharsets.US_ASCII);
        }
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.partitionsFor(TOPIC);
            long start = System.nanoTime();
            for (int i = 0; i < records && failure.get() == null; i++) {
                producer.send(new ProducerRecord<>(TOPIC, keys[i % KEYS], value), (metadata, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            producer.flush();
            if (failure.get() != null) {
                throw new IllegalStateException("produce to " + TOPIC + " failed: " + failure.get(), failure.get());
            }
            return (System.nanoTime() - start) / 1e9;
        }
    }

    /** From kafka-clients' own resource (its AppInfoParser is internal API). */
    private static String kafkaClientsVersion() {
        Properties properties = new Properties();
        try (InputStream in = KafkaProducer.class.getResourceAsStream("/kafka/kafka-version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            // unknown, then
        }
        return properties.getProperty("version", "?");
    }

    private static List<Double> rates(List<Result> runs) {
        return runs.stream().map(Result::recordsPerSecond).toList();
    }

    private static List<Double> endToEnd(List<Result> runs) {
        return runs.stream().map(Result::endToEnd).toList();
    }

    private static List<Double> replays(List<Kill> kills) {
        return kills.stream().map(k -> (double) k.replayed()).toList();
    }

    private static List<Double> restarts(List<Kill> kills) {
        return kills.stream().map(Kill::restartSeconds).toList();
    }

    private static String killLines(List<Kill> kills) {
        return String.join(", ", kills.stream().map(k -> String.valueOf(k.linesAtKill())).toList());
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind is harmless
        }
    }

    /** On stderr, so that stdout stays the report; a full run takes minutes. */
    private static void progress(String done) {
        System.err.println("parallel: " + done);
    }
}
