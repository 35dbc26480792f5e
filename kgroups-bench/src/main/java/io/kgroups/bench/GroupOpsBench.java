package io.kgroups.bench;

import io.kgroups.embedded.EmbeddedKafka;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * Group operations at scale: {@code kgroups describe --all-groups --output json} against Apache
 * Kafka's own {@code kafka-consumer-groups --describe --all-groups}, each run as a whole process
 * (JVM start included, as an operator runs it), on 1,000 groups with committed offsets on one
 * 24-partition topic of an embedded broker.
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
    private static final Duration CHILD_LIMIT = Duration.ofMinutes(3);
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
    public Report run(boolean quick) throws Exception {
        int groups = quick ? 200 : 1_000;
        int rounds = quick ? 1 : 3;
        Path launcher = RepositoryFile.find(KGROUPS_JAR, KGROUPS_JAR_MISSING).getParent().getParent().getParent()
                .resolve("kgroups");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Kafka's tool runs on this JVM's class path (kgroups-bench.jar under ./bench), in the same directory.
        String ownClassPath = System.getProperty("java.class.path");
        double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        long started = System.nanoTime();

        Map<Tool, List<Double>> seconds = new EnumMap<>(Tool.class);
        Map<Tool, Run> last = new EnumMap<>(Tool.class);
        List<Double> kgroupsFloor = new ArrayList<>();
        List<Double> kafkaToolFloor = new ArrayList<>();
        double setupSeconds;
        Path work = Files.createTempDirectory("kgroups-bench-group-ops");
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().port(0).build().start()) {
            String bootstrap = kafka.bootstrapServers();
            long setup = System.nanoTime();
            kafka.createTopic(TOPIC, PARTITIONS);
            SETUP.produce(bootstrap);
            SETUP.commitOffsets(bootstrap, groups);
            setupSeconds = (System.nanoTime() - setup) / 1e9;
            progress(PARTITIONS + " partitions x " + RECORDS_PER_PARTITION + " records, offsets of " + groups
                    + " groups committed in " + Report.number(setupSeconds) + " s");

            Map<Tool, List<String>> commands = new EnumMap<>(Tool.class);
            // Each as its users run it: kgroups through its launcher, Kafka's tool with the JVM
            // options its kafka-run-class.sh gives every tool.
            commands.put(Tool.KGROUPS, List.of(launcher.toString(), "describe", "--all-groups",
                    "--output", "json", "--bootstrap-server", bootstrap));
            commands.put(Tool.KAFKA_TOOL, kafkaTool(java, ownClassPath, "--bootstrap-server", bootstrap, "--describe",
                    "--all-groups"));

            // Round 0 is an uncounted warm-up of each (page cache, the broker's JIT and group
            // coordinator); then the tools alternate, so that drift hits both alike.
            for (int round = 0; round <= rounds; round++) {
                for (Tool tool : Tool.values()) {
                    Run run = check(tool, runChild(commands.get(tool),
                            work.resolve(tool.name().toLowerCase(Locale.ROOT)), tool.label), groups);
                    if (round > 0) {
                        seconds.computeIfAbsent(tool, t -> new ArrayList<>()).add(run.seconds());
                    }
                    last.put(tool, run);
                    progress((round == 0 ? "warm-up" : "round " + round + "/" + rounds) + " " + tool.label + ": "
                            + Report.number(run.seconds()) + " s, " + run.groups() + " groups described");
                }
                if (round > 0) {
                    // The JVM start and argument parsing alone: the floor under each tool's figure.
                    kgroupsFloor.add(runChild(List.of(launcher.toString(), "--version"),
                            work.resolve("kgroups-version"), "kgroups --version").seconds());
                    kafkaToolFloor.add(runChild(kafkaTool(java, ownClassPath, "--version"),
                            work.resolve("kafka-tool-version"), "kafka-consumer-groups --version").seconds());
                }
            }
        } finally {
            deleteQuietly(work);
        }
        double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        double totalSeconds = (System.nanoTime() - started) / 1e9;

        double kgroups = Report.median(seconds.get(Tool.KGROUPS));
        double kafkaTool = Report.median(seconds.get(Tool.KAFKA_TOOL));
        Run kgroupsRun = last.get(Tool.KGROUPS);
        Run kafkaRun = last.get(Tool.KAFKA_TOOL);
        return Report.table("group-ops: describe --all-groups, " + groups + " groups x " + PARTITIONS
                                + " partitions (one topic), embedded 1-broker Kafka; whole processes;"
                                + " peer: Apache Kafka's kafka-consumer-groups " + kafkaToolVersion(),
                        "tool", "seconds (median)", "runs", "groups described")
                .row(Tool.KGROUPS.label, kgroups, Report.runs(seconds.get(Tool.KGROUPS)), kgroupsRun.groups())
                .row(Tool.KAFKA_TOOL.label, kafkaTool, Report.runs(seconds.get(Tool.KAFKA_TOOL)), kafkaRun.groups())
                .row("floor: kgroups --version (JVM start, no Kafka)", Report.median(kgroupsFloor),
                        Report.runs(kgroupsFloor), "-")
                .row("floor: kafka-consumer-groups --version (JVM start, no Kafka)", Report.median(kafkaToolFloor),
                        Report.runs(kafkaToolFloor), "-")
                .note("Method: one topic of " + PARTITIONS + " partitions with " + RECORDS_PER_PARTITION + " records"
                        + " of " + RECORD_BYTES + " B each (timestamps spread over the last hour); " + groups
                        + " groups (classic, no members) with an offset committed on every partition by Admin"
                        + " alterConsumerGroupOffsets, varied from 0 to " + RECORDS_PER_PARTITION + " so that most"
                        + " partitions have lag (set-up " + Report.number(setupSeconds) + " s, not timed).")
                .note("Each figure is the wall time of a whole child process, from start to exit (JVM start"
                        + " included), stdout to a file, both on this JVM (" + System.getProperty("java.version")
                        + "), each as its users run it: `./kgroups describe --all-groups --output json"
                        + " --bootstrap-server B` (the launcher: C1 only, serial GC, a class-data-sharing archive made"
                        + " once per build) and `java " + String.join(" ", KAFKA_RUN_CLASS_OPTS) + " -cp kgroups-bench.jar "
                        + KAFKA_TOOL_MAIN + " --bootstrap-server B --describe --all-groups` (the options"
                        + " kafka-run-class.sh gives the tool). One uncounted warm-up of each, then " + rounds + " round(s) of"
                        + " kgroups, Kafka's tool in turn; median of the rounds. Every run is checked: exit code 0 and"
                        + " all " + groups + " groups with " + PARTITIONS + " partitions each in the output (kgroups:"
                        + " groups and partitions in the JSON; Kafka's tool: its rows per group).")
                .note("Not the same work: kgroups also reads log-start offsets, topic retention and, for time lag,"
                        + " the timestamp of each group's first unconsumed record (last run: " + kgroupsRun.detail()
                        + "); Kafka's tool prints committed offset, log-end and lag (last run: " + kafkaRun.detail()
                        + ").")
                .note("Broker in this JVM; the children on the same " + Runtime.getRuntime().availableProcessors()
                        + " cores. Load average before: " + Report.number(loadBefore) + ", after: "
                        + Report.number(loadAfter) + " (other work on the machine shows up as spread in the runs);"
                        + " whole benchmark " + Report.number(totalSeconds) + " s.")
                .note("Goal (from the issue): kgroups >= 5 x faster than Kafka's tool.")
                .ratio("speedup_vs_kafka_tool", kafkaTool / kgroups)
                .result("kgroups_seconds", kgroups)
                .result("kafka_tool_seconds", kafkaTool)
                .result("kgroups_floor_seconds", Report.median(kgroupsFloor))
                .result("kafka_tool_floor_seconds", Report.median(kafkaToolFloor))
                .result("groups", groups);
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
