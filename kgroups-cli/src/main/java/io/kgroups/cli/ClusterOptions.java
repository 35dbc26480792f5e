package io.kgroups.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * Where the cluster is: mixed into the commands that talk to one, and into the root command so
 * that they may also come before the command name. Given after the name, they win.
 *
 * <p>The bootstrap servers: {@code --bootstrap-server}; else the named cluster's; else
 * {@code $KGROUPS_BOOTSTRAP_SERVERS} (when no cluster is named); else {@code bootstrap.servers}
 * of the command config; else {@code localhost:9092}. The named cluster: {@code --cluster};
 * else, when neither {@code --bootstrap-server} nor {@code --command-config} is given,
 * {@code $KGROUPS_CLUSTER}; else, when {@code $KGROUPS_BOOTSTRAP_SERVERS} is not set either, the
 * config file's {@code default}. So a flag beats the environment, which beats the config file.
 */
@Command
public final class ClusterOptions {
    static final String BOOTSTRAP_ENV = "KGROUPS_BOOTSTRAP_SERVERS";
    static final String CLUSTER_ENV = "KGROUPS_CLUSTER";
    private static final String DEFAULT_BOOTSTRAP = "localhost:9092";
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9a-fA-F:.]+\\]|[^\\s,:]+):\\d{1,5}");

    /** What a cluster command talks to, and how long it waits for it. */
    public record Settings(ClientConfig clientConfig, Duration timeout) {
    }

    // LOCAL: the root command's scope is INHERIT, and a command that does not talk to a cluster
    // must not show (nor take) these.
    @Option(names = "--cluster", paramLabel = "NAME", scope = ScopeType.LOCAL, completionCandidates = ClusterNameCandidates.class,
            description = "A named cluster of the config file (~/.kgroups/config, or $" + ClusterProfiles.CONFIG_ENV
                    + "): its bootstrap servers, command config and timeout (default: $" + CLUSTER_ENV
                    + ", else the file's default). See kgroups cluster --help. kgroups monitor takes it more than once: "
                    + "one dashboard for several clusters.")
    private List<String> clusters = new ArrayList<>();

    @Option(names = "--bootstrap-server", paramLabel = "HOST:PORT[,...]", scope = ScopeType.LOCAL,
            description = "Kafka to talk to (default: the named cluster's, else $" + BOOTSTRAP_ENV
                    + ", else bootstrap.servers of the command config, else " + DEFAULT_BOOTSTRAP + ").")
    private String bootstrapServer;

    @Option(names = "--command-config", paramLabel = "FILE", scope = ScopeType.LOCAL,
            description = "Kafka client properties: security (SASL, SSL) and client tuning, as for Kafka's own tools "
                    + "(default: the named cluster's). Secrets in it are never printed.")
    private Path commandConfig;

    @Option(names = "--timeout", paramLabel = "DURATION", scope = ScopeType.LOCAL, converter = DurationConverter.class,
            description = "How long to wait for the cluster before giving up, such as 10s or 2m (default: the named "
                    + "cluster's, else 30s).")
    private Duration timeout;

    /** The options given here, by name: for a command that has no use for them. */
    List<String> given() {
        List<String> given = new ArrayList<>();
        if (!clusters.isEmpty()) {
            given.add("--cluster");
        }
        if (bootstrapServer != null) {
            given.add("--bootstrap-server");
        }
        if (commandConfig != null) {
            given.add("--command-config");
        }
        if (timeout != null) {
            given.add("--timeout");
        }
        return given;
    }

    /**
     * The settings these options say, the nearest level first (the command's own, then its
     * parents', then the root's), completed from the environment and the config file.
     */
    static Settings resolve(List<ClusterOptions> levels, Map<String, String> environment) {
        List<String> named = named(levels);
        if (named.size() > 1) {
            throw CliException.usage("--cluster is given " + named.size() + " times (" + String.join(", ", named)
                    + "): only kgroups monitor watches several clusters; name one");
        }
        return resolve(levels, named.isEmpty() ? null : named.get(0), environment);
    }

    /** The clusters named by --cluster, the nearest level that names any; empty when none does. */
    static List<String> named(List<ClusterOptions> levels) {
        return levels.stream().map(o -> o.clusters).filter(c -> !c.isEmpty()).findFirst().map(List::copyOf).orElse(List.of());
    }

    /**
     * The settings of each cluster named by --cluster (more than one: a monitor of several),
     * by name in the order given. Each is its profile's alone: --bootstrap-server and
     * --command-config would say one cluster for all, so they are refused here; --timeout applies to each.
     */
    static Map<String, Settings> resolveEach(List<ClusterOptions> levels, Map<String, String> environment) {
        List<String> named = named(levels);
        for (String flag : List.of("--bootstrap-server", "--command-config")) {
            if (levels.stream().anyMatch(o -> o.given().contains(flag))) {
                throw CliException.usage(flag + " with several --cluster would be one cluster's setting for all: put it in "
                        + "each cluster's profile (kgroups cluster --help), or watch one cluster");
            }
        }
        if (named.stream().distinct().count() < named.size()) {
            throw CliException.usage("--cluster names a cluster twice (" + String.join(", ", named) + "): name each once");
        }
        Map<String, Settings> each = new java.util.LinkedHashMap<>();
        for (String name : named) {
            each.put(name, resolve(levels, name, environment));
        }
        return each;
    }

    private static Settings resolve(List<ClusterOptions> levels, String clusterFlag, Map<String, String> environment) {
        String bootstrapFlag = first(levels, o -> o.bootstrapServer);
        Path configFlag = first(levels, o -> o.commandConfig);
        Duration timeoutFlag = first(levels, o -> o.timeout);
        String bootstrapEnv = blankToNull(environment.get(BOOTSTRAP_ENV));
        String clusterEnv = blankToNull(environment.get(CLUSTER_ENV));

        ClusterProfiles.Profile profile = null;
        if (clusterFlag != null) {
            profile = ClusterProfiles.load(environment).get(clusterFlag, "--cluster");
        } else if (bootstrapFlag == null && configFlag == null && clusterEnv != null) {
            if (bootstrapEnv != null) {
                throw CliException.usage("$" + CLUSTER_ENV + " (" + clusterEnv + ") and $" + BOOTSTRAP_ENV + " are both set: "
                        + "unset one, or say which cluster with --cluster or --bootstrap-server");
            }
            profile = ClusterProfiles.load(environment).get(clusterEnv, "$" + CLUSTER_ENV);
        } else if (bootstrapFlag == null && configFlag == null && bootstrapEnv == null) {
            profile = ClusterProfiles.load(environment).defaultProfile().orElse(null);
        }

        Path configFile = configFlag;
        String configName = "--command-config " + configFile;
        if (configFile == null && profile != null && profile.commandConfig() != null) {
            configFile = profile.commandConfig();
            configName = configFile + " (" + profile.key("command-config") + " in " + profile.file() + ")";
        }
        Properties properties = configFile == null ? new Properties() : readCommandConfig(configName, configFile);

        String bootstrap = bootstrapFlag;
        String source = "--bootstrap-server";
        if (bootstrap == null && profile != null && profile.bootstrap() != null) {
            bootstrap = profile.bootstrap();
            source = profile.key("bootstrap") + " in " + profile.file();
        }
        if (bootstrap == null && profile == null && bootstrapEnv != null) {
            bootstrap = bootstrapEnv;
            source = "$" + BOOTSTRAP_ENV;
        }
        if (bootstrap == null && properties.getProperty("bootstrap.servers") != null) {
            bootstrap = properties.getProperty("bootstrap.servers");
            source = "bootstrap.servers in " + configFile;
        }
        if (bootstrap == null && profile != null) {
            throw CliException.usage("cluster '" + profile.name() + "' in " + profile.file() + " has no bootstrap servers: "
                    + "add " + profile.key("bootstrap") + "=HOST:PORT[,...] (or bootstrap.servers to its command config)");
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

        Duration wait = timeoutFlag != null ? timeoutFlag : profile != null && profile.timeout() != null ? profile.timeout()
                : DEFAULT_TIMEOUT;
        if (wait.isZero() || wait.isNegative()) {
            throw CliException.usage((timeoutFlag != null ? "--timeout" : profile.key("timeout")) + " must be positive, was "
                    + DurationText.of(wait.toSeconds()));
        }
        return new Settings(new ClientConfig(properties), wait);
    }

    private static <T> T first(List<ClusterOptions> levels, java.util.function.Function<ClusterOptions, T> option) {
        return levels.stream().map(option).filter(java.util.Objects::nonNull).findFirst().orElse(null);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    /** {@code name}: the file as the error names it (the flag, or the named cluster's setting). */
    private static Properties readCommandConfig(String name, Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (IOException e) {
            throw CliException.usage(name + ": " + FileError.reason(file, e) + ": give the path of a readable Kafka client "
                    + "properties file");
        } catch (IllegalArgumentException e) {
            throw CliException.usage(name + " is not a properties file (" + e.getMessage() + ")");
        }
        return properties;
    }
}
