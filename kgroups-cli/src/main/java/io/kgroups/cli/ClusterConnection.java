package io.kgroups.cli;

import io.kgroups.admin.GroupAdmin;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;

/**
 * An {@link Admin} client for one command, bounded by {@code --timeout}, whose failures become
 * one-line errors that say what to check.
 */
public final class ClusterConnection implements AutoCloseable {
    private final Admin admin;
    private final String bootstrap;
    private final Duration timeout;

    private ClusterConnection(Admin admin, String bootstrap, Duration timeout) {
        this.admin = admin;
        this.bootstrap = bootstrap;
        this.timeout = timeout;
    }

    public static ClusterConnection open(CommandContext context) {
        ClusterOptions.Settings cluster = context.cluster();
        ClientConfig config = cluster.clientConfig();
        if (context.global().verbose()) {
            // ClientConfig's text hides the secrets; this is the only place client settings are printed.
            context.err().println("kgroups: Kafka client settings: " + config);
        }
        Duration timeout = cluster.timeout();
        Properties properties = config.properties();
        int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        properties.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(ms));
        properties.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(Math.min(ms, 30_000)));
        properties.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "kgroups");
        try {
            return new ClusterConnection(Admin.create(properties), config.bootstrapServers(), timeout);
        } catch (ConfigException e) {
            throw CliException.usage("bad Kafka client setting: " + e.getMessage()
                    + " (check --bootstrap-server and --command-config)");
        } catch (KafkaException e) {
            throw CliException.failed("cannot create a Kafka client for " + config.bootstrapServers() + ": "
                    + rootMessage(e) + " (check --bootstrap-server and --command-config)", e);
        }
    }

    /** Group operations on the cluster of the global options, bounded by {@code --timeout}. */
    public static GroupAdmin groupAdmin(CommandContext context) {
        ClusterOptions.Settings cluster = context.cluster();
        ClientConfig config = cluster.clientConfig();
        if (context.global().verbose()) {
            context.err().println("kgroups: Kafka client settings: " + config);
        }
        try {
            return GroupAdmin.create(config.properties(), cluster.timeout());
        } catch (ConfigException e) {
            throw CliException.usage("bad Kafka client setting: " + e.getMessage()
                    + " (check --bootstrap-server and --command-config)");
        } catch (KafkaException e) {
            throw CliException.failed("cannot create a Kafka client for " + config.bootstrapServers() + ": "
                    + rootMessage(e) + " (check --bootstrap-server and --command-config)", e);
        }
    }

    public Admin admin() {
        return admin;
    }

    /** Waits for an Admin result within the timeout; {@code what} names the call in errors. */
    public <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.failed("interrupted while waiting to " + what, e);
        } catch (TimeoutException e) {
            throw unreachable(e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw unreachable(cause);
            }
            if (cause instanceof AuthenticationException) {
                throw CliException.failed("authentication with Kafka at " + bootstrap + " failed: " + cause.getMessage()
                        + " (check the SASL/SSL settings in --command-config)", cause);
            }
            if (cause instanceof AuthorizationException) {
                throw CliException.failed("not allowed to " + what + ": " + cause.getMessage()
                        + " (ask for the ACL, or use a principal that has it)", cause);
            }
            throw CliException.failed("cannot " + what + ": " + rootMessage(cause), cause);
        }
    }

    private CliException unreachable(Throwable cause) {
        return CliException.failed("cannot reach Kafka at " + bootstrap + " within " + format(timeout)
                + ": check --bootstrap-server (or $" + ClusterOptions.BOOTSTRAP_ENV + ") and that the cluster is up; "
                + "security settings go in --command-config", cause);
    }

    static String format(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
