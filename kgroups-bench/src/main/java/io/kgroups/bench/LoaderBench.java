package io.kgroups.bench;

import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.orders.OrderEvent;
import io.kgroups.orders.OrderEventGenerator;
import io.kgroups.orders.OrderEventJson;
import io.kgroups.orders.OrderProducer;
import io.kgroups.orders.OrderStore;
import io.kgroups.orders.ProducedOrders;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.utils.Utils;

/**
 * The storage loader against the ways users would otherwise write it, on the seed's workload (order
 * events as {@code kgroups produce-orders} makes them, 6 partitions, the upsert that keeps the
 * highest version), into H2 and into PostgreSQL: {@code kgroups load-orders} as shipped (the
 * runnable jar, its defaults), Spring Kafka's batch listener with {@code JdbcTemplate.batchUpdate}
 * (kgroups-bench-peer-spring) and the reference guide's loop (one upsert and one commitSync per
 * record, {@link SeedPatternChild}), each a child JVM timed from its start until the table holds
 * every order at its latest version; and the database's own ceiling, the same upserts in batches
 * from one loop with no Kafka at all.
 */
final class LoaderBench implements Benchmark {
    private static final String TOPIC = "orders";
    private static final String SEED_TOPIC = "orders-seed";
    private static final int PARTITIONS = 6;
    /** {@code kgroups produce-orders}' default. */
    private static final int ORDERS = 1000;
    /** The loader's batch size (a partition's waiting records, up to 500), so that the ceiling batches alike. */
    private static final int BATCH = 500;
    private static final long SEED = 18;
    private static final Duration WATCH_EVERY = Duration.ofMillis(20);
    /** A contender whose table does not change for this long is stuck, not slow. */
    private static final Duration STALL_LIMIT = Duration.ofSeconds(60);
    private static final Duration STOP_LIMIT = Duration.ofSeconds(60);
    private static final String SPRING_JAR = "kgroups-bench-peer-spring/target/kgroups-bench-peer-spring.jar";
    private static final String H2_FILE = "kgroups-data/orders";

    enum Database { H2, POSTGRESQL }

    /** What is timed loading the topic; a round runs them in this order. */
    enum Contender {
        LOADER("kgroups load-orders (as shipped: PARTITION, batches up to 500, concurrency 8)"),
        SPRING_DEFAULT("Spring Kafka batch listener + JdbcTemplate.batchUpdate, concurrency 1 (its default)"),
        SPRING_PER_PARTITION("Spring Kafka batch listener + JdbcTemplate.batchUpdate, concurrency 6 (one per partition)"),
        SEED_PATTERN("the guide's loop: an upsert and a commitSync per record");

        final String label;

        Contender(String label) {
            this.label = label;
        }
    }

    @Override
    public String name() {
        return "loader";
    }

    @Override
    public String description() {
        return "kgroups load-orders vs Spring Kafka vs the guide's loop vs the database's ceiling, H2 and PostgreSQL";
    }

    @Override
    public Report run(boolean quick) throws Exception {
        int records = quick ? 40_000 : 200_000;
        int seedRecords = quick ? 4_000 : 20_000;
        int runs = quick ? 1 : 3;
        Path kgroupsJar = RepositoryFile.find(GroupOpsBench.KGROUPS_JAR, GroupOpsBench.KGROUPS_JAR_MISSING);
        Path springJar = RepositoryFile.find(SPRING_JAR, "build it with ./bench (or mvn -pl kgroups-bench-peer-spring -am package)");
        double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        long started = System.nanoTime();

        Map<Database, Map<Contender, List<Timed>>> timed = new EnumMap<>(Database.class);
        Map<Database, List<Double>> ceiling1 = new EnumMap<>(Database.class);
        Map<Database, List<Double>> ceiling6 = new EnumMap<>(Database.class);
        Path work = Files.createTempDirectory("kgroups-bench-loader");
        String postgresVersion;
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().brokers(1).partitions(PARTITIONS).port(0).build().start();
             Postgres postgres = Postgres.fromEnvironmentOrStart()) {
            postgresVersion = postgres.version();
            String bootstrap = kafka.bootstrapServers();
            kafka.createTopic(TOPIC, PARTITIONS);
            kafka.createTopic(SEED_TOPIC, PARTITIONS);
            ProducedOrders produced = produce(bootstrap, TOPIC, records, SEED);
            ProducedOrders seedProduced = produce(bootstrap, SEED_TOPIC, seedRecords, SEED + 1);
            List<List<OrderEvent>> partitions = eventsByPartition(records, SEED);
            progress("produced " + records + " events to " + TOPIC + " and " + seedRecords + " to " + SEED_TOPIC
                    + " (" + ORDERS + " orders, " + PARTITIONS + " partitions)");

            int n = 0;
            for (Database database : Database.values()) {
                // The ceiling runs in this JVM: one uncounted pass warms up its JIT.
                ceiling(Target.fresh(database, work.resolve("run-" + ++n), postgres), partitions, true, produced);
                for (int run = 1; run <= runs; run++) {
                    for (boolean loopPerPartition : List.of(false, true)) {
                        Target target = Target.fresh(database, work.resolve("run-" + ++n), postgres);
                        double rate = ceiling(target, partitions, loopPerPartition, produced);
                        (loopPerPartition ? ceiling6 : ceiling1).computeIfAbsent(database, d -> new ArrayList<>())
                                .add(rate);
                        progress(database + " ceiling, " + (loopPerPartition ? PARTITIONS : 1) + " loop(s), run " + run
                                + "/" + runs + ": " + Report.number(rate) + " records/s");
                    }
                }
                // The contenders alternate, so that drift (other load on the machine) hits them all alike.
                for (int round = 1; round <= runs; round++) {
                    for (Contender contender : Contender.values()) {
                        Target target = Target.fresh(database, work.resolve("run-" + ++n), postgres);
                        boolean seed = contender == Contender.SEED_PATTERN;
                        String group = "bench-loader-" + contender.name().toLowerCase(Locale.ROOT) + "-" + n;
                        List<String> command = command(contender, kgroupsJar, springJar, bootstrap,
                                seed ? SEED_TOPIC : TOPIC, group, target);
                        Timed result = load(command, target, seed ? seedProduced : produced, contender.label);
                        timed.computeIfAbsent(database, d -> new EnumMap<>(Contender.class))
                                .computeIfAbsent(contender, c -> new ArrayList<>()).add(result);
                        progress(database + " round " + round + "/" + runs + " " + contender.label + ": "
                                + result.records() + " records in " + Report.number(result.seconds()) + " s = "
                                + Report.number(result.recordsPerSecond()) + " records/s; 10%-90% stored at "
                                + Report.number(result.windowRecordsPerSecond()) + " records/s; first row after "
                                + Report.number(result.firstRowSeconds()) + " s; CPU " + Report.number(result.cpuSeconds())
                                + " s");
                    }
                }
            }
        } finally {
            deleteQuietly(work);
        }

        Report report = Report.table("loader: " + records + " order events (" + ORDERS + " orders, " + PARTITIONS
                        + " partitions) loaded into H2 and PostgreSQL, embedded 1-broker Kafka; peers: Spring Kafka,"
                        + " the guide's loop, the database's ceiling",
                "database", "contender", "records/s, start to all stored (median)", "kgroups vs it",
                "records/s, 10%-90% stored (median)", "kgroups vs it", "first row after (s, median)",
                "CPU s of its JVM (median)", "runs (records/s, start to all stored)");
        Map<Database, Figures> figures = new EnumMap<>(Database.class);
        for (Database database : Database.values()) {
            Map<Contender, List<Timed>> byContender = timed.get(database);
            Figures f = new Figures(median(byContender.get(Contender.LOADER)),
                    Math.max(median(byContender.get(Contender.SPRING_DEFAULT)),
                            median(byContender.get(Contender.SPRING_PER_PARTITION))),
                    median(byContender.get(Contender.SEED_PATTERN)), Report.median(ceiling1.get(database)),
                    Report.median(ceiling6.get(database)), windowMedian(byContender.get(Contender.LOADER)),
                    Math.max(windowMedian(byContender.get(Contender.SPRING_DEFAULT)),
                            windowMedian(byContender.get(Contender.SPRING_PER_PARTITION))));
            figures.put(database, f);
            report.row(database, "ceiling: the same upserts, batches of " + BATCH + ", one JDBC loop, no Kafka",
                    f.ceiling1(), Report.ratio(f.loader() / f.ceiling1()), f.ceiling1(),
                    Report.ratio(f.loaderWindow() / f.ceiling1()), "", "", Report.runs(ceiling1.get(database)));
            report.row(database, "ceiling: " + PARTITIONS + " JDBC loops at once, one per partition's events",
                    f.ceiling6(), Report.ratio(f.loader() / f.ceiling6()), f.ceiling6(),
                    Report.ratio(f.loaderWindow() / f.ceiling6()), "", "", Report.runs(ceiling6.get(database)));
            for (Contender contender : Contender.values()) {
                List<Timed> runsOf = byContender.get(contender);
                double rate = median(runsOf);
                double window = windowMedian(runsOf);
                report.row(database, contender.label, rate, Report.ratio(f.loader() / rate), window,
                        Report.ratio(f.loaderWindow() / window),
                        Report.median(runsOf.stream().map(Timed::firstRowSeconds).toList()),
                        Report.median(runsOf.stream().map(Timed::cpuSeconds).toList()),
                        Report.runs(runsOf.stream().map(Timed::recordsPerSecond).toList()));
            }
        }
        double totalSeconds = (System.nanoTime() - started) / 1e9;
        Properties versions = RuntimeBench.clientVersions();
        report.note("Method: both topics are filled before any clock starts, by the producer of `kgroups produce-orders`"
                        + " (OrderProducer: acks=all, idempotent; " + ORDERS + " orders, no invalid events): " + records
                        + " events in " + TOPIC + ", and " + seedRecords + " in " + SEED_TOPIC + " for the guide's loop,"
                        + " which commits synchronously after every record and is timed on that smaller count (its"
                        + " records/s is what is compared). Every run gets a fresh, empty table (H2: a new database"
                        + " file; PostgreSQL: the table dropped and made again, by OrderStore, before the clock starts)"
                        + " and a fresh consumer group.")
                .note("Timed: from starting the contender's JVM until the table holds every order at its latest"
                        + " version (the benchmark reads COUNT(*) and SUM(event_version) every "
                        + WATCH_EVERY.toMillis() + " ms; no version exceeds the latest, so equal sums mean every row"
                        + " is at its latest), so JVM start, pool start and group join are included (first row"
                        + " after: the start-up's share). 10%-90% stored: the rate once started, from the sample"
                        + " where the sum of the versions (the events stored: versions count up by one per event of"
                        + " an order, and every contender stores a partition in order) passed 10% of its end to"
                        + " the one where it passed 90%. CPU s: what the contender's JVM used until then (all its"
                        + " threads, start-up and JIT included), steadier than the times on a shared machine. Then every row is checked against what the broker"
                        + " acknowledged (a contender that loads wrong data fails the benchmark). Median of " + runs
                        + " run(s), contenders in turn.")
                .note("Contenders: kgroups load-orders as shipped (java -jar kgroups-cli/target/kgroups.jar load-orders"
                        + " --bootstrap-server B --topic orders --group G; on H2 its default URL, jdbc:h2:./"
                        + H2_FILE + ";AUTO_SERVER=TRUE, in the run's directory; on PostgreSQL --jdbc-url and"
                        + " --jdbc-user). Spring Kafka " + versions.getProperty("spring-kafka", "?") + " with spring-jdbc "
                        + versions.getProperty("spring-jdbc", "?") + " on kafka-clients "
                        + versions.getProperty("kafka-clients", "?")
                        + " (java -jar kgroups-bench-peer-spring.jar): ConcurrentMessageListenerContainer,"
                        + " BatchMessageListener, AckMode.BATCH (commitSync after the listener returned), each poll"
                        + " (max.poll.records 500) in one transaction (TransactionTemplate over"
                        + " DataSourceTransactionManager, as @Transactional), HikariCP at its defaults; 'kgroups vs"
                        + " Spring' in the RESULT line is against the faster of its two concurrencies. The guide's"
                        + " loop: KafkaConsumer poll, per record the upsert in its own transaction, then"
                        + " commitSync(that record's offset + 1). All of them: the loader's SQL (OrderStore.upsertSql"
                        + " and bindUpsert) and its event reader (OrderEventJson), auto.offset.reset=earliest,"
                        + " Kafka client defaults otherwise, the same H2 file form (each JVM embeds its own database).")
                .note("Ceiling: the same events (generated again from the same seed, split by the producer's"
                        + " partitioner) through OrderStore.store, the loader's own store path (it upserts each"
                        + " order's newest event of a batch), in batches of " + BATCH + " (one transaction each),"
                        + " from one loop, or from " + PARTITIONS + " loops at once (one per partition's events, as"
                        + " the loader's partitions), in the benchmark's JVM with no Kafka, after one uncounted"
                        + " pass that warms up its JIT; timed from the first batch to the last commit: the"
                        + " database's own limit, which the contenders' cold JVMs do not reach.")
                .note("Databases: H2 " + org.h2.engine.Constants.VERSION + " embedded in each contender's JVM"
                        + " (WRITE_DELAY 0, as OrderStore sets it: written at each commit); PostgreSQL "
                        + postgresVersion + " (postgres-test/start's throw-away server unless KGROUPS_TEST_POSTGRES_URL"
                        + " names one: fsync=off, synchronous_commit=off, so a commit costs a round trip, not a"
                        + " disk flush, which favours the per-record loop).")
                .note("Machine: " + Runtime.getRuntime().availableProcessors() + " cores shared by the broker (this"
                        + " JVM), the contender's JVM and PostgreSQL; load average before the run: "
                        + Report.number(loadBefore) + "; whole run " + Report.number(totalSeconds) + " s.")
                .note("Goals (from the issue): kgroups >= 10 x the guide's loop and >= 1.2 x Spring Kafka, on the same"
                        + " database.");
        // PostgreSQL's keys bare (the RESULT line), then H2's with an h2_ prefix.
        results(report, "", figures.get(Database.POSTGRESQL));
        results(report, "h2_", figures.get(Database.H2));
        return report;
    }

    private static void results(Report report, String prefix, Figures f) {
        report.ratio(prefix + "loader_vs_seed_pattern", f.loader() / f.seed())
                .ratio(prefix + "loader_vs_spring", f.loader() / f.spring())
                .ratio(prefix + "loader_vs_db_ceiling", f.loader() / f.ceiling1())
                .ratio(prefix + "loader_vs_db_ceiling_6", f.loader() / f.ceiling6())
                .ratio(prefix + "loader_vs_spring_10_90", f.loaderWindow() / f.springWindow())
                .ratio(prefix + "loader_10_90_vs_db_ceiling_6", f.loaderWindow() / f.ceiling6())
                .result(prefix + "loader_records_per_s", f.loader())
                .result(prefix + "spring_records_per_s", f.spring())
                .result(prefix + "seed_pattern_records_per_s", f.seed())
                .result(prefix + "db_ceiling_records_per_s", f.ceiling1());
    }

    /**
     * The medians of one database: records/s of each contender from its start (Spring: its faster
     * concurrency), the ceilings, and the loader's and Spring's records/s from 10% to 90% stored.
     */
    record Figures(double loader, double spring, double seed, double ceiling1, double ceiling6, double loaderWindow,
            double springWindow) {
    }

    /**
     * One load: records stored, seconds from the JVM's start to the last, to the first row, and
     * the records/s between 10% and 90% of the records stored; and the CPU time its JVM used until then.
     */
    record Timed(long records, double seconds, double firstRowSeconds, double windowRecordsPerSecond,
            double cpuSeconds) {
        double recordsPerSecond() {
            return records / seconds;
        }
    }

    private static double median(List<Timed> runs) {
        return Report.median(runs.stream().map(Timed::recordsPerSecond).toList());
    }

    private static double windowMedian(List<Timed> runs) {
        return Report.median(runs.stream().map(Timed::windowRecordsPerSecond).toList());
    }

    /** Where one run loads to: a fresh H2 file in {@code dir}, or the PostgreSQL server's table, dropped. */
    record Target(Database database, Path dir, String url, String user) {
        static Target fresh(Database database, Path dir, Postgres postgres) throws IOException, SQLException {
            Files.createDirectories(dir);
            Target target = database == Database.H2
                    ? new Target(database, dir, "jdbc:h2:" + dir.resolve(H2_FILE) + ";AUTO_SERVER=TRUE", null)
                    : new Target(database, dir, postgres.url(), postgres.user());
            if (database == Database.POSTGRESQL) {
                try (Connection c = target.connect(); Statement s = c.createStatement()) {
                    s.execute("DROP TABLE IF EXISTS orders");
                }
            }
            // The table exists before the clock starts, for every contender alike (OrderStore's DDL and settings).
            OrderStore.open(target.url(), target.user(), null, 1, false).close();
            if (target.h2Open()) {
                throw new IllegalStateException("H2 kept " + dir.resolve(H2_FILE) + " open after its last connection");
            }
            return target;
        }

        /** H2: a process has the database open (it keeps a lock file meanwhile). */
        boolean h2Open() {
            return database == Database.H2 && Files.exists(dir.resolve(H2_FILE + ".lock.db"));
        }

        Connection connect() throws SQLException {
            return DriverManager.getConnection(url, user == null ? "" : user, "");
        }
    }

    private static List<String> command(Contender contender, Path kgroupsJar, Path springJar, String bootstrap,
            String topic, String group, Target target) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String user = target.user() == null ? "" : target.user();
        List<String> command = new ArrayList<>(List.of(java));
        switch (contender) {
            case LOADER -> {
                command.addAll(List.of("-jar", kgroupsJar.toString(), "load-orders", "--bootstrap-server", bootstrap,
                        "--topic", topic, "--group", group));
                // H2: the loader's default URL, relative to the run's directory, where it starts.
                if (target.database() == Database.POSTGRESQL) {
                    command.addAll(List.of("--jdbc-url", target.url(), "--jdbc-user", user));
                }
            }
            case SPRING_DEFAULT, SPRING_PER_PARTITION -> command.addAll(List.of("-jar", springJar.toString(), bootstrap,
                    topic, group, target.url(), user, contender == Contender.SPRING_DEFAULT ? "1" : String.valueOf(PARTITIONS)));
            // Absolute: the child starts in the run's directory.
            case SEED_PATTERN -> command.addAll(List.of("-cp", absoluteClassPath(),
                    SeedPatternChild.class.getName(), bootstrap, topic, group, target.url(), user));
        }
        return command;
    }

    private static String absoluteClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** Starts a contender, waits until the table holds every order at its latest version, checks it, stops it. */
    private static Timed load(List<String> command, Target target, ProducedOrders produced, String label)
            throws Exception {
        Map<String, Long> latest = produced.latestVersions();
        long expectedSum = latest.values().stream().mapToLong(Long::longValue).sum();
        Path log = target.dir().resolve("contender.log");
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).directory(target.dir().toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            awaitOpen(target, process, log, label);
            try (Connection c = target.connect(); Statement s = c.createStatement()) {
                long first = 0;
                long low = 0;
                long high = 0;
                long lastChange = System.nanoTime();
                long[] last = {-1, -1};
                while (true) {
                    long[] now = countAndSum(s);
                    long at = System.nanoTime();
                    if (now[0] > 0 && first == 0) {
                        first = at;
                    }
                    // Versions count up by one per event of an order, and every contender stores a
                    // partition in order: the sum of the rows' versions is the events stored so far.
                    if (low == 0 && now[1] >= expectedSum / 10) {
                        low = at;
                    }
                    if (high == 0 && now[1] >= expectedSum - expectedSum / 10) {
                        high = at;
                    }
                    if (now[0] == latest.size() && now[1] == expectedSum) {
                        double cpu = process.toHandle().info().totalCpuDuration().map(d -> d.toNanos() / 1e9)
                                .orElse(Double.NaN);
                        verify(c, latest, label);
                        return new Timed(produced.validCount(), (at - start) / 1e9, (first - start) / 1e9,
                                (expectedSum - 2 * (expectedSum / 10)) / ((high - low) / 1e9), cpu);
                    }
                    if (now[0] != last[0] || now[1] != last[1]) {
                        last = now;
                        lastChange = at;
                    } else if (at - lastChange > STALL_LIMIT.toNanos()) {
                        throw new IllegalStateException(label + ": the table did not change for "
                                + STALL_LIMIT.toSeconds() + " s at " + now[0] + " rows of " + latest.size()
                                + "; its output: " + tail(log));
                    }
                    if (!process.isAlive()) {
                        throw new IllegalStateException(label + " exited (" + process.exitValue() + "): " + tail(log));
                    }
                    Thread.sleep(WATCH_EVERY.toMillis());
                }
            }
        } finally {
            stop(process, label);
        }
    }

    /**
     * H2: waits until the contender has opened its database, so that the benchmark's connection
     * goes to the contender's server (AUTO_SERVER) instead of opening the file itself and making
     * the contender a remote client of this JVM.
     */
    private static void awaitOpen(Target target, Process process, Path log, String label)
            throws InterruptedException, IOException {
        long deadline = System.nanoTime() + STALL_LIMIT.toNanos();
        while (target.database() == Database.H2 && !target.h2Open()) {
            if (!process.isAlive()) {
                throw new IllegalStateException(label + " exited (" + process.exitValue() + "): " + tail(log));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(label + " did not open its database in " + STALL_LIMIT.toSeconds()
                        + " s: " + tail(log));
            }
            Thread.sleep(WATCH_EVERY.toMillis());
        }
    }

    private static long[] countAndSum(Statement s) throws SQLException {
        try (ResultSet row = s.executeQuery("SELECT COUNT(*), COALESCE(SUM(event_version), 0) FROM orders")) {
            row.next();
            return new long[] {row.getLong(1), row.getLong(2)};
        }
    }

    /** Every order at exactly its latest acknowledged version, and no other row. */
    private static void verify(Connection c, Map<String, Long> latest, String label) throws SQLException {
        Map<String, Long> rows = new HashMap<>();
        try (Statement s = c.createStatement();
             ResultSet row = s.executeQuery("SELECT order_id, event_version FROM orders")) {
            while (row.next()) {
                rows.put(row.getString(1), row.getLong(2));
            }
        }
        if (!rows.equals(latest)) {
            long wrong = latest.entrySet().stream().filter(e -> !e.getValue().equals(rows.get(e.getKey()))).count();
            throw new IllegalStateException(label + " loaded wrong data: " + wrong + " of " + latest.size()
                    + " orders not at their latest version, " + rows.size() + " rows");
        }
    }

    /** SIGTERM (the loader stores and commits what is in flight and leaves the group), then SIGKILL past the limit. */
    private static void stop(Process process, String label) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(STOP_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
            progress(label + " did not stop within " + STOP_LIMIT.toSeconds() + " s of SIGTERM: killed");
            process.destroyForcibly();
            process.waitFor();
        }
    }

    /**
     * The database's own ceiling: the topic's events through {@link OrderStore#store} in batches
     * of {@value #BATCH}, from one loop (the partitions' batches in turn, as one consumer's polls
     * would bring them) or from one loop per partition at once.
     */
    private static double ceiling(Target target, List<List<OrderEvent>> partitions, boolean loopPerPartition,
            ProducedOrders produced) throws Exception {
        List<List<List<OrderStore.Delivery>>> byPartition = new ArrayList<>();
        for (int p = 0; p < partitions.size(); p++) {
            List<OrderEvent> events = partitions.get(p);
            List<List<OrderStore.Delivery>> batches = new ArrayList<>();
            for (int from = 0; from < events.size(); from += BATCH) {
                List<OrderStore.Delivery> batch = new ArrayList<>(BATCH);
                for (OrderEvent event : events.subList(from, Math.min(events.size(), from + BATCH))) {
                    batch.add(new OrderStore.Delivery(event, TOPIC, p, 0));
                }
                batches.add(batch);
            }
            byPartition.add(batches);
        }
        List<List<List<OrderStore.Delivery>>> loops = loopPerPartition ? byPartition : List.of(inTurn(byPartition));
        ExecutorService pool = Executors.newFixedThreadPool(loops.size());
        try (OrderStore store = OrderStore.open(target.url(), target.user(), null, loops.size(), false)) {
            long start = System.nanoTime();
            List<Future<?>> running = new ArrayList<>();
            for (List<List<OrderStore.Delivery>> batches : loops) {
                running.add(pool.submit(() -> {
                    for (List<OrderStore.Delivery> batch : batches) {
                        store.store(batch);
                    }
                    return null;
                }));
            }
            for (Future<?> loop : running) {
                loop.get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            try (Connection c = target.connect()) {
                verify(c, produced.latestVersions(), "the ceiling");
            }
            return produced.validCount() / seconds;
        } finally {
            pool.shutdownNow();
        }
    }

    /** The first batch of every partition, then the second of every partition, and so on. */
    private static <T> List<T> inTurn(List<List<T>> byPartition) {
        List<T> dealt = new ArrayList<>();
        int longest = byPartition.stream().mapToInt(List::size).max().orElse(0);
        for (int i = 0; i < longest; i++) {
            for (List<T> batches : byPartition) {
                if (i < batches.size()) {
                    dealt.add(batches.get(i));
                }
            }
        }
        return dealt;
    }

    /** Sends {@code count} events of {@value #ORDERS} orders (none invalid), as {@code kgroups produce-orders} does. */
    private static ProducedOrders produce(String bootstrap, String topic, int count, long seed) {
        ProducedOrders ledger = new ProducedOrders();
        try (OrderProducer producer = new OrderProducer(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                topic, new OrderEventGenerator("o", ORDERS, 0, seed), ledger)) {
            producer.run(count, 0, () -> false);
        }
        if (ledger.failedSends() > 0 || ledger.validCount() != count) {
            throw new IllegalStateException("produce to " + topic + ": " + ledger.validCount() + " of " + count
                    + " acknowledged, " + ledger.failedSends() + " failed");
        }
        return ledger;
    }

    /**
     * The events of {@link #TOPIC}, made again from the same seed (the same orders and versions in
     * the same sequence), in the partitions the producer's default partitioner put them in.
     */
    private static List<List<OrderEvent>> eventsByPartition(int count, long seed) {
        OrderEventGenerator generator = new OrderEventGenerator("o", ORDERS, 0, seed);
        List<List<OrderEvent>> partitions = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            partitions.add(new ArrayList<>());
        }
        for (int i = 0; i < count; i++) {
            OrderEventGenerator.Generated event = generator.next();
            int partition = Utils.toPositive(Utils.murmur2(event.key().getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
            partitions.get(partition).add(OrderEventJson.read(event.value()));
        }
        return partitions;
    }

    /** The PostgreSQL server of the run: the one KGROUPS_TEST_POSTGRES_URL names, or one postgres-test/start makes. */
    record Postgres(String url, String user, String dir) implements AutoCloseable {
        static Postgres fromEnvironmentOrStart() throws IOException, InterruptedException {
            String url = System.getenv("KGROUPS_TEST_POSTGRES_URL");
            if (url != null && !url.isBlank()) {
                return new Postgres(url, System.getenv("KGROUPS_TEST_POSTGRES_USER"), null);
            }
            Path start = RepositoryFile.find("postgres-test/start", "run the benchmark from the repository");
            Process process = new ProcessBuilder("bash", start.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() != 0) {
                throw new IllegalStateException("postgres-test/start failed (exit " + process.exitValue() + ")");
            }
            Map<String, String> exported = new HashMap<>();
            for (String line : output.split("\n")) {
                if (line.startsWith("export ") && line.contains("=")) {
                    int eq = line.indexOf('=');
                    exported.put(line.substring("export ".length(), eq), line.substring(eq + 1));
                }
            }
            return new Postgres(exported.get("KGROUPS_TEST_POSTGRES_URL"), exported.get("KGROUPS_TEST_POSTGRES_USER"),
                    exported.get("KGROUPS_TEST_POSTGRES_DIR"));
        }

        String version() throws SQLException {
            try (Connection c = DriverManager.getConnection(url, user == null ? "" : user, "")) {
                return c.getMetaData().getDatabaseProductVersion();
            }
        }

        /** Stops the server only if this run started it. */
        @Override
        public void close() throws IOException, InterruptedException {
            if (dir != null) {
                Path stop = RepositoryFile.find("postgres-test/stop", "run the benchmark from the repository");
                new ProcessBuilder("bash", stop.toString(), dir).inheritIO().start().waitFor();
            }
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind is harmless
        }
    }

    /** On stderr, so that stdout stays the report; a full run takes many minutes. */
    private static void progress(String done) {
        System.err.println("loader: " + done);
    }
}
