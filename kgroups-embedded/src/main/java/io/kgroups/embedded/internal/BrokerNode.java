package io.kgroups.embedded.internal;

import io.kgroups.embedded.EmbeddedKafkaException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.utils.Time;

/**
 * One Kafka node in KRaft combined mode (broker and controller in one server), with its own
 * directory. Its configuration is fixed when it is made, so a restart binds the same ports and
 * reads the same data.
 */
public final class BrokerNode {
    private final int nodeId;
    private final Path dir;
    private final Map<String, String> config;
    private KafkaRaftServer server;

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
        return server != null;
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

    /** Starts the server; returns when the broker has caught up with metadata and is unfenced. */
    public synchronized void start() {
        if (server != null) {
            return;
        }
        KafkaRaftServer starting = new KafkaRaftServer(KafkaConfig.fromProps(properties(), false), Time.SYSTEM);
        try {
            starting.startup();
        } catch (RuntimeException e) {
            shutdownQuietly(starting);
            throw new EmbeddedKafkaException("Kafka node " + nodeId + " failed to start: " + rootMessage(e)
                    + " (broker log in the data directory has the details)", e);
        }
        server = starting;
    }

    /** Stops the server (controlled shutdown) and waits until it has released its files and ports. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        KafkaRaftServer stopping = server;
        server = null;
        stopping.shutdown();
        stopping.awaitShutdown();
    }

    private static void shutdownQuietly(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
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
