package io.kgroups.cli;

import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Kafka client properties for one command, and the only way they are ever shown: with secrets
 * replaced by {@code [hidden]}. A value that carries a credential ({@code password=}, a bearer
 * token, {@code user:password@} in a URL) is hidden wherever it is. Otherwise a setting Kafka's
 * clients define is shown unless Kafka types it PASSWORD ({@code sasl.jaas.config},
 * {@code ssl.key.password} ...): Kafka knows which of its own are secret. Any other setting (Schema
 * Registry's, a database's, a typo's) is hidden when its name looks like a credential: what kgroups
 * cannot know, it does not show.
 */
public final class ClientConfig {
    static final String HIDDEN = "[hidden]";
    /** The settings Kafka's clients define, and their types: the allow-list. */
    private static final Map<String, ConfigDef.ConfigKey> KAFKA = new java.util.HashMap<>();
    /** Names of secrets: passwords (pass, passwd, pwd), secrets, tokens, keys, credentials, user info, auth. */
    private static final java.util.regex.Pattern SECRET_NAME = java.util.regex.Pattern.compile(
            "(?i).*(pass|pwd|secret|jaas|token|credential|user\\.info|userinfo|auth|api[._-]?key|private|\\.key$).*");
    /**
     * Values that carry a credential whatever their name: "password=...", a bearer token, user:password@
     * in a URL; on any line of the value (a properties value can hold line breaks).
     */
    private static final java.util.regex.Pattern SECRET_VALUE = java.util.regex.Pattern.compile(
            "(?is).*((pass(word)?|pwd|secret|token)\\s*[=:]|bearer\\s|://[^/@\\s]+:[^/@\\s]+@).*");

    static {
        KAFKA.putAll(org.apache.kafka.clients.consumer.ConsumerConfig.configDef().configKeys());
        KAFKA.putAll(org.apache.kafka.clients.producer.ProducerConfig.configDef().configKeys());
        KAFKA.putAll(AdminClientConfig.configDef().configKeys());
    }

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

    static boolean isSecret(String key, String value) {
        if (value != null && SECRET_VALUE.matcher(value).matches()) {
            return true; // even in a setting of Kafka's: sasl.oauthbearer.token.endpoint.url=https://user:password@...
        }
        ConfigDef.ConfigKey known = KAFKA.get(key);
        if (known != null) {
            return known.type == ConfigDef.Type.PASSWORD;
        }
        return SECRET_NAME.matcher(key).matches();
    }

    /** The settings with secret values hidden, sorted by name. */
    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>();
        for (String key : properties.stringPropertyNames()) {
            String value = properties.getProperty(key);
            shown.put(key, isSecret(key, value) ? HIDDEN : value);
        }
        return shown.toString();
    }
}
