package io.kgroups.embedded;

import io.kgroups.embedded.internal.BrokerLogFile;
import io.kgroups.embedded.internal.BrokerNode;
import io.kgroups.embedded.internal.ClusterShutdown;
import io.kgroups.embedded.internal.ExitGuard;
import io.kgroups.embedded.internal.PortAllocator;
import io.kgroups.embedded.internal.SaslSetup;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.server.authorizer.Authorizer;

/**
 * A real Apache Kafka cluster in this JVM: one or more nodes in KRaft combined mode (each node
 * is broker and controller), no ZooKeeper, no Docker.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.builder().brokers(3).build()) {
 *     kafka.start();
 *     String bootstrap = kafka.bootstrapServers();
 *     kafka.stopBroker(2);   // the other two keep the quorum and serve replicated topics
 *     kafka.startBroker(2);
 *     kafka.restart();       // same ports, same data: running clients reconnect by themselves
 * }
 * }</pre>
 *
 * <p>Settings are Kafka's defaults (topics are created on first use, one partition each) except
 * for what a test or a laptop needs: no initial rebalance delay, internal topics replicated to
 * every node, and session-timeout minimums of one second so that a crashed member can be
 * detected in seconds (with the consumer protocol, set the group's
 * {@code consumer.session.timeout.ms} to use it). Anything else: {@link Builder#brokerProperty}.
 *
 * <p>{@link Builder#sasl()} makes a secured cluster: SASL/SCRAM-SHA-512 for clients, ACLs
 * enforced, an admin super user; {@link #addUser}, {@link #grant} and {@link #revoke} set up the
 * principals of a test.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.builder().sasl().build().start()) {
 *     kafka.addUser("monitor", "monitor-secret");
 *     kafka.grant(new AclBinding(new ResourcePattern(ResourceType.GROUP, "*", PatternType.LITERAL),
 *             new AccessControlEntry("User:monitor", "*", AclOperation.DESCRIBE, AclPermissionType.ALLOW)));
 *     Admin monitor = Admin.create(kafka.clientProperties("monitor", "monitor-secret"));
 * }
 * }</pre>
 *
 * <p>The broker's logs go to {@code broker.log} in the data directory when Logback is the
 * logging backend. The broker cannot end the host JVM: its exit calls are refused.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final String NODE_DIR_PREFIX = "node-";
    /** A metadata record reaches every node in milliseconds; this long means one is stuck. */
    private static final long PROPAGATION_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final int SCRAM_ITERATIONS = 4096;

    private final Builder settings;
    private final boolean temporary;
    private Path dataDir;
    private final Map<Integer, BrokerNode> nodes = new LinkedHashMap<>();
    private final List<Integer> clientPorts = new ArrayList<>();
    private BrokerLogFile brokerLog;
    /** Set by the first start of a secured cluster. */
    private SaslSetup sasl;
    private boolean closed;

    private EmbeddedKafka(Builder settings) {
        this.settings = settings;
        this.temporary = settings.dataDir == null;
        this.dataDir = settings.dataDir;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts every node that is not running and returns when all of them serve clients. The first
     * start formats storage (unless the data directory already holds this cluster) and fixes the
     * ports for the life of this object.
     */
    public synchronized EmbeddedKafka start() {
        requireOpen();
        if (nodes.isEmpty()) {
            prepare();
        }
        forEachNode(nodes.values().stream().filter(n -> !n.isRunning()).toList(), BrokerNode::start);
        return this;
    }

    /**
     * Stops every node; the data and the ports stay for {@link #start()}. Always ends, within
     * about a minute at worst: a node that does not stop by then is left behind (logged).
     */
    public synchronized void stop() {
        stopNodes(nodes.values().stream().filter(BrokerNode::isRunning).toList());
    }

    /** Stops and starts every node on the same data and ports. */
    public synchronized void restart() {
        stop();
        start();
    }

    /** Stops one node (1 to {@code brokers}); with three nodes the other two keep serving. */
    public synchronized void stopBroker(int nodeId) {
        stopNodes(List.of(node(nodeId)));
    }

    /** Starts a node stopped by {@link #stopBroker(int)}. */
    public synchronized void startBroker(int nodeId) {
        requireOpen();
        node(nodeId).start();
    }

    /** {@code host:port} of every node's client listener, comma-separated, as clients take it. */
    public synchronized String bootstrapServers() {
        if (clientPorts.isEmpty()) {
            throw new IllegalStateException("the cluster has not been started: call start() first");
        }
        return clientPorts.stream().map(p -> settings.host + ":" + p).collect(Collectors.joining(","));
    }

    /**
     * Creates a topic and returns once every partition's leader serves it. Prefer this to
     * creation on first use before producing with several requests in flight: with Kafka 4.4 a
     * produce request that reaches a partition before its leader has applied the creation is
     * retried, while a later request is appended, and the idempotent producer then retries the
     * first one until {@code delivery.timeout.ms} and fails it (KAFKA-15591, fixed in Kafka 4.5).
     */
    public void createTopic(String name, int partitions, int replicationFactor, Map<String, String> configs) {
        try (Admin admin = Admin.create(adminClientProperties())) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) replicationFactor).configs(configs)))
                    .all().get();
            // ListOffsets is answered by each partition's leader: once it answers, the leader has
            // applied the creation. Until the Admin client's metadata has the topic, it says unknown.
            Map<TopicPartition, OffsetSpec> partitionsOfTopic = new LinkedHashMap<>();
            for (int p = 0; p < partitions; p++) {
                partitionsOfTopic.put(new TopicPartition(name, p), OffsetSpec.latest());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                try {
                    admin.listOffsets(partitionsOfTopic).all().get();
                    break;
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(50);
                }
            }
        } catch (ExecutionException e) {
            throw new EmbeddedKafkaException("cannot create topic " + name + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmbeddedKafkaException("interrupted while creating topic " + name, e);
        }
    }

    /** {@link #createTopic(String, int, int, Map)} with replication factor 1 and the broker's topic defaults. */
    public void createTopic(String name, int partitions) {
        createTopic(name, partitions, 1, Map.of());
    }

    /** Whether the cluster is secured ({@link Builder#sasl()}). */
    public boolean isSecure() {
        return settings.sasl;
    }

    /**
     * Client settings of the admin: {@code bootstrap.servers} and, for a secured cluster, its
     * SASL settings (a super user: every operation is allowed). Pass them to any Kafka client;
     * their {@code toString} hides the password.
     */
    public synchronized Properties adminClientProperties() {
        String bootstrap = bootstrapServers();
        Properties properties = sasl == null ? new Properties() : SaslSetup.clientProperties(SaslSetup.ADMIN, sasl.adminPassword());
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return properties;
    }

    /**
     * Client settings of {@code user} of a secured cluster (added by {@link #addUser}):
     * {@code bootstrap.servers} and its SASL/SCRAM-SHA-512 settings; their {@code toString} hides
     * the password.
     */
    public synchronized Properties clientProperties(String user, String password) {
        requireSecure("clientProperties");
        Properties properties = SaslSetup.clientProperties(user, password);
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return properties;
    }

    /**
     * The admin's client settings as a file, {@code client.properties} in the data directory,
     * readable by its owner only ({@code rw-------}): for {@code kgroups --command-config} or
     * Kafka's own tools. It holds the admin's password (in nothing else this cluster writes or
     * logs) and no bootstrap address. Null for a cluster that is not secured.
     */
    public synchronized Path clientPropertiesFile() {
        bootstrapServers(); // started?
        return sasl == null ? null : dataDir.resolve(SaslSetup.CLIENT_PROPERTIES);
    }

    /**
     * Adds {@code user} to a secured cluster, or gives it a new password: a SCRAM-SHA-512
     * credential (4096 iterations). Returns once every running broker takes the password. The
     * user may do nothing until {@link #grant granted}.
     */
    public synchronized void addUser(String user, String password) {
        requireSecure("addUser");
        if (user == null || user.isBlank()) {
            throw new IllegalArgumentException("the user name must not be empty");
        }
        if (user.equals(SaslSetup.ADMIN) || user.equals(SaslSetup.NODE_USER)) {
            throw new IllegalArgumentException(user + " is a super user of the cluster itself: choose another user name");
        }
        SaslSetup.checkPassword("the password of " + user, password);
        try (Admin admin = Admin.create(adminClientProperties())) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS), password))).all().get();
        } catch (ExecutionException e) {
            throw new EmbeddedKafkaException("cannot add user " + user + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmbeddedKafkaException("interrupted while adding user " + user, e);
        }
        awaitEveryRunningNode("the credential of user " + user, node -> verifies(node.scramCredential(user), password));
    }

    /**
     * Creates the ACLs and returns once every running node (its broker and its controller, which
     * authorizes what brokers forward to it) authorizes with all of them: a request right after
     * this is allowed, whichever broker it reaches.
     */
    public synchronized void grant(AclBinding... acls) {
        requireSecure("grant");
        try (Admin admin = Admin.create(adminClientProperties())) {
            admin.createAcls(List.of(acls)).all().get();
        } catch (ExecutionException e) {
            throw new EmbeddedKafkaException("cannot create ACLs " + List.of(acls) + ": " + e.getCause().getMessage(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmbeddedKafkaException("interrupted while creating ACLs", e);
        }
        awaitEveryRunningNode("the ACLs " + List.of(acls), node -> node.authorizers().stream().allMatch(authorizer ->
                List.of(acls).stream().allMatch(acl -> contains(authorizer, acl.toFilter(), acl::equals))));
    }

    /**
     * Deletes every ACL matching the filters and returns once no running node authorizes with
     * any of them.
     */
    public synchronized void revoke(AclBindingFilter... filters) {
        requireSecure("revoke");
        try (Admin admin = Admin.create(adminClientProperties())) {
            admin.deleteAcls(List.of(filters)).all().get();
        } catch (ExecutionException e) {
            throw new EmbeddedKafkaException("cannot delete ACLs " + List.of(filters) + ": " + e.getCause().getMessage(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmbeddedKafkaException("interrupted while deleting ACLs", e);
        }
        awaitEveryRunningNode("the removal of ACLs " + List.of(filters), node -> node.authorizers().stream()
                .noneMatch(authorizer -> List.of(filters).stream().anyMatch(filter -> contains(authorizer, filter, acl -> true))));
    }

    private static boolean contains(Authorizer authorizer, AclBindingFilter filter, Predicate<AclBinding> wanted) {
        for (AclBinding acl : authorizer.acls(filter)) {
            if (wanted.test(acl)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code password} logs in against {@code credential}, as the broker checks it. */
    private static boolean verifies(ScramCredential credential, String password) {
        if (credential == null) {
            return false;
        }
        try {
            ScramFormatter formatter = new ScramFormatter(
                    org.apache.kafka.common.security.scram.internals.ScramMechanism.SCRAM_SHA_512);
            byte[] salted = formatter.saltedPassword(password, credential.salt(), credential.iterations());
            return MessageDigest.isEqual(formatter.storedKey(formatter.clientKey(salted)), credential.storedKey());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot compute SCRAM-SHA-512: " + e.getMessage(), e);
        }
    }

    /**
     * Waits until {@code reached} holds on every running node (the caller holds this object's
     * lock, so none starts or stops meanwhile). Metadata reaches each node on its own: a node
     * that applies a change later than the others would make a test pass or fail by chance.
     */
    private void awaitEveryRunningNode(String what, Predicate<BrokerNode> reached) {
        long deadline = System.nanoTime() + PROPAGATION_LIMIT_NANOS;
        while (true) {
            List<Integer> behind = nodes.values().stream().filter(BrokerNode::isRunning).filter(reached.negate())
                    .map(BrokerNode::nodeId).toList();
            if (behind.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new EmbeddedKafkaException(what + " did not reach node(s) " + behind + " within "
                        + TimeUnit.NANOSECONDS.toSeconds(PROPAGATION_LIMIT_NANOS) + " s (broker log in the data "
                        + "directory has the details)");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EmbeddedKafkaException("interrupted while waiting for " + what + " to reach every node", e);
            }
        }
    }

    private void requireSecure(String method) {
        if (!settings.sasl) {
            throw new IllegalStateException(method + " needs a secured cluster: build it with sasl()");
        }
    }

    /** The client port of each node, in node order. */
    public synchronized List<Integer> ports() {
        return List.copyOf(clientPorts);
    }

    public int brokers() {
        return settings.brokers;
    }

    public synchronized boolean isRunning(int nodeId) {
        return node(nodeId).isRunning();
    }

    /** The data directory; null before the first {@link #start()} when it is a temporary one. */
    public synchronized Path dataDir() {
        return dataDir;
    }

    /** Where the broker's own logs go (when Logback is the logging backend). */
    public synchronized Path logFile() {
        return dataDir == null ? null : dataDir.resolve("broker.log");
    }

    /** Stops every node; deletes the data directory if it was a temporary one. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stop();
        } finally {
            if (brokerLog != null) {
                brokerLog.close();
            }
            if (temporary && dataDir != null) {
                deleteRecursively(dataDir);
            }
        }
    }

    private void prepare() {
        Path dir = temporary ? createTemporaryDir() : createDir(dataDir);
        dataDir = dir;
        checkExistingNodes(dir);
        brokerLog = BrokerLogFile.open(dir.resolve("broker.log"));
        ExitGuard.install();

        int count = settings.brokers;
        List<Integer> ports = new ArrayList<>();
        if (settings.port == 0) {
            ports.addAll(PortAllocator.freePorts(settings.host, count));
        } else {
            for (int i = 0; i < count; i++) {
                int port = settings.port + i;
                PortAllocator.requireFree(settings.host, port, "choose another port (0 picks a free one)");
                ports.add(port);
            }
        }
        List<Integer> controllerPorts = PortAllocator.freePorts(settings.host, count);
        // A secured node's brokers talk to each other on a listener of their own (PLAIN, see SaslSetup).
        List<Integer> internalPorts = settings.sasl ? PortAllocator.freePorts(settings.host, count) : List.of();
        String voters = "";
        for (int i = 0; i < count; i++) {
            voters += (i == 0 ? "" : ",") + (i + 1) + "@" + settings.host + ":" + controllerPorts.get(i);
        }
        Optional<String> existingId = existingClusterId(dir);
        if (settings.sasl) {
            sasl = SaslSetup.forDataDir(dir, existingId.isPresent(), settings.adminPassword);
        } else if (existingId.isPresent() && SaslSetup.isSecured(dir)) {
            throw new EmbeddedKafkaException("data directory " + dir + " holds a secured cluster (its admin's "
                    + SaslSetup.CLIENT_PROPERTIES + " is there): start it with SASL or use another data directory");
        }
        String clusterId = existingId.orElseGet(() -> Uuid.randomUuid().toString());
        Map<String, String> scramUsers = sasl == null ? Map.of() : sasl.scramUsersAtFormat();
        for (int i = 0; i < count; i++) {
            int nodeId = i + 1;
            Path nodeDir = dir.resolve(NODE_DIR_PREFIX + nodeId);
            Map<String, String> listeners = sasl == null ? plainListeners(ports.get(i), controllerPorts.get(i))
                    : sasl.nodeConfig(settings.host, ports.get(i), internalPorts.get(i), controllerPorts.get(i));
            BrokerNode node = new BrokerNode(nodeId, nodeDir, nodeConfig(nodeId, nodeDir, listeners, voters));
            node.format(clusterId, scramUsers);
            nodes.put(nodeId, node);
        }
        clientPorts.addAll(ports);
    }

    private Map<String, String> plainListeners(int port, int controllerPort) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("listeners", "PLAINTEXT://" + settings.host + ":" + port + ",CONTROLLER://" + settings.host + ":"
                + controllerPort);
        config.put("advertised.listeners", "PLAINTEXT://" + settings.host + ":" + port);
        config.put("controller.listener.names", "CONTROLLER");
        config.put("inter.broker.listener.name", "PLAINTEXT");
        config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        return config;
    }

    private Map<String, String> nodeConfig(int nodeId, Path nodeDir, Map<String, String> listeners, String voters) {
        int n = settings.brokers;
        Map<String, String> config = new LinkedHashMap<>();
        config.put("process.roles", "broker,controller");
        config.put("node.id", String.valueOf(nodeId));
        config.put("controller.quorum.voters", voters);
        config.putAll(listeners);
        config.put("log.dirs", nodeDir.resolve("data").toString());
        config.put("num.partitions", String.valueOf(settings.partitions));
        // Internal topics on every node (Kafka's default of 3 cannot be met by fewer nodes).
        config.put("offsets.topic.replication.factor", String.valueOf(n));
        config.put("transaction.state.log.replication.factor", String.valueOf(n));
        config.put("transaction.state.log.min.isr", String.valueOf(Math.min(2, n)));
        config.put("share.coordinator.state.topic.replication.factor", String.valueOf(n));
        config.put("share.coordinator.state.topic.min.isr", String.valueOf(Math.min(2, n)));
        // A group forms at once, and a dead member can be noticed in about a second.
        config.put("group.initial.rebalance.delay.ms", "0");
        config.put("group.min.session.timeout.ms", "1000");
        config.put("group.consumer.min.session.timeout.ms", "1000");
        config.put("group.consumer.min.heartbeat.interval.ms", "250");
        config.put("group.share.min.session.timeout.ms", "1000");
        config.put("group.share.min.heartbeat.interval.ms", "250");
        // Tests of lock renewal and expiry set a share group's lock to seconds, not Kafka's minimum of 15.
        config.put("group.share.min.record.lock.duration.ms", "1000");
        config.putAll(settings.brokerProperties);
        return config;
    }

    private void checkExistingNodes(Path dir) {
        List<String> existing;
        try (Stream<Path> children = Files.list(dir)) {
            existing = children.map(p -> p.getFileName().toString())
                    .filter(name -> name.startsWith(NODE_DIR_PREFIX)).sorted().toList();
        } catch (IOException e) {
            throw new EmbeddedKafkaException("cannot read data directory " + dir + ": " + e.getMessage(), e);
        }
        if (!existing.isEmpty() && existing.size() != settings.brokers) {
            throw new EmbeddedKafkaException("data directory " + dir + " holds a cluster of " + existing.size()
                    + " broker(s), not " + settings.brokers + ": start it with " + existing.size()
                    + " broker(s) or use another data directory");
        }
    }

    private static Optional<String> existingClusterId(Path dir) {
        try (Stream<Path> metas = Files.find(dir, 4, (p, a) -> p.getFileName().toString().equals("meta.properties"))) {
            for (Path meta : (Iterable<Path>) metas::iterator) {
                Properties properties = new Properties();
                try (InputStream in = Files.newInputStream(meta)) {
                    properties.load(in);
                }
                String id = properties.getProperty("cluster.id");
                if (id != null) {
                    return Optional.of(id);
                }
            }
        } catch (IOException e) {
            throw new EmbeddedKafkaException("cannot read the cluster id in " + dir + ": " + e.getMessage(), e);
        }
        return Optional.empty();
    }

    private static Path createTemporaryDir() {
        try {
            return Files.createTempDirectory("kgroups-kafka-");
        } catch (IOException e) {
            throw new EmbeddedKafkaException("cannot create a temporary data directory: " + e.getMessage()
                    + "; set java.io.tmpdir to a writable directory or give a data directory", e);
        }
    }

    private static Path createDir(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException | RuntimeException e) {
            throw new EmbeddedKafkaException("cannot create data directory " + dir + " (" + e
                    + "): choose a writable directory", e);
        }
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw new EmbeddedKafkaException("data directory " + dir + " is not writable: choose a writable directory");
        }
        return dir.toAbsolutePath();
    }

    private void stopNodes(List<BrokerNode> targets) {
        ClusterShutdown.stop(targets, settings.brokers, nodes.values().stream().filter(BrokerNode::isRunning).count());
    }

    /** Runs {@code action} on the nodes at once: a KRaft quorum only forms when a majority runs. */
    private static void forEachNode(List<BrokerNode> targets, Consumer<BrokerNode> action) {
        if (targets.size() == 1) {
            action.accept(targets.get(0));
            return;
        }
        List<CompletableFuture<Void>> futures = targets.stream()
                .map(node -> CompletableFuture.runAsync(() -> action.accept(node), runnable -> {
                    Thread thread = new Thread(runnable, "kgroups-embedded-node-" + node.nodeId());
                    thread.setDaemon(true);
                    thread.start();
                }))
                .toList();
        try {
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw e;
        }
    }

    private BrokerNode node(int nodeId) {
        BrokerNode node = nodes.get(nodeId);
        if (node == null) {
            throw new IllegalArgumentException(nodes.isEmpty()
                    ? "the cluster has not been started: call start() first"
                    : "no broker " + nodeId + ": brokers are numbered 1 to " + settings.brokers);
        }
        return node;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("this EmbeddedKafka is closed: build a new one");
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is not worth failing a close for
        }
    }

    /** Settings of an {@link EmbeddedKafka}; every one has a default. */
    public static final class Builder {
        private int brokers = 1;
        private int partitions = 1;
        private Path dataDir;
        private int port;
        private String host = "127.0.0.1";
        private boolean sasl;
        private String adminPassword;
        private final Map<String, String> brokerProperties = new LinkedHashMap<>();

        private Builder() {
        }

        /** Number of nodes, each broker and controller (default 1; 3 for replication tests). */
        public Builder brokers(int brokers) {
            if (brokers < 1 || brokers > 9) {
                throw new IllegalArgumentException("brokers must be 1 to 9, was " + brokers);
            }
            this.brokers = brokers;
            return this;
        }

        /** Partitions of a topic created on first use ({@code num.partitions}; default 1, as Kafka's). */
        public Builder partitions(int partitions) {
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
            }
            this.partitions = partitions;
            return this;
        }

        /**
         * Where the data goes. Given, it is kept on close and reused by the next cluster started on
         * it; not given, a temporary directory is made and deleted on close.
         */
        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir == null ? null : dataDir.toAbsolutePath();
            return this;
        }

        /**
         * Client port of the first node; node i gets {@code port + i - 1}. 0 (the default) picks
         * free ports. Controller ports are always picked free.
         */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0 (any free port) to 65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /** Address to bind and advertise (default 127.0.0.1: reachable from this machine only). */
        public Builder host(String host) {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("host must not be empty");
            }
            this.host = host;
            return this;
        }

        /**
         * A secured cluster, as a production one: the client listener is SASL_PLAINTEXT with
         * SCRAM-SHA-512; the nodes authenticate to each other (SASL PLAIN on the controller and
         * inter-broker listeners, as Kafka's own tests do: SCRAM cannot work controller to
         * controller); ACLs are enforced by {@code StandardAuthorizer} with
         * {@code allow.everyone.if.no.acl.found=false}. The super users are {@code User:admin},
         * whose SCRAM credential is added when storage is formatted, with a random password
         * ({@link #adminClientProperties()}, {@link #clientPropertiesFile()}), and the nodes'
         * own principal. A kept data directory keeps its admin password, users and ACLs.
         */
        public Builder sasl() {
            this.sasl = true;
            return this;
        }

        /**
         * {@link #sasl()} with this admin password (printable ASCII, no spaces, quotes,
         * backslashes or commas). A kept data directory must be started with the password it was
         * formatted with, or with none.
         */
        public Builder sasl(String adminPassword) {
            SaslSetup.checkPassword("the admin password", adminPassword);
            this.sasl = true;
            this.adminPassword = adminPassword;
            return this;
        }

        /** Any broker setting, applied last (overrides the defaults above). */
        public Builder brokerProperty(String key, String value) {
            brokerProperties.put(key, value);
            return this;
        }

        public EmbeddedKafka build() {
            if (port != 0 && port + brokers - 1 > 65535) {
                throw new IllegalArgumentException("ports " + port + " to " + (port + brokers - 1)
                        + " do not fit below 65536: choose a lower port");
            }
            Builder copy = new Builder();
            copy.brokers = brokers;
            copy.partitions = partitions;
            copy.dataDir = dataDir;
            copy.port = port;
            copy.host = host;
            copy.sasl = sasl;
            copy.adminPassword = adminPassword;
            copy.brokerProperties.putAll(brokerProperties);
            return new EmbeddedKafka(copy);
        }
    }
}
