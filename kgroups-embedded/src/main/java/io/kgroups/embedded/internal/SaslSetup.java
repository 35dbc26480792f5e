package io.kgroups.embedded.internal;

import io.kgroups.embedded.EmbeddedKafkaException;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;
import org.apache.kafka.common.security.plain.PlainLoginModule;
import org.apache.kafka.common.security.scram.ScramLoginModule;

/**
 * The security of a secured embedded cluster: clients authenticate with SCRAM-SHA-512 on the
 * client listener; the nodes talk to each other (inter-broker and controller listeners) with SASL
 * PLAIN as one internal super user, since SCRAM cannot authenticate controller to controller (its
 * credentials live in the metadata log the controllers serve). ACLs by Kafka's
 * {@code StandardAuthorizer}, denying what no ACL allows.
 *
 * <p>The admin's password is kept in {@code client.properties} in the data directory and read
 * back when a kept data directory is started again (the SCRAM credential in the metadata log was
 * made from it). The nodes' password is new each time a cluster object is prepared: PLAIN checks
 * it against the nodes' own configuration, which all nodes get together.
 */
public final class SaslSetup {
    /** The super user whose SCRAM credential is added when storage is formatted. */
    public static final String ADMIN = "admin";
    /** The nodes' own principal: a super user, authenticated by PLAIN on the internal listeners only. */
    public static final String NODE_USER = "kafka_node";
    public static final String CLIENT_PROPERTIES = "client.properties";
    private static final String AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String adminPassword;
    private final String nodePassword = randomPassword();

    private SaslSetup(String adminPassword) {
        this.adminPassword = adminPassword;
    }

    /**
     * The setup for the cluster in {@code dataDir}. A formatted one keeps the admin password of
     * its {@code client.properties} ({@code givenPassword}, when not null, must be that one); a new
     * one takes {@code givenPassword}, or a random one, and gets its {@code client.properties}.
     */
    public static SaslSetup forDataDir(Path dataDir, boolean formatted, String givenPassword) {
        Path file = dataDir.resolve(CLIENT_PROPERTIES);
        if (formatted) {
            if (!Files.exists(file)) {
                throw new EmbeddedKafkaException("data directory " + dataDir + " holds a cluster made without SASL (no "
                        + CLIENT_PROPERTIES + "): start it without SASL or use another data directory");
            }
            String stored = readAdminPassword(file);
            if (givenPassword != null && !givenPassword.equals(stored)) {
                throw new EmbeddedKafkaException("data directory " + dataDir + " holds a cluster whose admin has another "
                        + "password: give none (the one in " + file + " is used) or use another data directory");
            }
            return new SaslSetup(stored);
        }
        SaslSetup setup = new SaslSetup(givenPassword == null ? randomPassword() : givenPassword);
        Properties admin = clientProperties(ADMIN, setup.adminPassword);
        StringBuilder text = new StringBuilder("# The admin (a super user) of the kgroups-embedded cluster in " + dataDir
                + ".\n# Kafka client properties, e.g. kgroups --command-config " + file
                + " --bootstrap-server HOST:PORT\n# Keep it private: it holds the password.\n");
        // Written by hand rather than by Properties.store, which would escape every '=' of the JAAS line.
        new TreeMap<>(admin).forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        try {
            PrivateFile.write(file, text.toString());
        } catch (IOException e) {
            throw new EmbeddedKafkaException("cannot write " + file + ": " + e.getMessage()
                    + "; choose a writable data directory", e);
        }
        return setup;
    }

    /** Whether {@code dataDir} holds the admin's settings of a secured cluster. */
    public static boolean isSecured(Path dataDir) {
        return Files.exists(dataDir.resolve(CLIENT_PROPERTIES));
    }

    /**
     * Refuses a password that could not be passed on as it is: Kafka's storage tool splits its
     * SCRAM argument at commas, and the JAAS line quotes it.
     */
    public static void checkPassword(String what, String password) {
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        for (char c : password.toCharArray()) {
            if (c <= ' ' || c > '~' || c == '"' || c == '\\' || c == ',') {
                throw new IllegalArgumentException(what + " may hold printable ASCII characters only, without spaces, "
                        + "quotes, backslashes or commas: choose another");
            }
        }
    }

    /** SCRAM users to add when the storage is formatted: the admin. */
    public Map<String, String> scramUsersAtFormat() {
        return Map.of(ADMIN, adminPassword);
    }

    public String adminPassword() {
        return adminPassword;
    }

    /** The listeners of a node and their security, the authorizer and the super users. */
    public Map<String, String> nodeConfig(String host, int clientPort, int internalPort, int controllerPort) {
        String nodeJaas = PlainLoginModule.class.getName() + " required username=\"" + NODE_USER + "\" password=\""
                + nodePassword + "\" user_" + NODE_USER + "=\"" + nodePassword + "\";";
        Map<String, String> config = new LinkedHashMap<>();
        config.put("listeners", "CLIENT://" + host + ":" + clientPort + ",INTERNAL://" + host + ":" + internalPort
                + ",CONTROLLER://" + host + ":" + controllerPort);
        config.put("advertised.listeners", "CLIENT://" + host + ":" + clientPort + ",INTERNAL://" + host + ":" + internalPort);
        config.put("controller.listener.names", "CONTROLLER");
        config.put("inter.broker.listener.name", "INTERNAL");
        config.put("listener.security.protocol.map",
                "CLIENT:SASL_PLAINTEXT,INTERNAL:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT");
        config.put("listener.name.client.sasl.enabled.mechanisms", ScramMechanism.SCRAM_SHA_512.mechanismName());
        // The server side of SCRAM needs no option: the credentials come from the metadata log.
        config.put("listener.name.client.scram-sha-512.sasl.jaas.config", ScramLoginModule.class.getName() + " required;");
        config.put("listener.name.internal.sasl.enabled.mechanisms", "PLAIN");
        config.put("listener.name.internal.plain.sasl.jaas.config", nodeJaas);
        config.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        config.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
        config.put("listener.name.controller.plain.sasl.jaas.config", nodeJaas);
        config.put("sasl.mechanism.controller.protocol", "PLAIN");
        config.put("authorizer.class.name", AUTHORIZER);
        config.put("allow.everyone.if.no.acl.found", "false");
        config.put("super.users", "User:" + ADMIN + ";User:" + NODE_USER);
        return config;
    }

    /** Client settings of {@code user} (without {@code bootstrap.servers}), whose toString hides the password. */
    public static Properties clientProperties(String user, String password) {
        Properties properties = new SecretProperties();
        properties.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
        properties.put(SaslConfigs.SASL_MECHANISM, ScramMechanism.SCRAM_SHA_512.mechanismName());
        properties.put(SaslConfigs.SASL_JAAS_CONFIG, ScramLoginModule.class.getName() + " required username=\"" + user
                + "\" password=\"" + password + "\";");
        return properties;
    }

    private static String readAdminPassword(Path file) {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            properties.load(in);
        } catch (IOException e) {
            throw new EmbeddedKafkaException("cannot read " + file + ": " + e.getMessage()
                    + "; restore it or use another data directory", e);
        }
        String jaas = properties.getProperty(SaslConfigs.SASL_JAAS_CONFIG);
        String password = null;
        if (jaas != null) {
            try {
                password = JaasContext.configEntryOption(JaasContext.loadClientContext(
                        Map.of(SaslConfigs.SASL_JAAS_CONFIG, new Password(jaas))).configurationEntries(),
                        "password", ScramLoginModule.class.getName());
            } catch (IllegalArgumentException e) {
                // a line that does not parse has no password to give: said below, without the line
            }
        }
        if (password == null) {
            throw new EmbeddedKafkaException(file + " holds no admin password in " + SaslConfigs.SASL_JAAS_CONFIG
                    + ": restore it or use another data directory");
        }
        return password;
    }

    private static String randomPassword() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Client properties that can be printed or logged: the JAAS line (the password) shows as [hidden]. */
    static final class SecretProperties extends Properties {
        private static final long serialVersionUID = 1L;

        @Override
        public synchronized String toString() {
            Map<Object, Object> shown = new TreeMap<>(this);
            shown.computeIfPresent(SaslConfigs.SASL_JAAS_CONFIG, (key, value) -> "[hidden]");
            return shown.toString();
        }
    }
}
