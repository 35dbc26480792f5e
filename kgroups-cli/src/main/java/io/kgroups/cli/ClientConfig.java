package io.kgroups.cli;

import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Kafka client properties for one command, and the only way they are ever shown: with secrets
 * (Kafka's PASSWORD settings such as {@code sasl.jaas.config}, and anything named like a secret)
 * replaced by {@code [hidden]}.
 */
public final class ClientConfig {
    static final String HIDDEN = "[hidden]";
    private static final ConfigDef ADMIN_DEF = AdminClientConfig.configDef();

    private final Properties properties;

    ClientConfig(Properties properties) {
        this.properties = properties;
    }

    public String bootstrapServers() {
        return properties.getProperty("bootstrap.servers");
    }

    /** A copy for a Kafka client to take; never print it, print {@link #toString()}. */
    public Properties properties() {
        Properties copy = new Properties();
        copy.putAll(properties);
        return copy;
    }

    static boolean isSecret(String key) {
        ConfigDef.ConfigKey known = ADMIN_DEF.configKeys().get(key);
        if (known != null && known.type == ConfigDef.Type.PASSWORD) {
            return true;
        }
        String lower = key.toLowerCase(Locale.ROOT);
        return lower.contains("password") || lower.contains("secret") || lower.contains("jaas")
                || lower.contains("token") || lower.endsWith(".key") || lower.contains("credential");
    }

    /** The settings with secret values hidden, sorted by name. */
    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>();
        for (String key : properties.stringPropertyNames()) {
            shown.put(key, isSecret(key) ? HIDDEN : properties.getProperty(key));
        }
        return shown.toString();
    }
}
