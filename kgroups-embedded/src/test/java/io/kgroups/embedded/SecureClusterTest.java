package io.kgroups.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The shared secured cluster: each test has its own users, topics and groups. */
@ExtendWith(KafkaExtension.class)
@KafkaCluster(secure = true)
class SecureClusterTest {

    @Test
    void clientsWithoutTheRightCredentialsAreRefused(EmbeddedKafka kafka) throws Exception {
        kafka.addUser("refused", "right-password");

        for (Properties wrong : List.of(kafka.clientProperties("refused", "wrong-password"),
                kafka.clientProperties("nobody", "any-password"))) {
            try (Admin admin = Admin.create(wrong)) {
                assertThatThrownBy(() -> admin.listTopics().names().get())
                        .isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOf(SaslAuthenticationException.class)
                        .hasMessageContaining("Authentication failed");
            }
        }
        // No SASL at all: the broker closes the connection, and the client never gets an answer.
        Properties plaintext = new Properties();
        plaintext.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        plaintext.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
        plaintext.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "1000");
        try (Admin admin = Admin.create(plaintext)) {
            assertThatThrownBy(() -> admin.listTopics().names().get())
                    .cause().isInstanceOf(TimeoutException.class);
        }
    }

    @Test
    void theAdminMayDoAnything(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("secure-admin", 2);
        try (KafkaProducer<String, String> producer = Clients.producer(kafka.adminClientProperties());
             KafkaConsumer<String, String> consumer = Clients.consumer(kafka.adminClientProperties(), "g-secure-admin")) {
            Clients.send(producer, "secure-admin", "r", 10);
            consumer.subscribe(Set.of("secure-admin"));
            List<String> received = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                received.addAll(Clients.pollValues(consumer));
                return received.size() >= 10;
            });
            consumer.commitSync();
        }
        try (Admin admin = Admin.create(kafka.adminClientProperties())) {
            assertThat(admin.listGroups().all().get()).extracting(GroupListing::groupId).contains("g-secure-admin");
            assertThat(admin.listTopics().names().get()).contains("secure-admin");
        }
    }

    @Test
    void aUserMayDoWhatItIsGrantedTheMomentGrantReturnsAndNoMore(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("secure-granted", 1);
        kafka.addUser("reader", "reader-secret");
        AclBinding describe = allow("reader", ResourceType.TOPIC, "secure-granted", AclOperation.DESCRIBE);
        try (Admin reader = Admin.create(kafka.clientProperties("reader", "reader-secret"))) {
            assertThatThrownBy(() -> reader.describeTopics(Set.of("secure-granted")).allTopicNames().get())
                    .cause().isInstanceOf(TopicAuthorizationException.class);

            kafka.grant(describe);
            assertThat(reader.describeTopics(Set.of("secure-granted")).allTopicNames().get()).containsKey("secure-granted");
            // DESCRIBE on the topic is not DESCRIBE on a group.
            assertThatThrownBy(() -> reader.listConsumerGroupOffsets("g-secure-granted").partitionsToOffsetAndMetadata().get())
                    .cause().isInstanceOf(GroupAuthorizationException.class);

            kafka.revoke(describe.toFilter());
            assertThatThrownBy(() -> reader.describeTopics(Set.of("secure-granted")).allTopicNames().get())
                    .cause().isInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    void aProducerAndAConsumerWorkWithExactlyTheirAcls(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("secure-least", 1);
        kafka.addUser("writer", "writer-secret");
        kafka.addUser("consumer", "consumer-secret");
        kafka.grant(allow("writer", ResourceType.TOPIC, "secure-least", AclOperation.WRITE),
                allow("consumer", ResourceType.TOPIC, "secure-least", AclOperation.READ),
                allow("consumer", ResourceType.GROUP, "g-secure-least", AclOperation.READ));
        try (KafkaProducer<String, String> producer = Clients.producer(kafka.clientProperties("writer", "writer-secret"));
             KafkaConsumer<String, String> consumer = Clients.consumer(
                     kafka.clientProperties("consumer", "consumer-secret"), "g-secure-least")) {
            Clients.send(producer, "secure-least", "r", 10);
            consumer.subscribe(Set.of("secure-least"));
            List<String> received = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                received.addAll(Clients.pollValues(consumer));
                return received.size() >= 10;
            });
            consumer.commitSync();
            assertThat(received).hasSize(10);
        }
    }

    @Test
    void theAdminPasswordIsInClientPropertiesOnlyAndNoPasswordIsLogged(EmbeddedKafka kafka) throws Exception {
        kafka.addUser("logged", "logged-secret"); // a line or two in the broker's log about a credential change
        Path file = kafka.clientPropertiesFile();
        assertThat(file).isEqualTo(kafka.dataDir().resolve("client.properties"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        String adminPassword = password(load(file).getProperty("sasl.jaas.config"));

        // The file works as it is: a client made from it alone (and a bootstrap address) is the admin.
        Properties fromFile = load(file);
        fromFile.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (Admin admin = Admin.create(fromFile)) {
            assertThat(admin.describeCluster().clusterId().get()).isNotBlank();
        }

        Path serverProperties = kafka.dataDir().resolve("node-1/server.properties");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(serverProperties))).isEqualTo("rw-------");
        String nodePassword = password(load(serverProperties).getProperty("listener.name.controller.plain.sasl.jaas.config"));
        String log = Files.readString(kafka.logFile());
        assertThat(log).contains("Transition from STARTING to STARTED").doesNotContain(adminPassword).doesNotContain(nodePassword)
                .doesNotContain("logged-secret");
        assertThat(Files.readString(serverProperties)).doesNotContain(adminPassword);
        assertThat(kafka.adminClientProperties().toString()).doesNotContain(adminPassword).contains("[hidden]");
    }

    static AclBinding allow(String user, ResourceType type, String name, AclOperation operation) {
        return new AclBinding(new ResourcePattern(type, name, PatternType.LITERAL),
                new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW));
    }

    private static Properties load(Path file) throws Exception {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            properties.load(in);
        }
        return properties;
    }

    private static String password(String jaas) {
        Matcher matcher = Pattern.compile("password=\"([^\"]+)\"").matcher(jaas);
        assertThat(matcher.find()).as("a password in %s", jaas.replaceAll("password=\"[^\"]*\"", "password=..."))
                .isTrue();
        return matcher.group(1);
    }
}
