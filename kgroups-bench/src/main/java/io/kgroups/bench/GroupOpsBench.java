package io.kgroups.bench;

import io.kgroups.embedded.EmbeddedKafka;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Group operations at scale: {@code kgroups describe --all-groups --output json} against Apache
 * Kafka's own {@code kafka-consumer-groups --describe --all-groups}, each run as a whole process
 * (JVM start included, as an operator runs it), on 1,000 groups (or {@code --groups N}) with
 * committed offsets on one 24-partition topic of an embedded broker; {@code --scaling} grows one
 * broker through 100, 1,000 and 10,000 groups and reports how both tools grow, the ratio per size.
 *
 * <p>kgroups runs from its runnable jar ({@value #KGROUPS_JAR}); Kafka's tool is
 * {@code ConsumerGroupCommand} of {@code org.apache.kafka:kafka-tools} (the release named in the
 * report), which is inside this module's jar: the child runs on this JVM's class path. The broker
 * stays in this JVM.
 */
final class GroupOpsBench implements Benchmark {
    private static final String TOPIC = "bench-group-ops";
    private static final int PARTITIONS = 24;
    private static final int RECORDS_PER_PARTITION = 100;
    private static final int RECORD_BYTES = 100;
    /** The records' timestamps are spread over the last hour, so that time lag differs by offset. */
    private static final long RECORD_SPACING_MS = 36_000;
    private static final String GROUP_PREFIX = "bench-group-ops-";
    private static final ManyGroups SETUP = new ManyGroups(TOPIC, PARTITIONS, RECORDS_PER_PARTITION, RECORD_BYTES,
            RECORD_SPACING_MS, GROUP_PREFIX);
    /** A guard against a hung child, not a figure: Kafka's tool takes about half a minute at 10,000 groups. */
    private static final Duration CHILD_LIMIT = Duration.ofMinutes(15);
    static final String KGROUPS_JAR = "kgroups-cli/target/kgroups.jar";
    static final String KGROUPS_JAR_MISSING =
            "build it with `mvn -B -q -DskipTests -pl kgroups-cli -am package`, or run ./bench";
    private static final String KAFKA_TOOL_MAIN = "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand";
    /** A group's name in the kgroups JSON ({@code "group": "..."}, in the envelope's data: the list of groups). */
    private static final Pattern JSON_GROUP = Pattern.compile("\"group\"\\s*:\\s*\"([^\"]*)\"");
    private static final Pattern JSON_PARTITION = Pattern.compile("\"partition\"\\s*:\\s*\\d+");
    /** A partition's lag and time lag, next to each other in kgroups' JSON. */
    private static final Pattern JSON_LAG = Pattern.compile(
            "\"lag\"\\s*:\\s*(\\d+)\\s*,\\s*\"offsetLag\"\\s*:\\s*(?:null|\\d+)\\s*,\\s*\"lagSeconds\"\\s*:\\s*(null|[-0-9.eE]+)");

    /** What is compared; a round runs them in this order. */
    enum Tool {
        KGROUPS("kgroups describe --all-groups --output json"),
        KAFKA_TOOL("kafka-consumer-groups --describe --all-groups (Apache Kafka " + kafkaToolVersion() + ")");

        final String label;

        Tool(String label) {
            this.label = label;
        }
    }

    /** The sizes of {@code --scaling}: one broker grows through them. */
    private static final List<Integer> SCALING = List.of(100, 1_000, 10_000);
    private static final List<Integer> SCALING_QUICK = List.of(20, 200);

    @Override
    public String name() {
        return "group-ops";
    }

    @Override
    public String description() {
        return "describe --all-groups on 1,000 groups x 24 partitions, whole process:"
                + " kgroups vs Kafka's kafka-consumer-groups";
    }

    @Override
    public List<String> options() {
        return List.of("--groups N", "--scaling");
    }

    /** What one size measured: each tool's runs, its last run (checked), the floors (JVM start) and the set-up time. */
    private record Measured(int groups, Map<Tool, List<Double>> seconds, Map<Tool, Run> last, List<Double> kgroupsFloor,
            List<Double> kafkaToolFloor, double setupSeconds) {
        double median(Tool tool) {
            return Report.median(seconds.get(tool));
        }

        double ratio() {
            return median(Tool.KAFKA_TOOL) / median(Tool.KGROUPS);
        }
    }

    @Override
    public Report run(boolean quick) throws Exception {
        return run(quick, Map.of());
    }

    /** {@code --groups N} (default 1,000; 200 with --quick), or {@code --scaling}: 100, 1,000 and 10,000 on one broker. */
    @Override
    public Report run(boolean quick, Map<String, String> options) throws Exception {
        boolean scaling = options.containsKey("scaling");
        if (scaling && options.containsKey("groups")) {
            throw new IllegalArgumentException("--scaling runs " + SCALING + " groups: drop --groups, or --scaling");
        }
        List<Integer> sizes = scaling ? (quick ? SCALING_QUICK : SCALING)
                : List.of(Benchmark.positive(options, "groups", quick ? 200 : 1_000));
        int rounds = quick ? 1 : 3;
        double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        long started = System.nanoTime();
        List<Measured> measured = new ArrayList<>();
        Path work = Files.createTempDirectory("kgroups-bench-group-ops");
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().port(0).build().start()) {
            String bootstrap = kafka.bootstrapServers();
            kafka.createTopic(TOPIC, PARTITIONS);
            SETUP.produce(bootstrap);
            int have = 0;
            // One broker grows through the sizes: each adds groups to those of the size before.
            for (int groups : sizes) {
                long setup = System.nanoTime();
                SETUP.commitOffsets(bootstrap, have, groups);
                have = groups;
                double setupSeconds = (System.nanoTime() - setup) / 1e9;
                progress(PARTITIONS + " partitions x " + RECORDS_PER_PARTITION + " records, offsets of " + groups
                        + " groups committed (" + Report.number(setupSeconds) + " s)");
                measured.add(measure(bootstrap, groups, rounds, work, setupSeconds));
            }
        } finally {
            deleteQuietly(work);
        }
        double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        String machine = "Broker in this JVM; the children on the same " + Runtime.getRuntime().availableProcessors()
                + " cores. Load average before: " + Report.number(loadBefore) + ", after: " + Report.number(loadAfter)
                + " (other work on the machine shows up as spread in the runs); whole benchmark "
                + Report.number((System.nanoTime() - started) / 1e9) + " s.";
        return scaling ? scalingReport(measured, rounds, machine) : report(measured.get(0), rounds, machine);
    }

    /**
     * One size: an uncounted warm-up of each tool (page cache, the broker's JIT and group
     * coordinator), then {@code rounds} rounds in which the tools alternate, so that drift hits
     * both alike; after each round, the JVM start and argument parsing alone (the floor).
     */
    private Measured measure(String bootstrap, int groups, int rounds, Path work, double setupSeconds)
            throws Exception {
        Path launcher = RepositoryFile.find(KGROUPS_JAR, KGROUPS_JAR_MISSING).getParent().getParent().getParent().resolve("kgroups");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Kafka's tool runs on this JVM's class path (kgroups-bench.jar under ./bench), in the same directory.
        String ownClassPath = System.getProperty("java.class.path");
        Map<Tool, List<String>> commands = new EnumMap<>(Tool.class);
        // Each as its users run it: kgroups through its launcher, Kafka's tool with the JVM
        // options its kafka-run-class.sh gives every tool.
        commands.put(Tool.KGROUPS, List.of(launcher.toString(), "describe", "--all-groups",
                "--output", "json", "--bootstrap-server", bootstrap));
        commands.put(Tool.KAFKA_TOOL, kafkaTool(java, ownClassPath, "--bootstrap-server", bootstrap, "--describe",
                "--all-groups"));
        Map<Tool, List<Double>> seconds = new EnumMap<>(Tool.class);
        Map<Tool, Run> last = new EnumMap<>(Tool.class);
        List<Double> kgroupsFloor = new ArrayList<>();
        List<Double> kafkaToolFloor = new ArrayList<>();
        for (int round = 0; round <= rounds; round++) {
            for (Tool tool : Tool.values()) {
                Run run = check(tool, runChild(commands.get(tool), work.resolve(tool.name().toLowerCase(Locale.ROOT)),
                        tool.label), groups);
                if (round > 0) {
                    seconds.computeIfAbsent(tool, t -> new ArrayList<>()).add(run.seconds());
                }
                last.put(tool, run);
                progress(groups + " groups, " + (round == 0 ? "warm-up" : "round " + round + "/" + rounds) + " "
                        + tool.label + ": " + Report.number(run.seconds()) + " s, " + run.groups() + " groups described");
            }
            if (round > 0) {
                kgroupsFloor.add(runChild(List.of(launcher.toString(), "--version"),
                        work.resolve("kgroups-version"), "kgroups --version").seconds());
                kafkaToolFloor.add(runChild(kafkaTool(java, ownClassPath, "--version"),
                        work.resolve("kafka-tool-version"), "kafka-consumer-groups --version").seconds());
            }
        }
        return new Measured(groups, seconds, last, kgroupsFloor, kafkaToolFloor, setupSeconds);
    }

    private static String method(int rounds, String groups) {
        return "Method: one topic of " + PARTITIONS + " partitions with " + RECORDS_PER_PARTITION + " records"
                + " of " + RECORD_BYTES + " B each (timestamps spread over the last hour); " + groups
                + " groups (classic, no members) with an offset committed on every partition by Admin"
                + " alterConsumerGroupOffsets, varied from 0 to " + RECORDS_PER_PARTITION + " so that most"
                + " partitions have lag (set-up not timed). Each figure is the wall time of a whole child process,"
                + " from start to exit (JVM start included), stdout to a file, both on this JVM ("
                + System.getProperty("java.version") + "), each as its users run it: `./kgroups describe --all-groups"
                + " --output json --bootstrap-server B` (the launcher: C1 only, serial GC, a class-data-sharing archive"
                + " made once per build) and `java " + String.join(" ", KAFKA_RUN_CLASS_OPTS) + " -cp kgroups-bench.jar "
                + KAFKA_TOOL_MAIN + " --bootstrap-server B --describe --all-groups` (the options"
                + " kafka-run-class.sh gives the tool). One uncounted warm-up of each, then " + rounds + " round(s) of"
                + " kgroups, Kafka's tool in turn; median of the rounds. Every run is checked: exit code 0 and"
                + " every group with its " + PARTITIONS + " partitions in the output (kgroups: groups and partitions in"
                + " the JSON; Kafka's tool: its rows per group).";
    }

    private static Report report(Measured m, int rounds, String machine) {
        Run kgroupsRun = m.last().get(Tool.KGROUPS);
        Run kafkaRun = m.last().get(Tool.KAFKA_TOOL);
        return Report.table("group-ops: describe --all-groups, " + m.groups() + " groups x " + PARTITIONS
                                + " partitions (one topic), embedded 1-broker Kafka; whole processes;"
                                + " peer: Apache Kafka's kafka-consumer-groups " + kafkaToolVersion(),
                        "tool", "seconds (median)", "runs", "groups described")
                .row(Tool.KGROUPS.label, m.median(Tool.KGROUPS), Report.runs(m.seconds().get(Tool.KGROUPS)),
                        kgroupsRun.groups())
                .row(Tool.KAFKA_TOOL.label, m.median(Tool.KAFKA_TOOL), Report.runs(m.seconds().get(Tool.KAFKA_TOOL)),
                        kafkaRun.groups())
                .row("floor: kgroups --version (JVM start, no Kafka)", Report.median(m.kgroupsFloor()),
                        Report.runs(m.kgroupsFloor()), "-")
                .row("floor: kafka-consumer-groups --version (JVM start, no Kafka)", Report.median(m.kafkaToolFloor()),
                        Report.runs(m.kafkaToolFloor()), "-")
                .note(method(rounds, String.valueOf(m.groups())) + " Set-up " + Report.number(m.setupSeconds()) + " s.")
                .note("Not the same work: kgroups also reads log-start offsets, topic retention and, for time lag,"
                        + " the timestamp of each group's first unconsumed record (last run: " + kgroupsRun.detail()
                        + "); Kafka's tool prints committed offset, log-end and lag (last run: " + kafkaRun.detail()
                        + ").")
                .note(machine)
                .note("Goal (from the issue): kgroups >= 5 x faster than Kafka's tool.")
                .ratio("speedup_vs_kafka_tool", m.ratio())
                .result("kgroups_seconds", m.median(Tool.KGROUPS))
                .result("kafka_tool_seconds", m.median(Tool.KAFKA_TOOL))
                .result("kgroups_floor_seconds", Report.median(m.kgroupsFloor()))
                .result("kafka_tool_floor_seconds", Report.median(m.kafkaToolFloor()))
                .result("groups", m.groups());
    }

    /** How both tools grow with the number of groups: a row per size, the ratio per size. */
    private static Report scalingReport(List<Measured> sizes, int rounds, String machine) {
        Report report = Report.table("group-ops --scaling: describe --all-groups at "
                        + sizes.stream().map(m -> String.valueOf(m.groups())).toList() + " groups x " + PARTITIONS
                        + " partitions (one topic), one embedded 1-broker Kafka grown through the sizes; whole processes;"
                        + " peer: Apache Kafka's kafka-consumer-groups " + kafkaToolVersion(),
                "groups", "kgroups s (median)", "kgroups runs", "Kafka's tool s (median)", "Kafka's tool runs",
                "Kafka's tool / kgroups");
        for (Measured m : sizes) {
            report.row(m.groups(), m.median(Tool.KGROUPS), Report.runs(m.seconds().get(Tool.KGROUPS)),
                    m.median(Tool.KAFKA_TOOL), Report.runs(m.seconds().get(Tool.KAFKA_TOOL)), Report.ratio(m.ratio()));
        }
        List<Double> kgroupsFloor = new ArrayList<>();
        List<Double> kafkaToolFloor = new ArrayList<>();
        sizes.forEach(m -> {
            kgroupsFloor.addAll(m.kgroupsFloor());
            kafkaToolFloor.addAll(m.kafkaToolFloor());
        });
        report.note(method(rounds, "per size, that many") + " Set-up per size (groups added): " + sizes.stream()
                        .map(m -> m.groups() + ": " + Report.number(m.setupSeconds()) + " s").toList() + ".")
                .note("Floors (JVM start and argument parsing, no Kafka), medians of all rounds: kgroups --version "
                        + Report.number(Report.median(kgroupsFloor)) + " s, kafka-consumer-groups --version "
                        + Report.number(Report.median(kafkaToolFloor)) + " s.")
                .note("Last runs at " + sizes.get(sizes.size() - 1).groups() + " groups: kgroups "
                        + sizes.get(sizes.size() - 1).last().get(Tool.KGROUPS).detail() + "; Kafka's tool "
                        + sizes.get(sizes.size() - 1).last().get(Tool.KAFKA_TOOL).detail() + ".")
                .note(machine)
                .note("Goal (from issue #18): kgroups >= 10 x faster than Kafka's tool at 10,000 groups.");
        for (Measured m : sizes) {
            report.ratio("ratio_" + m.groups(), m.ratio());
        }
        for (Measured m : sizes) {
            report.result("kgroups_seconds_" + m.groups(), m.median(Tool.KGROUPS))
                    .result("kafka_tool_seconds_" + m.groups(), m.median(Tool.KAFKA_TOOL));
        }
        return report;
    }

    /** One child process: its wall time, exit code, output, and what the check found in it. */
    record Run(double seconds, int exit, String stdout, String stderr, int groups, String detail) {
        Run with(int describedGroups, String what) {
            return new Run(seconds, exit, stdout, stderr, describedGroups, what);
        }
    }

    /** Runs a child to its end, its stdout and stderr to files (a large output never blocks it). */
    private static Run runChild(List<String> command, Path prefix, String label) throws IOException,
            InterruptedException {
        Path out = Path.of(prefix + ".out");
        Path err = Path.of(prefix + ".err");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        long start = System.nanoTime();
        Process process = builder.start();
        try {
            if (!process.waitFor(CHILD_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException(label + ": ran over " + CHILD_LIMIT.toSeconds() + " s");
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return new Run(seconds, process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8), 0, "");
        } finally {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    /** The run with what it described; fails the benchmark unless it exited 0 and described every group in full. */
    private static Run check(Tool tool, Run run, int groups) {
        if (run.exit() != 0) {
            throw new IllegalStateException(tool.label + " exited " + run.exit() + "; stderr: " + tail(run.stderr())
                    + "; stdout: " + tail(run.stdout()));
        }
        Set<String> described = new HashSet<>();
        long partitions;
        String detail;
        if (tool == Tool.KGROUPS) {
            Matcher group = JSON_GROUP.matcher(run.stdout());
            while (group.find()) {
                if (group.group(1).startsWith(GROUP_PREFIX)) {
                    described.add(group.group(1));
                }
            }
            partitions = JSON_PARTITION.matcher(run.stdout()).results().count();
            long lagging = 0;
            long timed = 0;
            for (Matcher lag = JSON_LAG.matcher(run.stdout()); lag.find(); ) {
                if (!lag.group(1).equals("0")) {
                    lagging++;
                    timed += lag.group(2).equals("null") ? 0 : 1;
                }
            }
            detail = partitions + " partition rows; of the " + lagging + " with lag > 0, " + timed
                    + " have a time lag";
        } else {
            // One table per group: a header line, then one row per partition, the group's name first.
            long rows = 0;
            for (String line : run.stdout().split("\n")) {
                if (line.startsWith(GROUP_PREFIX)) {
                    described.add(line.substring(0, line.indexOf(' ') < 0 ? line.length() : line.indexOf(' ')));
                    rows++;
                }
            }
            partitions = rows;
            detail = rows + " partition rows in " + run.stdout().split("\n").length + " lines";
        }
        if (described.size() != groups || partitions != (long) groups * PARTITIONS) {
            throw new IllegalStateException(tool.label + " described " + described.size() + " of " + groups
                    + " groups (" + partitions + " partition rows, expected " + (long) groups * PARTITIONS
                    + "); stderr: " + tail(run.stderr()));
        }
        return run.with(described.size(), detail);
    }

    private static String tail(String text) {
        String stripped = text.strip();
        return stripped.length() <= 2_000 ? stripped : "..." + stripped.substring(stripped.length() - 2_000);
    }

    /** What kafka-run-class.sh puts on the java command line of every Kafka tool. */
    private static final List<String> KAFKA_RUN_CLASS_OPTS = List.of("-Xmx256M", "-server", "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent",
            "-Djava.awt.headless=true");

    private static List<String> kafkaTool(String java, String classPath, String... args) {
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(KAFKA_RUN_CLASS_OPTS);
        command.addAll(List.of("-cp", classPath, KAFKA_TOOL_MAIN));
        command.addAll(List.of(args));
        return command;
    }

    /** The kafka-tools release inside this jar, as built (from the pom). */
    private static String kafkaToolVersion() {
        Properties versions = new Properties();
        try (InputStream in = GroupOpsBench.class.getResourceAsStream("peer-versions.properties")) {
            if (in != null) {
                versions.load(in);
            }
        } catch (IOException e) {
            // the version is for the report only
        }
        return versions.getProperty("kafka-tools", "?");
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind is harmless
        }
    }

    /** On stderr, so that stdout stays the report; a full run takes minutes. */
    private static void progress(String done) {
        System.err.println("group-ops: " + done);
    }
}
