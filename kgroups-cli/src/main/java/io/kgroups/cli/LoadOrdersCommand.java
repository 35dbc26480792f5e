package io.kgroups.cli;

import io.javalin.Javalin;
import io.javalin.http.HttpStatus;
import io.kgroups.consumer.ConsumerState;
import io.kgroups.consumer.ConsumerStats;
import io.kgroups.consumer.Health;
import io.kgroups.consumer.Ordering;
import io.kgroups.consumer.ShareConsumerStats;
import io.kgroups.monitor.JsonEnvelope;
import io.kgroups.orders.OrderStore;
import io.kgroups.orders.OrderStoreException;
import io.kgroups.orders.StorageLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The storage loader: order events from a topic into a database table, in a consumer group,
 * committing only what is stored. Runs until Ctrl-C (which stores and commits what is in flight)
 * or until a loader fails (exit code 1, with the reason).
 */
@Command(name = "load-orders", header = "Load order events from a topic into a database table.",
        description = {"The storage loader: it reads the order events of --topic in a consumer group and upserts each "
            + "order by order_id, keeping its latest version; invalid events go to the topic's .DLT. Offsets are "
            + "committed only for what is stored. Runs until Ctrl-C, which stores and commits what is in flight, or "
            + "until a loader fails (exit code 1, with the reason)."},
        footer = {"", "Examples:", "  Three loaders into PostgreSQL, with a health endpoint:",
            "    export KGROUPS_JDBC_PASSWORD=...",
            "    kgroups load-orders --instances 3 --jdbc-url jdbc:postgresql://db/orders \\",
            "        --jdbc-user loader --http 127.0.0.1:8081"})
final class LoadOrdersCommand implements Callable<Integer> {
    static final String DEFAULT_JDBC_URL = "jdbc:h2:./kgroups-data/orders;AUTO_SERVER=TRUE";
    static final String PASSWORD_ENV = "KGROUPS_JDBC_PASSWORD";
    /** An H2 URL naming a database file (optionally {@code file:}), not a server ({@code tcp:}) nor memory. */
    private static final Pattern H2_FILE = Pattern.compile("jdbc:h2:(?:file:)?([.~/][^;]*|[A-Za-z]:[\\/][^;]*)(;.*)?");

    @Mixin
    private CommandContext context;

    @Mixin
    private ClusterOptions cluster;

    @Option(names = "--group", paramLabel = "GROUP", defaultValue = "storage_loader",
            description = "Consumer group, or share group with --group-type share (default: ${DEFAULT-VALUE}).")
    private String group;

    /** The kinds of group a loader can be a member of (lower case, as Kafka names group types). */
    enum LoaderGroupType { consumer, share }

    @Option(names = "--group-type", paramLabel = "consumer|share", defaultValue = "consumer",
            description = "consumer: a consumer group (classic, or the consumer protocol with --consumer-property "
                    + "group.protocol=consumer), a partition's waiting events in one transaction; share: a share group "
                    + "(KIP-932), each event in its own transaction, in any order, any number of loaders whatever the "
                    + "partition count; a share group that has not set share.auto.offset.reset is set to earliest, so "
                    + "that it loads the whole topic (default: ${DEFAULT-VALUE}).")
    private LoaderGroupType groupType;

    @Option(names = "--topic", paramLabel = "TOPIC", defaultValue = "orders", description = "Topic of order events (default: ${DEFAULT-VALUE}).")
    private String topic;

    @Option(names = "--instances", paramLabel = "N", defaultValue = "1",
            description = "Loaders in this process, each a member of the group (default: ${DEFAULT-VALUE}).")
    private int instances;

    @Option(names = "--jdbc-url", paramLabel = "URL", defaultValue = DEFAULT_JDBC_URL,
            description = "The database: PostgreSQL as jdbc:postgresql://HOST/DB, or H2 (default: ${DEFAULT-VALUE}, a "
                    + "file that several processes share). The password comes from $" + PASSWORD_ENV + ".")
    private String jdbcUrl;

    @Option(names = "--jdbc-user", paramLabel = "USER",
            description = "The database user (default: none, the empty user name, which is what the default H2 "
                    + "database is created with).")
    private String jdbcUser;

    @Option(names = "--ordering", paramLabel = "KEY|PARTITION", defaultValue = "PARTITION",
            description = "PARTITION: a partition's waiting events in one transaction; KEY: orders stored in parallel, "
                    + "each order's events in order (default: ${DEFAULT-VALUE}).")
    private Ordering ordering;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "8",
            description = "Transactions at once per loader (default: ${DEFAULT-VALUE}); the pool has as many connections.")
    private int concurrency;

    @Option(names = "--consumer-property", paramLabel = "KEY=VALUE",
            description = "A Kafka consumer setting, such as session.timeout.ms=10000 or group.protocol=consumer; repeatable.")
    private Map<String, String> consumerProperties = new LinkedHashMap<>();

    @Option(names = "--name", paramLabel = "NAME", defaultValue = "loader",
            description = "Client id of the loader: NAME-1, NAME-2 ... with several instances (default: "
                    + "${DEFAULT-VALUE}).")
    private String name;

    @Option(names = "--http", paramLabel = "HOST:PORT", converter = HttpAddress.Converter.class,
            description = "Serve /health (JSON), /health/live and /health/ready here.")
    private HttpAddress http;

    @Option(names = "--report-every", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "10s",
            description = "Print the totals this often (default: ${DEFAULT-VALUE}).")
    private Duration reportEvery;

    @Option(names = "--record-deliveries", description = "Also write the topic, partition and offset of every stored "
            + "event to the table order_deliveries (what the demo and the chaos test check for loss).")
    private boolean recordDeliveries;

    @Option(names = "--exit-with-parent", hidden = true,
            description = "End when the process that started this one ends (the demo and the chaos test).")
    private boolean exitWithParent;

    @Override
    public Integer call() {
        context.textOnly("its totals as they grow (--http serves them as JSON at /health)");
        if (instances < 1 || instances > 64) {
            throw CliException.usage("--instances must be 1 to 64, was " + instances);
        }
        if (concurrency < 1 || concurrency > 256) {
            throw CliException.usage("--concurrency must be 1 to 256, was " + concurrency);
        }
        if (ordering == Ordering.UNORDERED) {
            throw CliException.usage("--ordering must be KEY or PARTITION: UNORDERED could store an order's events out of order");
        }
        Properties kafka = context.cluster().clientConfig().properties();
        kafka.putAll(consumerProperties);
        kafka.setProperty("group.id", group);

        checkDatabaseDirectory(jdbcUrl);
        // The database opens while the cluster is checked: each waits on its own round trips and class
        // loading, one after the other they were about a second of the loader's start (./bench loader).
        String password = context.global().environment().get(PASSWORD_ENV);
        CompletableFuture<OrderStore> opening = CompletableFuture.supplyAsync(() -> OrderStore.open(jdbcUrl, jdbcUser,
                password, concurrency * instances, recordDeliveries), runnable -> {
                    Thread opener = new Thread(runnable, "kgroups-open-database");
                    opener.setDaemon(true);
                    opener.start();
                });
        try {
            ClusterConnection.check(context, false);
            if (groupType == LoaderGroupType.share) {
                startAtEarliest(group);
            }
        } catch (RuntimeException e) {
            opening.thenAccept(OrderStore::close); // the cluster's error is the one to tell; the pool must not stay
            throw e;
        }
        OrderStore store;
        try {
            store = opening.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof OrderStoreException failed) {
                // Not it as the cause: its message, in the stack trace --verbose prints, holds the URL as given.
                throw CliException.failed(failed.getMessage().replace(jdbcUrl, hidePassword(jdbcUrl)), failed.getCause());
            }
            if (e.getCause() instanceof RuntimeException other) {
                throw other; // as if opened on this thread
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
        // Read by /health while the loaders start: the port is bound first, so that a port in use fails
        // before any loader joins the group (a join and a leave would move its partitions twice).
        List<StorageLoader> loaders = new CopyOnWriteArrayList<>();
        Javalin server = null;
        boolean interrupted = false;
        GracefulStop stop = new GracefulStop("kgroups-load-orders", Duration.ofSeconds(60));
        if (exitWithParent) {
            ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(stop::request));
        }
        try {
            if (http != null) {
                server = serveHealth(loaders, instances, http);
            }
            for (int i = 1; i <= instances; i++) {
                Map<String, Object> props = new LinkedHashMap<>();
                kafka.forEach((k, v) -> props.put((String) k, v));
                props.put("client.id", instances == 1 ? name : name + "-" + i);
                try {
                    StorageLoader.Builder loader = StorageLoader.builder().kafkaProperties(props).topic(topic).store(store)
                            .ordering(ordering).concurrency(concurrency);
                    if (groupType == LoaderGroupType.share) {
                        loader.shareGroup();
                    }
                    loaders.add(loader.build().start());
                } catch (IllegalArgumentException | org.apache.kafka.common.KafkaException e) {
                    throw CliException.usage("cannot start the loader: " + e.getMessage()
                            + " (check --consumer-property and --command-config)");
                }
            }
            context.printText(Table.record("group", "type", "topic", "instances", "database", "ordering", "concurrency", "health")
                    .row(group, groupType.name(), topic, instances, hidePassword(jdbcUrl),
                            groupType == LoaderGroupType.share ? "none (share group)" : ordering, concurrency,
                            server == null ? "" : http.url(server.port()) + "/health"));
            context.out().flush();
            while (!stop.await(reportEvery)) {
                report(loaders, true);
                for (StorageLoader loader : loaders) {
                    if (loader.state() == ConsumerState.FAILED) {
                        throw CliException.failed("a loader stopped: " + loader.failure(), null);
                    }
                }
            }
        } catch (InterruptedException e) {
            // Stopped by an embedding program or a test, as by Ctrl-C: close cleanly, then keep the flag.
            interrupted = true;
        } finally {
            // In this order: the loaders stop fetching, store and commit what is in flight and leave the group (all
            // at once: one by one, those still running would take over the partitions of those gone); /health says
            // so meanwhile; then the pool's last connection closes the database.
            closeAll(loaders);
            if (server != null) {
                server.stop();
            }
            store.close();
            report(loaders, false);
            stop.close();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return CliException.OK;
    }

    private static void closeAll(List<StorageLoader> loaders) {
        List<Thread> closing = loaders.stream().map(loader -> new Thread(loader::close, "kgroups-load-orders-close")).toList();
        closing.forEach(Thread::start);
        boolean interrupted = false;
        for (Thread thread : closing) {
            while (thread.isAlive()) {
                try {
                    thread.join(); // bounded: a loader's close gives its batches and commit 30 s
                } catch (InterruptedException e) {
                    interrupted = true; // the pool must not close under the batches still being stored
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The totals. After the stop, "stopped" instead of the lag: a stopped loader holds no partitions,
     * so its lag would read 0 whatever waits (`kgroups lag GROUP` tells).
     */
    private void report(List<StorageLoader> loaders, boolean running) {
        long stored = 0;
        long applied = 0;
        long superseded = 0;
        long absorbed = 0;
        long dead = 0;
        long lag = 0;
        long redelivered = 0;
        for (StorageLoader loader : loaders) {
            ConsumerStats stats = loader.stats();
            ShareConsumerStats share = loader.shareStats();
            stored += stats != null ? stats.processed() : share.processed();
            applied += loader.applied();
            superseded += loader.superseded();
            absorbed += loader.absorbed();
            dead += stats != null ? stats.deadLettered() : share.deadLettered();
            lag += stats != null ? stats.totalLag() : 0;
            redelivered += share != null ? share.redelivered() : 0;
        }
        // A share member knows no lag of its own (`kgroups lag GROUP` has the broker's); it knows what came back.
        String tail = !running ? "stopped" : groupType == LoaderGroupType.share ? "redelivered=" + redelivered : "lag=" + lag;
        context.out().printf("stored=%d applied=%d superseded=%d absorbed=%d dead_lettered=%d %s%n", stored, applied,
                superseded, absorbed, dead, tail);
        context.out().flush();
    }

    private static Javalin serveHealth(List<StorageLoader> loaders, int instances, HttpAddress address) {
        Javalin app = Javalin.create(config -> config.showJavalinBanner = false);
        app.get("/health/live", ctx -> ctx.result("live"));
        app.get("/health/ready", ctx -> {
            boolean ready = loaders.size() == instances && loaders.stream().allMatch(l -> l.state() == ConsumerState.RUNNING);
            ctx.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).result(ready ? "ready" : "not ready");
        });
        app.get("/health", ctx -> {
            List<Map<String, Object>> members = new ArrayList<>();
            boolean down = false;
            for (StorageLoader loader : loaders) {
                Health health = loader.health();
                ConsumerStats stats = loader.stats(); // one snapshot per loader: each call copies its maps
                ShareConsumerStats share = loader.shareStats();
                down |= health.status() == Health.Status.DOWN;
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("state", loader.state());
                m.put("status", health.status());
                m.put("reasons", health.reasons());
                m.put("stored", stats != null ? stats.processed() : share.processed());
                m.put("applied", loader.applied());
                m.put("superseded", loader.superseded());
                m.put("absorbed", loader.absorbed());
                m.put("deadLettered", stats != null ? stats.deadLettered() : share.deadLettered());
                m.put("lag", stats != null ? stats.totalLag() : null);
                members.add(m);
            }
            ctx.status(down ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.OK).json(JsonEnvelope.of("health", members, List.of()));
        });
        try {
            return app.start(address.host(), address.port());
        } catch (RuntimeException e) {
            throw MonitorCommand.cannotServe(address, e);
        }
    }

    /**
     * A new share group starts at the log end (share.auto.offset.reset=latest): a loader would skip
     * every event already in the topic. Set it to earliest unless the group has set it itself.
     */
    private void startAtEarliest(String shareGroup) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, shareGroup);
        try (ClusterConnection connection = ClusterConnection.open(context)) {
            setEarliestUnlessSet(connection, resource, shareGroup);
        } catch (CliException e) {
            // A least-privileged loader may not alter the group's configs: load on, and say where it starts.
            context.err().println("warning: could not check share.auto.offset.reset of share group " + shareGroup + " ("
                    + e.getMessage() + "): a new share group starts at the latest record; set it with kafka-configs "
                    + "--alter --entity-type groups --entity-name " + shareGroup + " --add-config share.auto.offset.reset=earliest");
            context.err().flush();
        }
    }

    private static void setEarliestUnlessSet(ClusterConnection connection, ConfigResource resource, String shareGroup) {
        ConfigEntry entry = connection.await(connection.admin().describeConfigs(List.of(resource)).all(),
                "read the configs of share group " + shareGroup).get(resource).get("share.auto.offset.reset");
        if (entry == null || entry.source() != ConfigEntry.ConfigSource.DYNAMIC_GROUP_CONFIG) {
            connection.await(connection.admin().incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
                    new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET)))).all(),
                    "set share.auto.offset.reset=earliest on share group " + shareGroup);
        }
    }

    /**
     * The directory of an H2 database file, tried first: H2 prints its stack traces to stderr when
     * it cannot write there, before its error reaches the command.
     */
    private static void checkDatabaseDirectory(String jdbcUrl) {
        Matcher file = H2_FILE.matcher(jdbcUrl);
        if (!file.matches()) {
            return; // a server, an in-memory database, another database
        }
        String name = file.group(1).startsWith("~") ? System.getProperty("user.home") + file.group(1).substring(1)
                : file.group(1);
        Path dir = Path.of(name).toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            Files.delete(Files.createTempFile(dir, ".kgroups-check", ".tmp"));
        } catch (IOException e) {
            throw FileError.usage("the database directory of --jdbc-url", dir, e, "give --jdbc-url a database in a "
                    + "directory kgroups can write (the default, ./kgroups-data, is where kgroups runs)");
        }
    }

    /** The URL as it may be shown: a password given in it replaced by [hidden]. */
    static String hidePassword(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1" + ClientConfig.HIDDEN);
    }
}
