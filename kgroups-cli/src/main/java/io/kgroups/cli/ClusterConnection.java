package io.kgroups.cli;

import io.kgroups.admin.GroupAdmin;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;

/**
 * An {@link Admin} client for one command, bounded by {@code --timeout}, whose failures become
 * one-line errors that say what to check. Its first call is watched: where the Kafka client
 * would retry until the timeout (nothing listens at the address, a listener of another security
 * protocol), {@link ListenerProbe} says so within about a second.
 */
public final class ClusterConnection implements AutoCloseable {
    /** How long the first call may go unanswered before the probe looks at the bootstrap addresses. */
    private static final Duration FIRST_ANSWER = Duration.ofSeconds(1);

    private final Admin admin;
    private final ClientConfig config;
    private final Duration timeout;

    private ClusterConnection(Admin admin, ClientConfig config, Duration timeout) {
        this.admin = admin;
        this.config = config;
        this.timeout = timeout;
    }

    /** An Admin client on the command's cluster, which has answered a first call. */
    public static ClusterConnection open(CommandContext context) {
        ClusterOptions.Settings cluster = settings(context);
        ClientConfig config = cluster.clientConfig();
        Duration timeout = cluster.timeout();
        Properties properties = config.properties();
        int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        properties.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(ms));
        properties.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(Math.min(ms, 30_000)));
        properties.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "kgroups");
        Admin admin = create(config, () -> Admin.create(properties));
        ClusterConnection connection = new ClusterConnection(admin, config, timeout);
        try {
            connection.check(true);
        } catch (RuntimeException e) {
            admin.close(Duration.ZERO); // not waiting for the first call, which the error is about
            throw e;
        }
        return connection;
    }

    /** Group operations on the command's cluster, bounded by {@code --timeout}; it has answered a first call. */
    public static GroupAdmin groupAdmin(CommandContext context) {
        return groupAdmin(context, settings(context), true);
    }

    /**
     * As {@link #groupAdmin(CommandContext)} for a service that may start before its cluster (the
     * monitor): a config that cannot work fails, a cluster that does not answer yet does not.
     */
    public static GroupAdmin groupAdminForService(CommandContext context) {
        return groupAdmin(context, settings(context), false);
    }

    /** As {@link #groupAdminForService(CommandContext)}, for one of several clusters a service watches. */
    public static GroupAdmin groupAdminForService(CommandContext context, ClusterOptions.Settings cluster) {
        return groupAdmin(context, verbose(context, cluster), false);
    }

    /**
     * For a command that talks to Kafka through a producer or consumer of its own (produce-orders,
     * load-orders), first: they would retry a refused connection or a listener of another
     * protocol until their own timeouts, saying less. A service ({@code answerRequired} false)
     * may start before its cluster: only a config that cannot work fails it.
     */
    public static void check(CommandContext context, boolean answerRequired) {
        groupAdmin(context, settings(context), answerRequired).close();
    }

    private static GroupAdmin groupAdmin(CommandContext context, ClusterOptions.Settings cluster, boolean answerRequired) {
        ClientConfig config = cluster.clientConfig();
        Duration timeout = cluster.timeout();
        GroupAdmin groupAdmin = create(config, () -> GroupAdmin.create(config.properties(), timeout));
        try {
            new ClusterConnection(groupAdmin.admin(), config, timeout).check(answerRequired);
        } catch (RuntimeException e) {
            groupAdmin.admin().close(Duration.ZERO);
            throw e;
        }
        return groupAdmin;
    }

    private static ClusterOptions.Settings settings(CommandContext context) {
        return verbose(context, context.cluster());
    }

    private static ClusterOptions.Settings verbose(CommandContext context, ClusterOptions.Settings cluster) {
        if (context.global().verbose()) {
            // ClientConfig's text hides the secrets; this is the only place client settings are printed.
            context.err().println("kgroups: Kafka client settings: " + cluster.clientConfig());
        }
        return cluster;
    }

    private static <T> T create(ClientConfig config, Supplier<T> client) {
        try {
            return client.get();
        } catch (KafkaException e) {
            // Kafka refuses a bootstrap list none of whose names resolve as a bad setting; say which.
            ListenerProbe.Finding unreachable = causedBy(e, ConfigException.class) ? probe(config) : null;
            if (unreachable != null && !unreachable.mismatch()) {
                throw CliException.failed(unreachable.message(), e);
            }
            if (e instanceof ConfigException) {
                throw CliException.usage("bad Kafka client setting: " + e.getMessage()
                        + " (check --bootstrap-server and --command-config)");
            }
            throw CliException.failed("cannot create a Kafka client for " + config.bootstrapServers() + ": "
                    + rootMessage(e) + " (check --bootstrap-server and --command-config)", e);
        }
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    private static ListenerProbe.Finding probe(ClientConfig config) {
        Properties p = config.properties();
        return ListenerProbe.find(config.bootstrapServers(), p.getProperty(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG),
                p.getProperty(SaslConfigs.SASL_MECHANISM));
    }

    /**
     * Makes the first call, and when it has not answered within {@link #FIRST_ANSWER}, probes
     * the bootstrap addresses once.
     *
     * @param answerRequired false for a service: only a config that cannot work fails it
     */
    private void check(boolean answerRequired) {
        KafkaFuture<String> first = admin.describeCluster().clusterId();
        try {
            first.get(FIRST_ANSWER.toMillis(), TimeUnit.MILLISECONDS);
            return;
        } catch (TimeoutException notYet) {
            if (notAnswering(answerRequired)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // await ends at once, and says so
        } catch (ExecutionException e) {
            // A --timeout of FIRST_ANSWER or less: the call gave up on its own before the wait did, the same case.
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException && notAnswering(answerRequired)) {
                return;
            }
        }
        await(first, "describe the cluster");
    }

    /**
     * The cluster has not answered yet: a listener that speaks another protocol fails at once; a
     * command that needs an answer waits on; a service starts (true), saying itself that the
     * cluster does not answer.
     */
    private boolean notAnswering(boolean answerRequired) {
        ListenerProbe.Finding finding = probe(config);
        if (finding != null && (answerRequired || finding.mismatch())) {
            throw CliException.failed(finding.message(), null);
        }
        return !answerRequired;
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
                // Kafka's words for a listener of another protocol ("Unexpected handshake request ...") do not say so.
                ListenerProbe.Finding finding = probe(config);
                throw CliException.failed(finding != null ? finding.message() : "authentication with Kafka at "
                        + config.bootstrapServers() + " failed: " + cause.getMessage()
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
        return CliException.failed("cannot reach Kafka at " + config.bootstrapServers() + " within " + format(timeout)
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
