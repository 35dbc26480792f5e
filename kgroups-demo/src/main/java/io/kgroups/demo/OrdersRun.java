package io.kgroups.demo;

import io.kgroups.admin.GroupAdmin;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.orders.DeadLetters;
import io.kgroups.orders.LoadVerification;
import io.kgroups.orders.OrderEventGenerator;
import io.kgroups.orders.OrderProducer;
import io.kgroups.orders.OrderStore;
import io.kgroups.orders.ProducedOrders;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AccessControlEntry;
import java.util.HashMap;
import java.util.Base64;
import java.security.SecureRandom;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.Files;
import java.io.OutputStream;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.TopicPartition;
import org.h2.tools.Server;

/**
 * The storage loader's whole system on one machine, for the demo and the chaos run: embedded Kafka, the {@code orders} topic, an H2 database served over TCP
 * by this process (which is never killed, so that the database outlives every loader), loader
 * processes, and a producer whose acknowledgements are the truth the table is checked against.
 */
public final class OrdersRun implements AutoCloseable {
    public static final String TOPIC = "orders";
    public static final String GROUP = "storage_loader";
    /**
     * Kafka's smallest session timeout by default (group.min.session.timeout.ms): a killed loader's
     * partitions move to the others after this long.
     */
    public static final int SESSION_TIMEOUT_MS = 6_000;
    static final int HEARTBEAT_INTERVAL_MS = 1_500;

    /**
     * What to run: {@code brokers} 1 or 3 (3: replication factor 3, min.insync.replicas 2); each
     * loader is started with {@code launch}. With {@code secure}, the broker checks SASL/SCRAM and
     * ACLs: the run's own producer, checks and monitor are the admin; the loaders run as the user
     * {@value #LOADER_USER} with exactly READ on the group and the topic and WRITE on the
     * dead-letter topic, its password in a file of the run's directory only.
     */
    public record Settings(int brokers, int partitions, GroupProtocol protocol, int loaders, double rate, double badRatio,
            int orders, Path dir, LoaderLaunch launch, boolean secure) { }

    /** The principal the loaders of a secured run authenticate as. */
    public static final String LOADER_USER = "storage_loader";

    private final Settings settings;
    private final EmbeddedKafka kafka;
    private final Server database;
    private final OrderStore store;
    private final GroupAdmin admin;
    private final List<LoaderProcess> loaders = new ArrayList<>();
    private final ProducedOrders produced = new ProducedOrders();
    private final AtomicBoolean stopProducing = new AtomicBoolean();
    private Thread producing;
    /** The loaders' --command-config on a secured run; null otherwise. */
    private Path loaderConfig;
    private volatile java.util.function.BooleanSupplier cancelled = () -> false;

    private OrdersRun(Settings settings, EmbeddedKafka kafka, Server database, OrderStore store, GroupAdmin admin) {
        this.settings = settings;
        this.kafka = kafka;
        this.database = database;
        this.store = store;
        this.admin = admin;
    }

    /** Starts Kafka, creates the topics, serves the database and starts the loaders. */
    public static OrdersRun start(Settings settings) {
        int n = settings.brokers();
        EmbeddedKafka.Builder builder = EmbeddedKafka.builder().brokers(n).port(0).dataDir(settings.dir().resolve("kafka"))
                .brokerProperty("default.replication.factor", String.valueOf(n))
                .brokerProperty("min.insync.replicas", String.valueOf(Math.min(2, n)))
                .brokerProperty("group.consumer.session.timeout.ms", String.valueOf(SESSION_TIMEOUT_MS))
                .brokerProperty("group.consumer.heartbeat.interval.ms", String.valueOf(HEARTBEAT_INTERVAL_MS))
                .brokerProperty("group.share.session.timeout.ms", String.valueOf(SESSION_TIMEOUT_MS))
                .brokerProperty("group.share.heartbeat.interval.ms", String.valueOf(HEARTBEAT_INTERVAL_MS));
        EmbeddedKafka kafka = (settings.secure() ? builder.sasl() : builder).build();
        Server database = null;
        OrderStore store = null;
        GroupAdmin admin = null;
        try {
            kafka.start();
            kafka.createTopic(TOPIC, settings.partitions(), n, Map.of());
            kafka.createTopic(TOPIC + ".DLT", 1, n, Map.of());
            database = Server.createTcpServer("-tcpPort", String.valueOf(freePort()), "-ifNotExists", "-baseDir",
                    settings.dir().resolve("db").toString()).start();
            store = OrderStore.open(jdbcUrl(database), null, null, 2, true);
            admin = GroupAdmin.create(kafka.adminClientProperties(), Duration.ofSeconds(30));
            OrdersRun run = new OrdersRun(settings, kafka, database, store, admin);
            if (settings.secure()) {
                run.loaderConfig = leastPrivilegeLoader(kafka, settings.dir());
            }
            if (settings.protocol() == GroupProtocol.share) {
                run.shareGroupFromEarliest();
            }
            for (int i = 1; i <= settings.loaders(); i++) {
                LoaderProcess loader = new LoaderProcess("loader-" + i, settings.launch(), run.loaderArgs(), settings.dir());
                run.loaders.add(loader);
                loader.start();
            }
            return run;
        } catch (RuntimeException | SQLException e) {
            if (admin != null) {
                admin.close();
            }
            if (store != null) {
                store.close();
            }
            if (database != null) {
                database.stop();
            }
            kafka.close();
            if (e instanceof RunFailedException failed) {
                throw failed;
            }
            throw new RunFailedException("cannot set up the run: " + RunFailedException.rootMessage(e), e);
        }
    }

    private static String jdbcUrl(Server database) {
        return "jdbc:h2:tcp://127.0.0.1:" + database.getPort() + "/orders";
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new RunFailedException("cannot find a free port for the database: " + e.getMessage(), e);
        }
    }

    /** The loaders' user, with exactly what they need, and its client config (owner-only) for --command-config. */
    private static Path leastPrivilegeLoader(EmbeddedKafka kafka, Path dir) {
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        kafka.addUser(LOADER_USER, password);
        kafka.grant(allow(ResourceType.GROUP, GROUP, AclOperation.READ), allow(ResourceType.TOPIC, TOPIC, AclOperation.READ),
                allow(ResourceType.TOPIC, TOPIC + ".DLT", AclOperation.WRITE));
        Properties props = kafka.clientProperties(LOADER_USER, password);
        props.remove("bootstrap.servers");
        Path file = dir.resolve("loader.properties");
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (OutputStream out = Files.newOutputStream(file)) {
                props.store(out, "the storage loader's principal: READ on " + GROUP + " and " + TOPIC + ", WRITE on "
                        + TOPIC + ".DLT");
            }
        } catch (IOException e) {
            throw new RunFailedException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    private static AclBinding allow(ResourceType type, String name, AclOperation operation) {
        return new AclBinding(new ResourcePattern(type, name, PatternType.LITERAL),
                new AccessControlEntry("User:" + LOADER_USER, "*", operation, AclPermissionType.ALLOW));
    }

    /**
     * A share group starts at the log end unless told otherwise; set here by the run's admin, so
     * that least-privileged loaders need no right to alter the group's configs.
     */
    private void shareGroupFromEarliest() {
        ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, GROUP);
        try {
            admin.admin().incrementalAlterConfigs(Map.of(group, List.of(new AlterConfigOp(
                    new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET)))).all().get();
        } catch (ExecutionException e) {
            throw new RunFailedException("cannot set share.auto.offset.reset of " + GROUP + ": " + RunFailedException.rootMessage(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunFailedException("interrupted while setting up share group " + GROUP, e);
        }
    }

    private List<String> loaderArgs() {
        List<String> args = new ArrayList<>(List.of("--bootstrap-server", kafka.bootstrapServers(), "--group", GROUP,
                "--topic", TOPIC, "--jdbc-url", jdbcUrl(database), "--record-deliveries", "--report-every", "5s"));
        args.addAll(settings.protocol() == GroupProtocol.share ? List.of("--group-type", "share")
                : List.of("--consumer-property", "group.protocol=" + settings.protocol()));
        if (loaderConfig != null) {
            args.addAll(List.of("--command-config", loaderConfig.toString()));
        }
        if (settings.protocol() == GroupProtocol.classic) {
            // With the consumer protocol, the broker sets these (group.consumer.*).
            args.addAll(List.of("--consumer-property", "session.timeout.ms=" + SESSION_TIMEOUT_MS,
                    "--consumer-property", "heartbeat.interval.ms=" + HEARTBEAT_INTERVAL_MS));
        }
        return args;
    }

    /** Waits of this run give up as soon as {@code cancelled} says so (Ctrl-C). */
    public void cancelWhen(java.util.function.BooleanSupplier cancelled) {
        this.cancelled = cancelled;
    }

    /** The run's own client settings (the admin's on a secured run). */
    private Map<String, Object> clientProperties() {
        Map<String, Object> props = new HashMap<>();
        kafka.adminClientProperties().forEach((k, v) -> props.put((String) k, v));
        return props;
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    public GroupAdmin admin() {
        return admin;
    }

    public List<LoaderProcess> loaders() {
        return loaders;
    }

    /** Events the broker has acknowledged so far. */
    public long produced() {
        return produced.validCount() + produced.invalidCount();
    }

    /** Produces at the set rate on a thread of its own until {@link #stopProducing()}. */
    public void startProducing() {
        OrderEventGenerator generator = new OrderEventGenerator("o", settings.orders(), settings.badRatio(), 20261124L);
        OrderProducer producer = new OrderProducer(clientProperties(), TOPIC, generator,
                produced);
        producing = new Thread(() -> {
            try (producer) {
                producer.run(0, settings.rate(), stopProducing::get);
            }
        }, "orders-producer");
        producing.start();
    }

    /** Stops producing and waits for every acknowledgement. */
    public void stopProducing() throws InterruptedException {
        stopProducing.set(true);
        if (producing != null) {
            producing.join();
        }
    }

    /**
     * How long after {@code afterMs} the group stored a record of every partition again, or null
     * if not within {@code max} (or cancelled). Needs records arriving on every partition (the
     * producer running).
     */
    public Duration awaitRecovery(long afterMs, Duration max) throws InterruptedException, SQLException {
        long deadline = System.currentTimeMillis() + max.toMillis();
        while (System.currentTimeMillis() < deadline && !cancelled.getAsBoolean()) {
            Map<Integer, Long> first = store.firstStoredAfter(afterMs);
            if (first.size() == settings.partitions()) {
                return Duration.ofMillis(first.values().stream().mapToLong(Long::longValue).max().orElseThrow() - afterMs);
            }
            Thread.sleep(100);
        }
        return null;
    }

    /** Records of the topic not yet committed by the group (log-end minus committed, summed). */
    public long lag() throws InterruptedException {
        Map<TopicPartition, Long> committed = admin.committedOffsets(GROUP);
        Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
        for (int p = 0; p < settings.partitions(); p++) {
            latest.put(new TopicPartition(TOPIC, p), OffsetSpec.latest());
        }
        try {
            return admin.admin().listOffsets(latest).all().get().entrySet().stream()
                    .mapToLong(e -> e.getValue().offset() - committed.getOrDefault(e.getKey(), 0L)).sum();
        } catch (ExecutionException e) {
            throw new RunFailedException("cannot read the log-end offsets of " + TOPIC + ": "
                    + RunFailedException.rootMessage(e), e);
        }
    }

    /** Waits until the group has committed every record; false if not within {@code max} (or cancelled). */
    public boolean awaitCaughtUp(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline && !cancelled.getAsBoolean()) {
            try {
                if (lag() == 0) {
                    return true;
                }
            } catch (RunFailedException | org.apache.kafka.common.KafkaException e) {
                // a broker restarting: ask again
            }
            Thread.sleep(250);
        }
        return false;
    }

    /**
     * Loaders that ended by themselves (not killed by the run), with their exit code and last lines;
     * when none did, where their logs are.
     */
    public String unexpectedExits() {
        String exits = loaders.stream().filter(l -> l.exitCode() != null)
                .map(l -> l.name() + " exited with " + l.exitCode() + ":\n" + l.tail()).collect(Collectors.joining("\n"));
        return exits.isEmpty() ? "no loader ended by itself; see the loader logs in " + settings.dir() : exits;
    }

    public LoadVerification verify() throws SQLException {
        DeadLetters dead = DeadLetters.read(clientProperties(), TOPIC + ".DLT",
                Duration.ofSeconds(60));
        return LoadVerification.check(produced, store, dead);
    }

    /** Deletes a run's work directory (Kafka's data, the database, the loader logs). */
    public static void deleteWorkDirectory(Path dir) throws IOException {
        try (java.util.stream.Stream<Path> paths = java.nio.file.Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.deleteIfExists(path);
            }
        }
    }

    @Override
    public void close() {
        stopProducing.set(true);
        for (LoaderProcess loader : loaders) {
            try {
                loader.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (producing != null) {
            try {
                producing.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        admin.close();
        store.close();
        database.stop();
        kafka.close();
    }
}
