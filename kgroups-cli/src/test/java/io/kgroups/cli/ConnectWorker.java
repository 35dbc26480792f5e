package io.kgroups.cli;

import static org.awaitility.Awaitility.await;

import io.kgroups.embedded.EmbeddedKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.connect.connector.policy.ConnectorClientConfigOverridePolicy;
import org.apache.kafka.connect.errors.NotFoundException;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.runtime.Herder;
import org.apache.kafka.connect.runtime.Worker;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.runtime.distributed.DistributedConfig;
import org.apache.kafka.connect.runtime.distributed.DistributedHerder;
import org.apache.kafka.connect.runtime.isolation.Plugins;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.storage.KafkaConfigBackingStore;
import org.apache.kafka.connect.storage.KafkaOffsetBackingStore;
import org.apache.kafka.connect.storage.KafkaStatusBackingStore;
import org.apache.kafka.connect.storage.StringConverter;
import org.apache.kafka.connect.util.ConnectUtils;
import org.apache.kafka.connect.util.FutureCallback;
import org.apache.kafka.connect.util.SharedTopicAdmin;

/**
 * A real Kafka Connect distributed worker in this JVM, as a peer on an {@link EmbeddedKafka}. Its
 * group (a classic group of protocol type {@code connect}, one member) and its config, offset and
 * status topics are Connect's own; a sink connector it runs has a consumer group
 * {@code connect-<name>} whose offsets Connect commits. It serves no REST API: see the
 * connect-runtime dependency in this module's pom.xml.
 *
 * <p>A second worker started on the same group joins it as another member. Without REST a worker
 * cannot forward a request to its group's leader, so create connectors on the first one (the
 * leader). The groups and topics stay on the cluster after {@link #close()} (the group without
 * members): give each test its own group id and connector names, or its own cluster.
 *
 * <pre>{@code
 * try (ConnectWorker worker = ConnectWorker.start(kafka, "connect-cluster")) {
 *     String group = worker.startSink("orders-sink", "orders");   // "connect-orders-sink"
 *     ...
 * }
 * }</pre>
 */
final class ConnectWorker implements AutoCloseable {
    /** Connect's default {@code group.id}. */
    static final String DEFAULT_GROUP = "connect-cluster";

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final AtomicInteger WORKERS = new AtomicInteger();

    private final String groupId;
    private final DistributedHerder herder;
    private boolean closed;

    private ConnectWorker(String groupId, DistributedHerder herder) {
        this.groupId = groupId;
        this.herder = herder;
    }

    /** {@link #start(EmbeddedKafka, String)} with Connect's default group, {@value #DEFAULT_GROUP}. */
    static ConnectWorker start(EmbeddedKafka kafka) {
        return start(kafka, DEFAULT_GROUP);
    }

    /**
     * Starts a worker of group {@code groupId} and returns once it is a member of the group's
     * current generation. Its topics are {@code <groupId>-configs}, {@code -offsets} and
     * {@code -status}, one partition each, replication factor 1; Connect creates them if absent.
     */
    static ConnectWorker start(EmbeddedKafka kafka, String groupId) {
        Map<String, String> props = workerProperties(kafka.bootstrapServers(), groupId);
        DistributedHerder herder = herder(props);
        herder.start();
        ConnectWorker worker = new ConnectWorker(groupId, herder);
        // The herder's loop runs a request only once it is a member of a completed rebalance.
        FutureCallback<Void> joined = new FutureCallback<>();
        herder.healthCheck(joined);
        try {
            waitFor(joined, "the Connect worker joining group " + groupId);
        } catch (RuntimeException e) {
            worker.close();
            throw e;
        }
        return worker;
    }

    String groupId() {
        return groupId;
    }

    /** The worker's config, offset and status topics. */
    List<String> internalTopics() {
        return List.of(groupId + "-configs", groupId + "-offsets", groupId + "-status");
    }

    /**
     * Runs a sink connector named {@code name} with one task that reads {@code topic} from the
     * earliest offset and discards what it reads ({@link DiscardSinkConnector}); returns its
     * consumer group, {@code connect-<name>}, once the connector and its task run. Connect commits
     * the group's offsets every 200 ms while the task runs.
     */
    String startSink(String name, String topic) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("name", name);
        config.put("connector.class", DiscardSinkConnector.class.getName());
        config.put("tasks.max", "1");
        config.put("topics", topic);
        FutureCallback<Herder.Created<ConnectorInfo>> created = new FutureCallback<>();
        herder.putConnectorConfig(name, config, false, created);
        waitFor(created, "Connect creating connector " + name);
        await("connector " + name + " and its task running").atMost(TIMEOUT).pollInterval(Duration.ofMillis(100))
                .ignoreException(NotFoundException.class)
                .untilAsserted(() -> requireRunning(herder.connectorStatus(name)));
        return "connect-" + name;
    }

    /**
     * Stops the connectors and their tasks and leaves the group. Bounded by Connect's shutdown
     * timeouts: about a second on a running cluster, at most about a minute if the cluster is gone.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        herder.stop();
    }

    /** Waits for a herder request; {@code what} names it in the error. */
    private static void waitFor(FutureCallback<?> request, String what) {
        try {
            request.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(what + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(what + " did not finish within " + TIMEOUT.toSeconds()
                    + " s: Connect logs why to the test output (ERROR lines of org.apache.kafka.connect)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + what, e);
        }
    }

    private static void requireRunning(ConnectorStateInfo status) {
        List<ConnectorStateInfo.AbstractState> states = new ArrayList<>(status.tasks());
        states.add(0, status.connector());
        for (ConnectorStateInfo.AbstractState state : states) {
            if (state.state().equals("FAILED")) {
                throw new IllegalStateException("connector " + status.name() + " failed: " + state.trace());
            }
        }
        if (status.tasks().isEmpty() || !states.stream().allMatch(s -> s.state().equals("RUNNING"))) {
            throw new AssertionError("connector " + status.name() + " is " + status.connector().state()
                    + ", its tasks " + status.tasks().stream().map(ConnectorStateInfo.AbstractState::state).toList());
        }
    }

    private static Map<String, String> workerProperties(String bootstrap, String groupId) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("bootstrap.servers", bootstrap);
        props.put("group.id", groupId);
        props.put("config.storage.topic", groupId + "-configs");
        props.put("offset.storage.topic", groupId + "-offsets");
        props.put("status.storage.topic", groupId + "-status");
        props.put("config.storage.replication.factor", "1");
        props.put("offset.storage.replication.factor", "1");
        props.put("status.storage.replication.factor", "1");
        // One partition each instead of 25 and 5: less to create and read back at start-up.
        props.put("offset.storage.partitions", "1");
        props.put("status.storage.partitions", "1");
        props.put("key.converter", StringConverter.class.getName());
        props.put("value.converter", StringConverter.class.getName());
        // Sink tasks commit their consumer offsets at this interval (Connect's default is a minute).
        props.put("offset.flush.interval.ms", "200");
        // Assign at once when a worker leaves instead of waiting for it to come back.
        props.put("scheduled.rebalance.max.delay.ms", "0");
        // A worker hears of a rebalance that another member's join or leave starts on its next heartbeat.
        props.put("heartbeat.interval.ms", "500");
        props.put("task.shutdown.graceful.timeout.ms", "2000");
        // Plugins from their META-INF/services files (the test sink has one), without scanning
        // the whole test class path.
        props.put(WorkerConfig.PLUGIN_DISCOVERY_CONFIG, "service_load");
        return props;
    }

    /** What Connect's ConnectDistributed.createHerder builds, less the REST server and client. */
    private static DistributedHerder herder(Map<String, String> props) {
        Plugins plugins = new Plugins(props);
        DistributedConfig config = new DistributedConfig(props);
        String kafkaClusterId = config.kafkaClusterId();
        String clientIdBase = ConnectUtils.clientIdBase(config);
        Map<String, Object> adminProps = new HashMap<>(config.originals());
        adminProps.put("client.id", clientIdBase + "shared-admin");
        SharedTopicAdmin sharedAdmin = new SharedTopicAdmin(adminProps);

        KafkaOffsetBackingStore offsetStore = new KafkaOffsetBackingStore(sharedAdmin, () -> clientIdBase,
                plugins.newInternalConverter(true, JsonConverter.class.getName(), Map.of("schemas.enable", "false")));
        offsetStore.configure(config);
        ConnectorClientConfigOverridePolicy policy = plugins.newPlugin(
                config.getString(WorkerConfig.CONNECTOR_CLIENT_POLICY_CLASS_CONFIG), config,
                ConnectorClientConfigOverridePolicy.class);
        // Without REST, the URL the worker announces to its group is served by nothing; a single
        // worker is its group's leader and never forwards a request to it.
        String restUrl = "http://127.0.0.1:0/";
        // Connect names a worker by its REST address; statuses say which worker runs what.
        String workerId = "kgroups-test-worker-" + WORKERS.incrementAndGet();
        Worker worker = new Worker(workerId, Time.SYSTEM, plugins, config, offsetStore, policy);
        KafkaStatusBackingStore statusStore = new KafkaStatusBackingStore(Time.SYSTEM,
                worker.getInternalValueConverter(), sharedAdmin, clientIdBase);
        statusStore.configure(config);
        KafkaConfigBackingStore configStore = new KafkaConfigBackingStore(worker.getInternalValueConverter(), config,
                worker.configTransformer(), sharedAdmin, clientIdBase);
        return new DistributedHerder(config, Time.SYSTEM, worker, kafkaClusterId, statusStore, configStore, restUrl,
                null, policy, List.of(), sharedAdmin);
    }
}
