package io.kgroups.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(KafkaExtension.class)
class DescribeTest {
    private static int names;
    private EmbeddedKafka kafka;
    private GroupAdmin groups;

    @BeforeEach
    void setUp(EmbeddedKafka kafka) {
        this.kafka = kafka;
        groups = GroupAdmin.create(props(), Duration.ofSeconds(30));
    }

    @AfterEach
    void tearDown() {
        groups.close();
    }

    private Properties props() {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        return p;
    }

    private static synchronized String unique(String prefix) {
        return prefix + "-" + (++names) + "-" + Long.toString(System.nanoTime() % 100_000, 36);
    }

    /** Records 0..count-1 in each partition, timestamped {@code ageMs} ago. */
    private void produce(String topic, int partitions, int count, long ageMs) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props(), new StringSerializer(), new StringSerializer())) {
            long ts = System.currentTimeMillis() - ageMs;
            for (int p = 0; p < partitions; p++) {
                for (int i = 0; i < count; i++) {
                    producer.send(new ProducerRecord<>(topic, p, ts, "k", "v" + i)).get();
                }
            }
        }
    }

    private void commit(String group, Map<TopicPartition, Long> offsets) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> request = new java.util.HashMap<>();
        offsets.forEach((tp, o) -> request.put(tp, new OffsetAndMetadata(o)));
        groups.admin().alterConsumerGroupOffsets(group, request).all().get(30, TimeUnit.SECONDS);
    }

    @Test
    void anEmptyGroupWithOffsetsHasItsLagPerPartition() throws Exception {
        String topic = unique("t");
        String group = unique("g");
        kafka.createTopic(topic, 2);
        produce(topic, 2, 10, 0);
        commit(group, Map.of(new TopicPartition(topic, 0), 4L, new TopicPartition(topic, 1), 10L));

        GroupDetail detail = groups.describe(List.of(group)).get(0);

        assertThat(detail.state()).isEqualTo("Empty");
        assertThat(detail.members()).isEmpty();
        assertThat(detail.partitions()).extracting(PartitionDetail::partition, PartitionDetail::committedOffset,
                PartitionDetail::logEndOffset, PartitionDetail::lag)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0, 4L, 10L, 6L),
                        org.assertj.core.groups.Tuple.tuple(1, 10L, 10L, 0L));
        assertThat(detail.totalLag()).isEqualTo(6);
        assertThat(detail.partitions().get(1).lagSeconds()).isZero();
    }

    @Test
    void timeLagIsTheAgeOfTheFirstUnconsumedRecord() throws Exception {
        String topic = unique("t");
        String group = unique("g");
        kafka.createTopic(topic, 1);
        produce(topic, 1, 5, 60_000);
        commit(group, Map.of(new TopicPartition(topic, 0), 2L));

        PartitionDetail partition = groups.describe(List.of(group)).get(0).partitions().get(0);

        assertThat(partition.lag()).isEqualTo(3);
        assertThat(partition.lagSeconds()).isBetween(59.0, 90.0);
        // retention.ms defaults to 7 days: about 7 days minus a minute are left
        assertThat(partition.retentionSecondsLeft()).isBetween(7 * 86_400.0 - 120, 7 * 86_400.0 - 59);
    }

    @Test
    void groupsAtDifferentOffsetsOfOnePartitionGetTheirOwnTimeLag() throws Exception {
        String topic = unique("t");
        kafka.createTopic(topic, 1);
        long now = System.currentTimeMillis();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props(), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 100; i++) {
                producer.send(new ProducerRecord<>(topic, 0, now - (100 - i) * 1_000L, "k", "v" + i)).get();
            }
        }
        String behind = unique("g");
        String ahead = unique("g");
        TopicPartition tp = new TopicPartition(topic, 0);
        commit(behind, Map.of(tp, 10L));
        commit(ahead, Map.of(tp, 60L));

        List<GroupDetail> details = groups.describe(List.of(behind, ahead));

        assertThat(details.get(0).partitions().get(0).lagSeconds()).isBetween(90.0, 100.0);
        assertThat(details.get(1).partitions().get(0).lagSeconds()).isBetween(40.0, 50.0);
    }

    @Test
    void recordsDeletedBeforeTheGroupReadThemAreCounted() throws Exception {
        String topic = unique("t");
        String group = unique("g");
        kafka.createTopic(topic, 1);
        produce(topic, 1, 10, 0);
        TopicPartition tp = new TopicPartition(topic, 0);
        commit(group, Map.of(tp, 2L));
        groups.admin().deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(7))).all().get();

        PartitionDetail partition = groups.describe(List.of(group)).get(0).partitions().get(0);

        assertThat(partition.logStartOffset()).isEqualTo(7);
        assertThat(partition.deletedUnread()).isEqualTo(5);
    }

    @ParameterizedTest(name = "group.protocol={0}")
    @ValueSource(strings = {"classic", "consumer"})
    void anActiveGroupShowsItsMembersAndWhoOwnsWhat(String protocol) throws Exception {
        String topic = unique("t");
        String group = unique("g");
        kafka.createTopic(topic, 3);
        produce(topic, 3, 4, 0);
        Properties p = props();
        p.put("group.id", group);
        p.put("group.protocol", protocol);
        p.put("client.id", "loader-1");
        p.put("auto.offset.reset", "earliest");
        AtomicBoolean running = new AtomicBoolean(true);
        Thread member = new Thread(() -> {
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(Set.of(topic));
                while (running.get()) {
                    if (!consumer.poll(Duration.ofMillis(100)).isEmpty()) {
                        consumer.commitSync();
                    }
                }
            }
        });
        member.start();
        try {
            // Until the member has joined, the group does not exist.
            await().atMost(Duration.ofSeconds(30)).ignoreException(GroupAdminException.class).until(() -> {
                GroupDetail d = groups.describe(List.of(group)).get(0);
                return d.members().size() == 1 && d.members().get(0).assignment().size() == 3
                        && d.partitions().stream().allMatch(part -> Long.valueOf(0).equals(part.lag()));
            });
            GroupDetail detail = groups.describe(List.of(group)).get(0);
            assertThat(detail.state()).isEqualTo("Stable");
            assertThat(detail.type()).isEqualTo(protocol);
            MemberDetail loader = detail.members().get(0);
            assertThat(loader.clientId()).isEqualTo("loader-1");
            assertThat(detail.partitions()).allSatisfy(partition -> {
                assertThat(partition.memberId()).isEqualTo(loader.memberId());
                assertThat(partition.committedOffset()).isEqualTo(4L);
            });
            assertThat(detail.coordinator()).isNotNull();
            if (protocol.equals("consumer")) {
                assertThat(loader.memberEpoch()).isPositive();
                assertThat(loader.reconciling()).isFalse();
                assertThat(detail.groupEpoch()).isPositive();
            }
            assertThat(groups.listGroups()).anySatisfy(summary -> {
                assertThat(summary.group()).isEqualTo(group);
                assertThat(summary.type()).isEqualTo(protocol);
                assertThat(summary.members()).isEqualTo(1);
                assertThat(summary.topics()).containsExactly(topic);
                assertThat(summary.totalLag()).isZero();
            });
        } finally {
            running.set(false);
            member.join();
        }
    }

    @Test
    void readCommittedMeasuresLagAgainstTheLastStableOffset() throws Exception {
        String topic = unique("t");
        String group = unique("g");
        kafka.createTopic(topic, 1);
        produce(topic, 1, 10, 0);
        TopicPartition tp = new TopicPartition(topic, 0);
        commit(group, Map.of(tp, 10L));
        Properties p = props();
        p.put("transactional.id", unique("tx"));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "k", "open")).get();
            }
            // still open: a read_committed consumer cannot read these yet
            PartitionDetail uncommitted = groups.describe(List.of(group)).get(0).partitions().get(0);
            PartitionDetail committed = groups.describe(List.of(group), org.apache.kafka.common.IsolationLevel.READ_COMMITTED)
                    .get(0).partitions().get(0);
            assertThat(uncommitted.lag()).isEqualTo(5);
            assertThat(committed.lag()).isZero();
            producer.abortTransaction();
        }
    }

    @Test
    void anUnknownGroupIsAClearError() {
        assertThatThrownBy(() -> groups.describe(List.of("no-such-group")))
                .isInstanceOf(GroupAdminException.class)
                .hasMessage("group 'no-such-group' does not exist: list the groups with `kgroups groups`");
    }
}
