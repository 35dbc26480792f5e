package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kgroups.demo.LoaderProcess;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaCluster;
import io.kgroups.embedded.KafkaExtension;
import io.kgroups.orders.DeadLetters;
import io.kgroups.orders.LoadVerification;
import io.kgroups.orders.OrderEventGenerator;
import io.kgroups.orders.OrderProducer;
import io.kgroups.orders.OrderStore;
import io.kgroups.orders.ProducedOrders;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's storage loader on a broker that checks SASL/SCRAM and ACLs, as a principal with
 * exactly READ on its group and topic and WRITE on the dead-letter topic: it loads every valid
 * order, dead-letters every invalid one, commits to the end and stops cleanly.
 */
@ExtendWith(KafkaExtension.class)
@KafkaCluster(secure = true)
class LoaderLeastPrivilegeTest {
    private static final String TOPIC = "lp-loader-orders";
    private static final String GROUP = "lp_storage_loader";
    private static final String USER = "lp-loader";
    private static final String PASSWORD = "lp-loader-password-never-shown";
    private static final int EVENTS = 600;

    @Test
    void theLoaderRunsWithReadOnItsGroupAndTopicAndWriteOnItsDeadLetterTopic(EmbeddedKafka kafka, @TempDir Path dir)
            throws Exception {
        kafka.createTopic(TOPIC, 3);
        kafka.createTopic(TOPIC + ".DLT", 1);
        kafka.addUser(USER, PASSWORD);
        kafka.grant(allow(ResourceType.GROUP, GROUP, AclOperation.READ), allow(ResourceType.TOPIC, TOPIC, AclOperation.READ),
                allow(ResourceType.TOPIC, TOPIC + ".DLT", AclOperation.WRITE));
        Properties user = kafka.clientProperties(USER, PASSWORD);
        user.remove("bootstrap.servers");
        Path config = dir.resolve("loader.properties");
        try (OutputStream out = Files.newOutputStream(config)) {
            user.store(out, null);
        }
        Map<String, Object> admin = new HashMap<>();
        kafka.adminClientProperties().forEach((k, v) -> admin.put((String) k, v));
        ProducedOrders ledger = new ProducedOrders();
        try (OrderProducer producer = new OrderProducer(admin, TOPIC, new OrderEventGenerator("lp", 100, 0.05, 16), ledger)) {
            producer.run(EVENTS, 5_000, () -> false);
        }

        LoaderProcess loader = new LoaderProcess("lp-loader", Kgroups.LOADER, List.of("--bootstrap-server",
                kafka.bootstrapServers(), "--command-config", config.toString(), "--topic", TOPIC, "--group", GROUP,
                "--record-deliveries", "--report-every", "1s"), dir);
        loader.start();
        try (Admin client = Admin.create(admin)) {
            await("the loader commits the log end of every partition").atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                        assertThat(loader.isAlive()).as("the loader ended; it printed:%n%s",
                                Files.readString(loader.log())).isTrue();
                        assertThat(waiting(client)).as("records the group has not committed").isZero();
                    });
        } finally {
            loader.stop();
        }
        String output = Files.readString(loader.log());
        assertThat(loader.exitCode()).as(output).isZero();
        assertThat(output).doesNotContain("not authorized", "AuthorizationException", "ERROR", PASSWORD);

        assertThat(ledger.failedSends()).isZero();
        try (OrderStore store = OrderStore.open("jdbc:h2:" + dir.resolve("kgroups-data/orders") + ";AUTO_SERVER=TRUE", null,
                null, 1, true)) {
            LoadVerification check = LoadVerification.check(ledger, store,
                    DeadLetters.read(admin, TOPIC + ".DLT", Duration.ofSeconds(30)));
            assertThat(check.invalid()).as("%s", check).isPositive();
            assertThat(check.lostValid()).as("%s", check).isZero();
            assertThat(check.lostInvalid()).as("%s", check).isZero();
            assertThat(check.ordersBehind()).as("%s", check).isZero();
        }
    }

    private static AclBinding allow(ResourceType type, String name, AclOperation operation) {
        return new AclBinding(new ResourcePattern(type, name, PatternType.LITERAL),
                new AccessControlEntry("User:" + USER, "*", operation, AclPermissionType.ALLOW));
    }

    /** Records of the topic past the group's committed offsets. */
    private static long waiting(Admin admin) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(GROUP)
                .partitionsToOffsetAndMetadata().get();
        Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
        for (int p = 0; p < 3; p++) {
            ends.put(new TopicPartition(TOPIC, p), OffsetSpec.latest());
        }
        long waiting = 0;
        for (var end : admin.listOffsets(ends).all().get().entrySet()) {
            OffsetAndMetadata at = committed.get(end.getKey());
            waiting += end.getValue().offset() - (at == null ? 0 : at.offset());
        }
        return waiting;
    }
}
