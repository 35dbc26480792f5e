package io.kgroups.cli;

import io.kgroups.admin.DurationSyntax;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Named clusters, from the config file {@code ~/.kgroups/config} (or {@code $KGROUPS_CONFIG}), in
 * Java properties (no dependency, and the format of Kafka's own client config):
 *
 * <pre>
 * default=prod
 * cluster.prod.bootstrap=broker1:9093,broker2:9093
 * cluster.prod.command-config=prod.properties    # relative to this file's directory; ~/ is the home directory
 * cluster.prod.timeout=10s
 * </pre>
 *
 * Every key is checked: a typo is an error, not a setting silently left out.
 */
final class ClusterProfiles {
    static final String CONFIG_ENV = "KGROUPS_CONFIG";
    private static final List<String> SETTINGS = List.of("bootstrap", "command-config", "timeout");

    /** One named cluster; a setting it does not have is null. */
    record Profile(String name, Path file, String bootstrap, Path commandConfig, Duration timeout) {
        /** The key of one of its settings, as the file writes it. */
        String key(String setting) {
            return "cluster." + name + "." + setting;
        }
    }

    private final Path file;
    private final boolean exists;
    private final Map<String, Profile> profiles;
    private final String defaultName;

    private ClusterProfiles(Path file, boolean exists, Map<String, Profile> profiles, String defaultName) {
        this.file = file;
        this.exists = exists;
        this.profiles = profiles;
        this.defaultName = defaultName;
    }

    /** The config file {@code $KGROUPS_CONFIG} names, else {@code ~/.kgroups/config}; none there is no cluster named. */
    /** The names of the clusters the file defines, in order. */
    java.util.Set<String> names() {
        return profiles.keySet();
    }

    static ClusterProfiles load(Map<String, String> environment) {
        String named = environment.get(CONFIG_ENV);
        boolean chosen = named != null && !named.isBlank();
        Path file = chosen ? Path.of(named) : Path.of(System.getProperty("user.home"), ".kgroups", "config");
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (NoSuchFileException e) {
            if (!chosen) {
                return new ClusterProfiles(file, false, Map.of(), null);
            }
            throw CliException.usage("$" + CONFIG_ENV + " " + file + ": no such file: give the path of the kgroups config "
                    + "file, or unset it for ~/.kgroups/config");
        } catch (IOException e) {
            throw CliException.usage("the kgroups config file " + file + ": " + FileError.reason(file, e));
        } catch (IllegalArgumentException e) {
            throw CliException.usage("the kgroups config file " + file + " is not a properties file (" + e.getMessage() + ")");
        }
        return parse(file, properties);
    }

    private static ClusterProfiles parse(Path file, Properties properties) {
        Map<String, Map<String, String>> settings = new TreeMap<>();
        for (String key : properties.stringPropertyNames()) {
            String value = properties.getProperty(key).trim();
            if (value.isEmpty()) {
                throw CliException.usage(file + ": " + key + " is empty: give it a value, or remove the line");
            }
            if (key.equals("default")) {
                continue;
            }
            String setting = SETTINGS.stream().filter(s -> key.startsWith("cluster.") && key.endsWith("." + s)
                    && key.length() > "cluster.".length() + s.length() + 1).findFirst().orElseThrow(
                            () -> CliException.usage(file + ": unknown setting '" + key + "': write default=NAME, or "
                                    + "cluster.NAME. followed by one of " + String.join(", ", SETTINGS)));
            String name = key.substring("cluster.".length(), key.length() - setting.length() - 1);
            settings.computeIfAbsent(name, n -> new TreeMap<>()).put(setting, value);
        }
        Map<String, Profile> profiles = new TreeMap<>();
        settings.forEach((name, values) -> {
            Duration timeout = null;
            if (values.containsKey("timeout")) {
                try {
                    timeout = DurationSyntax.parse(values.get("timeout"));
                } catch (IllegalArgumentException e) {
                    throw CliException.usage(file + ": cluster." + name + ".timeout " + e.getMessage());
                }
            }
            String config = values.get("command-config");
            profiles.put(name, new Profile(name, file, values.get("bootstrap"), config == null ? null : path(file, config),
                    timeout));
        });
        return new ClusterProfiles(file, true, profiles, properties.getProperty("default", "").trim());
    }

    /** A path as the file writes it: ~/ is the home directory, a relative one is the file's sibling. */
    private static Path path(Path file, String value) {
        if (value.startsWith("~/")) {
            return Path.of(System.getProperty("user.home")).resolve(value.substring(2));
        }
        return file.toAbsolutePath().getParent().resolve(value);
    }

    /** The cluster of this name; {@code chosenBy} (the flag or the variable) names where the name came from in errors. */
    Profile get(String name, String chosenBy) {
        if (!exists) {
            throw CliException.usage("no cluster '" + name + "' (" + chosenBy + "): " + file + " does not exist; define the "
                    + "cluster there, e.g. cluster." + name + ".bootstrap=HOST:PORT");
        }
        Profile profile = profiles.get(name);
        if (profile == null) {
            throw CliException.usage("no cluster '" + name + "' (" + chosenBy + ") in " + file + ": "
                    + (profiles.isEmpty() ? "it defines none" : "the known ones are " + String.join(", ", profiles.keySet())));
        }
        return profile;
    }

    /** The file's {@code default} cluster, if it names one. */
    Optional<Profile> defaultProfile() {
        return defaultName == null || defaultName.isEmpty() ? Optional.empty()
                : Optional.of(get(defaultName, "the file's default"));
    }
}
