package io.kgroups.embedded;

import static io.kgroups.embedded.SecureClusterTest.allow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secured clusters of their own: several brokers, restarts, kept data directories. */
class SecureClusterLifecycleTest {

    @Test
    void aGrantIsAuthorizedByEveryBrokerWhenItReturns() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().brokers(3).sasl().build().start();
             Admin admin = Admin.create(kafka.adminClientProperties())) {
            kafka.createTopic("spread", 3, 3, Map.of());
            // ListOffsets is answered by each partition's leader: one partition led by each broker.
            assertThat(admin.describeTopics(Set.of("spread")).allTopicNames().get().get("spread").partitions())
                    .extracting(p -> p.leader().id()).containsExactlyInAnyOrder(1, 2, 3);
            Map<TopicPartition, OffsetSpec> everyPartition = new LinkedHashMap<>();
            for (int p = 0; p < 3; p++) {
                everyPartition.put(new TopicPartition("spread", p), OffsetSpec.latest());
            }
            kafka.addUser("spread-reader", "spread-secret");
            try (Admin reader = Admin.create(kafka.clientProperties("spread-reader", "spread-secret"))) {
                assertThatThrownBy(() -> reader.listOffsets(everyPartition).all().get())
                        .cause().isInstanceOf(TopicAuthorizationException.class);

                kafka.grant(allow("spread-reader", ResourceType.TOPIC, "spread", AclOperation.DESCRIBE));
                assertThat(reader.listOffsets(everyPartition).all().get()).hasSize(3);

                // With a broker stopped, a grant waits for the running ones only; the stopped one
                // reads it from the metadata log when it starts.
                kafka.stopBroker(3);
                kafka.grant(allow("spread-reader", ResourceType.GROUP, "g-spread", AclOperation.DESCRIBE));
                kafka.startBroker(3);
                assertThat(reader.listConsumerGroupOffsets("g-spread").partitionsToOffsetAndMetadata().get()).isEmpty();
                assertThat(admin.describeTopics(Set.of("spread")).allTopicNames().get().get("spread").partitions())
                        .extracting(TopicPartitionInfo::leader).doesNotContainNull();
                assertThat(reader.listOffsets(everyPartition).all().get()).hasSize(3);
            }
        }
    }

    @Test
    void usersAndAclsSurviveARestartAndAKeptDataDirectory(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().dataDir(dir).sasl().build().start()) {
            kafka.createTopic("kept", 1);
            kafka.addUser("keeper", "keeper-secret");
            kafka.grant(allow("keeper", ResourceType.TOPIC, "kept", AclOperation.DESCRIBE));

            kafka.restart();
            assertKeeperDescribesKept(kafka);
        }
        // A new cluster object on the kept directory takes the admin password from client.properties.
        try (EmbeddedKafka again = EmbeddedKafka.builder().dataDir(dir).sasl().build().start();
             Admin admin = Admin.create(again.adminClientProperties())) {
            assertThat(admin.listTopics().names().get()).contains("kept");
            assertKeeperDescribesKept(again);
        }
        try (EmbeddedKafka plain = EmbeddedKafka.builder().dataDir(dir).build()) {
            assertThatThrownBy(plain::start).isInstanceOf(EmbeddedKafkaException.class)
                    .hasMessage("data directory " + dir + " holds a secured cluster (its admin's client.properties is "
                            + "there): start it with SASL or use another data directory");
        }
        try (EmbeddedKafka otherPassword = EmbeddedKafka.builder().dataDir(dir).sasl("another-password").build()) {
            assertThatThrownBy(otherPassword::start).isInstanceOf(EmbeddedKafkaException.class)
                    .hasMessageContaining("holds a cluster whose admin has another password: give none")
                    .hasMessageNotContaining("another-password");
        }
    }

    @Test
    void aPlainDataDirectoryIsNotStartedSecuredAndBadPasswordsAreRefused(@TempDir Path dir) {
        EmbeddedKafka.builder().dataDir(dir).build().start().close();
        try (EmbeddedKafka secured = EmbeddedKafka.builder().dataDir(dir).sasl().build()) {
            assertThatThrownBy(secured::start).isInstanceOf(EmbeddedKafkaException.class)
                    .hasMessageContaining("holds a cluster made without SASL");
        }
        assertThatThrownBy(() -> EmbeddedKafka.builder().sasl("with space"))
                .hasMessageContaining("without spaces, quotes, backslashes or commas");
        assertThatThrownBy(() -> EmbeddedKafka.builder().build().addUser("u", "p"))
                .hasMessage("addUser needs a secured cluster: build it with sasl()");
    }

    private static void assertKeeperDescribesKept(EmbeddedKafka kafka) throws Exception {
        try (Admin keeper = Admin.create(kafka.clientProperties("keeper", "keeper-secret"))) {
            assertThat(keeper.describeTopics(Set.of("kept")).allTopicNames().get()).containsKey("kept");
        }
    }
}
