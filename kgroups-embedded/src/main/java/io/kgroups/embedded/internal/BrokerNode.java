package io.kgroups.embedded.internal;

import io.kgroups.embedded.EmbeddedKafkaException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import kafka.server.BrokerServer;
import kafka.server.ControllerServer;
import kafka.server.KafkaConfig;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.common.internals.Plugin;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.server.authorizer.Authorizer;
import scala.Option;

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
     * directory (a kept data directory), then writes the configuration used beside it (owner-only:
     * a secured node's holds the nodes' password). {@code scramUsers} (name to password) get a
     * SCRAM-SHA-512 credential in the new metadata log, before any node runs.
     */
    public void format(String clusterId, Map<String, String> scramUsers) {
        Path propertiesFile = dir.resolve("server.properties");
        try {
            Files.createDirectories(dir);
            Properties properties = new Properties();
            properties.putAll(config);
            StringWriter text = new StringWriter();
            properties.store(text, "written by kgroups-embedded for node " + nodeId);
            PrivateFile.write(propertiesFile, text.toString());
        } catch (IOException e) {
            throw new EmbeddedKafkaException("cannot write the broker configuration in " + dir + ": " + e.getMessage()
                    + "; choose a writable data directory", e);
        }
        if (Files.exists(logDir().resolve("meta.properties"))) {
            return;
        }
        List<String> args = new ArrayList<>(List.of(
                "format", "--cluster-id", clusterId, "--config", propertiesFile.toString(), "--ignore-formatted"));
        scramUsers.forEach((user, password) -> {
            args.add("--add-scram");
            args.add(ScramMechanism.SCRAM_SHA_512.mechanismName() + "=[name=" + user + ",password=" + password + "]");
        });
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int status;
        try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            status = StorageTool.execute(args.toArray(String[]::new), print);
        } catch (RuntimeException e) {
            // StorageTool's complaint about a --add-scram argument quotes the argument: the password with it.
            throw new EmbeddedKafkaException("cannot format Kafka storage in " + logDir() + ": "
                    + masked(String.valueOf(e.getMessage()), scramUsers));
        }
        if (status != 0) {
            throw new EmbeddedKafkaException("cannot format Kafka storage in " + logDir() + ": "
                    + masked(output.toString(StandardCharsets.UTF_8).strip(), scramUsers));
        }
    }

    private static String masked(String text, Map<String, String> scramUsers) {
        String result = text;
        for (String password : scramUsers.values()) {
            result = result.replace(password, "[hidden]");
        }
        return result;
    }

    /**
     * The authorizers of the running node, its broker's and its controller's (the controller
     * authorizes what brokers forward to it, such as topic creation); none when it is stopped or
     * has no authorizer.
     */
    public synchronized List<Authorizer> authorizers() {
        List<Authorizer> authorizers = new ArrayList<>();
        if (servers != null) {
            for (Option<Plugin<Authorizer>> plugin : List.of(servers.broker().authorizerPlugin(),
                    servers.controller().authorizerPlugin())) {
                if (plugin.isDefined()) {
                    authorizers.add(plugin.get().get());
                }
            }
        }
        return authorizers;
    }

    /** The SCRAM-SHA-512 credential of {@code user} that the running broker checks logins against; null if none. */
    public synchronized ScramCredential scramCredential(String user) {
        if (servers == null) {
            return null;
        }
        var cache = servers.broker().credentialProvider().credentialCache
                .cache(ScramMechanism.SCRAM_SHA_512.mechanismName(), ScramCredential.class);
        return cache == null ? null : cache.get(user);
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
