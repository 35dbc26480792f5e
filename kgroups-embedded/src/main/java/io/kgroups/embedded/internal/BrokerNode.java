package io.kgroups.embedded.internal;

import io.kgroups.embedded.EmbeddedKafkaException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import kafka.server.BrokerServer;
import kafka.server.ControllerServer;
import kafka.server.KafkaConfig;
import kafka.tools.StorageTool;

/**
 * One Kafka node in KRaft combined mode (broker and controller in one process), with its own
 * directory. Its configuration is fixed when it is made, so a restart binds the same ports and
 * reads the same data.
 *
 * <p>The node is assembled from its two sides, as {@code KafkaRaftServer} does, rather than run
 * through {@code KafkaRaftServer}: that one stops both sides in one call, which waits up to 5
 * minutes for a controller to approve the broker's controlled shutdown. When the nodes of a
 * cluster stop together, the last broker then waits for a quorum that the others' controllers
 * have already left. Here the cluster stops every broker side first, controllers last
 * ({@link ClusterShutdown}).
 */
public final class BrokerNode {
    private final int nodeId;
    private final Path dir;
    private final Map<String, String> config;
    private CombinedServer servers;

    public BrokerNode(int nodeId, Path dir, Map<String, String> config) {
        this.nodeId = nodeId;
        this.dir = dir;
        this.config = Map.copyOf(new TreeMap<>(config));
    }

    public int nodeId() {
        return nodeId;
    }

    public Path dir() {
        return dir;
    }

    public synchronized boolean isRunning() {
        return servers != null;
    }

    /**
     * Formats the node's storage with {@code clusterId} unless it already holds a formatted log
     * directory (a kept data directory), then writes the configuration used beside it.
     */
    public void format(String clusterId) {
        Path propertiesFile = dir.resolve("server.properties");
        try {
            Files.createDirectories(dir);
            Properties properties = new Properties();
            properties.putAll(config);
            try (OutputStream out = Files.newOutputStream(propertiesFile)) {
                properties.store(out, "written by kgroups-embedded for node " + nodeId);
            }
        } catch (IOException e) {
            throw new EmbeddedKafkaException("cannot write the broker configuration in " + dir + ": " + e.getMessage()
                    + "; choose a writable data directory", e);
        }
        if (Files.exists(logDir().resolve("meta.properties"))) {
            return;
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int status;
        try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            status = StorageTool.execute(new String[] {
                "format", "--cluster-id", clusterId, "--config", propertiesFile.toString(), "--ignore-formatted"
            }, print);
        } catch (RuntimeException e) {
            throw new EmbeddedKafkaException("cannot format Kafka storage in " + logDir() + ": " + e.getMessage(), e);
        }
        if (status != 0) {
            throw new EmbeddedKafkaException("cannot format Kafka storage in " + logDir() + ": "
                    + output.toString(StandardCharsets.UTF_8).strip());
        }
    }

    /** Starts the node; returns when its broker has caught up with metadata and is unfenced. */
    public synchronized void start() {
        if (servers != null) {
            return;
        }
        CombinedServer starting = CombinedServer.create(KafkaConfig.fromProps(properties(), false));
        try {
            // As KafkaRaftServer does: the controller first, so that the broker can reach it.
            starting.controller().startup();
            starting.broker().startup();
        } catch (RuntimeException e) {
            // It never served: no controlled shutdown to wait for.
            stopQuietly(() -> starting.broker().shutdown(Duration.ZERO));
            stopQuietly(starting.controller()::shutdown);
            throw new EmbeddedKafkaException("Kafka node " + nodeId + " failed to start: " + rootMessage(e)
                    + " (broker log in the data directory has the details)", e);
        }
        servers = starting;
    }

    /**
     * Stops the broker side (controlled shutdown: the controller moves this broker's partition
     * leaders away first) and waits until it has released its log directory and client port.
     * Waits at most {@code approvalWait} for a controller to approve the controlled shutdown, then
     * stops anyway: with no quorum, no controller can ever answer (Kafka itself waits 5 minutes).
     */
    public void stopBrokerSide(Duration approvalWait) {
        BrokerServer broker;
        synchronized (this) {
            if (servers == null) {
                return;
            }
            broker = servers.broker();
        }
        broker.shutdown(approvalWait);
        broker.awaitShutdown();
    }

    /** Stops the controller side (the node's vote in the quorum); the node is then stopped. */
    public void stopControllerSide() {
        ControllerServer controller;
        synchronized (this) {
            if (servers == null) {
                return;
            }
            controller = servers.controller();
        }
        try {
            controller.shutdown();
            controller.awaitShutdown();
        } finally {
            synchronized (this) {
                // unless it was abandoned meanwhile and started again
                if (servers != null && servers.controller() == controller) {
                    servers = null;
                }
            }
        }
    }

    /**
     * Gives up on a node whose stop did not end: it counts as stopped from now on, and whatever of
     * it still runs holds its threads and ports until the JVM ends.
     */
    public synchronized void abandon() {
        servers = null;
    }

    private static void stopQuietly(Runnable stop) {
        try {
            stop.run();
        } catch (RuntimeException ignored) {
            // it failed to start; what matters is the start error
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    private Path logDir() {
        return Path.of(config.get("log.dirs"));
    }

    private Properties properties() {
        Properties properties = new Properties();
        properties.putAll(config);
        return properties;
    }
}
