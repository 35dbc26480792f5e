package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kgroups.embedded.EmbeddedKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ClassicGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.ClassicGroupState;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Connect peer does what the commands' tests rely on: a cluster with Connect's worker group
 * and a sink connector's consumer group. A cluster of its own, so that the shared one keeps no
 * Connect groups or topics for other test classes.
 */
class ConnectPeerTest {
    private static final String TOPIC = "connect-peer-orders";

    private static EmbeddedKafka kafka;
    private static ConnectWorker worker;
    private static Admin admin;
    private static String sinkGroup;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.builder().build().start();
        kafka.createTopic(TOPIC, 2);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", kafka.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(TOPIC, i % 2, "k", "v" + i)).get();
            }
        }
        admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()));
        worker = ConnectWorker.start(kafka);
        sinkGroup = worker.startSink("orders-sink", TOPIC);
    }

    @AfterAll
    static void stop() {
        if (worker != null) {
            worker.close();
        }
        if (admin != null) {
            admin.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void workerGroupIsAClassicGroupOfProtocolTypeConnectWithOneMember() throws Exception {
        GroupListing listing = groups().get(ConnectWorker.DEFAULT_GROUP);
        assertThat(listing).as("groups: %s", groups()).isNotNull();
        assertThat(listing.type()).contains(GroupType.CLASSIC);
        assertThat(listing.protocol()).isEqualTo("connect");

        // Stable once the rebalances that assigned the connector and its task are over.
        await("group " + ConnectWorker.DEFAULT_GROUP + " stable with one member").atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(describe(ConnectWorker.DEFAULT_GROUP))
                        .returns("connect", ClassicGroupDescription::protocol)
                        .returns(ClassicGroupState.STABLE, ClassicGroupDescription::state)
                        .satisfies(group -> assertThat(group.members()).hasSize(1)));
    }

    @Test
    void workerKeepsItsConfigOffsetAndStatusTopics() throws Exception {
        assertThat(admin.listTopics().names().get()).containsAll(worker.internalTopics());
    }

    @Test
    void sinkConnectorGroupCommitsOffsetsToTheLogEnd() throws Exception {
        assertThat(sinkGroup).isEqualTo("connect-orders-sink");
        Map<TopicPartition, Long> expected = Map.of(new TopicPartition(TOPIC, 0), 5L, new TopicPartition(TOPIC, 1), 5L);

        await("committed offsets of " + sinkGroup).atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(committed(sinkGroup)).isEqualTo(expected));
        GroupListing listing = groups().get(sinkGroup);
        assertThat(listing.type()).contains(GroupType.CLASSIC);
        assertThat(listing.protocol()).isEqualTo("consumer");
    }

    @Test
    void workersOfOneGroupAreItsMembersUntilClosed() throws Exception {
        String groupId = "connect-peer-pair";
        ConnectWorker first = ConnectWorker.start(kafka, groupId);
        ConnectWorker second = ConnectWorker.start(kafka, groupId);
        try {
            await("two members in " + groupId).atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(describe(groupId).members()).hasSize(2));
        } finally {
            second.close();
            first.close();
        }

        await("members of " + groupId + " after close").atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(describe(groupId).members()).isEmpty());
    }

    private static ClassicGroupDescription describe(String groupId) throws Exception {
        return admin.describeClassicGroups(List.of(groupId)).describedGroups().get(groupId).get();
    }

    private static Map<String, GroupListing> groups() throws Exception {
        return admin.listGroups().all().get().stream()
                .collect(Collectors.toMap(GroupListing::groupId, listing -> listing));
    }

    private static Map<TopicPartition, Long> committed(String groupId) throws Exception {
        return admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get().entrySet().stream()
                .filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }
}
