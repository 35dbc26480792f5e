package io.kgroups.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * Options every command takes, before or after its name. Where the cluster is: the
 * {@code --bootstrap-server} flag, else {@code KGROUPS_BOOTSTRAP_SERVERS}, else the
 * {@code bootstrap.servers} of {@code --command-config}, else {@code localhost:9092}.
 */
public final class GlobalOptions {
    static final String BOOTSTRAP_ENV = "KGROUPS_BOOTSTRAP_SERVERS";
    private static final String DEFAULT_BOOTSTRAP = "localhost:9092";
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9a-fA-F:.]+\\]|[^\\s,:]+):\\d{1,5}");

    /** How results are printed. */
    public enum OutputFormat { table, json, csv }

    @Option(names = "--bootstrap-server", paramLabel = "HOST:PORT[,...]", scope = ScopeType.INHERIT,
            description = "Kafka to talk to (default: $" + BOOTSTRAP_ENV + ", else bootstrap.servers of "
                    + "--command-config, else " + DEFAULT_BOOTSTRAP + ").")
    private String bootstrapServer;

    @Option(names = "--command-config", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "Kafka client properties (security: SASL, SSL; timeouts). Secrets in it are never printed.")
    private Path commandConfig;

    @Option(names = "--output", paramLabel = "table|json|csv", scope = ScopeType.INHERIT,
            description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    private OutputFormat output = OutputFormat.table;

    @Option(names = "--timeout", paramLabel = "DURATION", scope = ScopeType.INHERIT,
            converter = DurationConverter.class,
            description = "How long to wait for the cluster before giving up, e.g. 10s, 2m (default: 30s).")
    private Duration timeout = Duration.ofSeconds(30);

    private boolean verbose;

    private Map<String, String> environment = System.getenv();

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Log what happens, and print stack traces of errors.")
    void setVerbose(boolean verbose) {
        this.verbose = verbose;
        VerboseStackTrace.verbose(verbose);
        if (verbose && LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.INFO);
            context.getLogger("org.apache.kafka").setLevel(Level.WARN);
        }
    }

    /** The environment variables (the process's, or a test's). */
    Map<String, String> environment() {
        return environment;
    }

    /** For tests: the environment variables to read instead of the process's. */
    void environment(Map<String, String> environment) {
        this.environment = environment;
    }

    public boolean verbose() {
        return verbose;
    }

    public OutputFormat output() {
        return output;
    }

    public Duration timeout() {
        if (timeout.isZero() || timeout.isNegative()) {
            throw CliException.usage("--timeout must be positive, was " + timeout);
        }
        return timeout;
    }

    /** Kafka client properties: the command config with the bootstrap servers resolved and checked. */
    public ClientConfig clientConfig() {
        Properties properties = commandConfig == null ? new Properties() : readCommandConfig(commandConfig);
        String bootstrap = bootstrapServer;
        String source = "--bootstrap-server";
        if (bootstrap == null && environment.get(BOOTSTRAP_ENV) != null && !environment.get(BOOTSTRAP_ENV).isBlank()) {
            bootstrap = environment.get(BOOTSTRAP_ENV);
            source = "$" + BOOTSTRAP_ENV;
        }
        if (bootstrap == null && properties.getProperty("bootstrap.servers") != null) {
            bootstrap = properties.getProperty("bootstrap.servers");
            source = "bootstrap.servers in " + commandConfig;
        }
        if (bootstrap == null) {
            bootstrap = DEFAULT_BOOTSTRAP;
        }
        for (String server : bootstrap.split(",")) {
            if (!HOST_PORT.matcher(server.trim()).matches()) {
                throw CliException.usage(source + " '" + bootstrap + "' is not a list of HOST:PORT: write it as "
                        + "broker1:9092[,broker2:9092...]");
            }
        }
        properties.setProperty("bootstrap.servers", bootstrap.replace(" ", ""));
        return new ClientConfig(properties);
    }

    private static Properties readCommandConfig(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (NoSuchFileException e) {
            throw CliException.usage("--command-config " + file + " does not exist: give the path of a Kafka client "
                    + "properties file");
        } catch (IOException | IllegalArgumentException e) {
            throw CliException.usage("--command-config " + file + " cannot be read (" + e.getMessage()
                    + "): give a readable Kafka client properties file");
        }
        return properties;
    }
}
