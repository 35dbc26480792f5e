package io.kgroups.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import io.kgroups.consumer.internal.DoneOffsetsCodec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ErrorPolicyTest extends SharedKafkaTest {
    private static final Duration FAST = Duration.ofMillis(20);

    /** Bytes that do not deserialize: the value "POISON". */
    static final class PoisonAwareDeserializer implements Deserializer<String> {
        private final StringDeserializer strings = new StringDeserializer();

        @Override
        public String deserialize(String topic, byte[] data) {
            String value = strings.deserialize(topic, data);
            if (value != null && value.startsWith("POISON")) {
                throw new IllegalArgumentException("not an order: " + value);
            }
            return value;
        }
    }

    @ParameterizedTest(name = "group.protocol={0}")
    @ValueSource(strings = {"classic", "consumer"})
    void poisonPillsAndFailingRecordsGoToTheDeadLetterTopicWhileTheRestFlows(String protocol) throws Exception {
        String topic = fixture.topic(2);
        String group = Fixture.unique("g");
        fixture.produce(topic, 2, "v", 0, 100);
        fixture.send(topic, 0, "POISON-1");
        fixture.send(topic, 1, "FAILS-1");
        fixture.produce(topic, 2, "v", 100, 200);
        List<String> handled = new CopyOnWriteArrayList<>();
        try (GroupConsumer<String, String> consumer = GroupConsumer.<String, String>builder()
                .kafkaProperties(fixture.props(group, protocol))
                .topics(topic)
                .keyDeserializer(new StringDeserializer())
                .valueDeserializer(new PoisonAwareDeserializer())
                .errorPolicy(ErrorPolicy.retry(2, Backoff.fixed(FAST)).thenDeadLetter())
                .handler(record -> {
                    if (record.value().startsWith("FAILS")) {
                        throw new IllegalStateException("database says no to " + record.value());
                    }
                    handled.add(record.value());
                })
                .build().start()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> fixture.committed(group).values().stream()
                    .mapToLong(o -> o.offset()).sum() == 202);
            assertThat(consumer.stats().deadLettered()).isEqualTo(2);
            assertThat(consumer.stats().retried()).isEqualTo(2); // the handler failure, twice; never the poison pill
        }
        assertThat(handled).hasSize(200).doesNotHaveDuplicates();

        List<ConsumerRecord<String, String>> dead = fixture.readAll(topic + ".DLT", 2);
        assertThat(dead).extracting(ConsumerRecord::value).containsExactlyInAnyOrder("POISON-1", "FAILS-1");
        ConsumerRecord<String, String> failed = dead.stream().filter(r -> r.value().equals("FAILS-1")).findFirst().orElseThrow();
        Map<String, String> headers = headers(failed);
        assertThat(headers).containsEntry("kgroups.dlt.original.topic", topic)
                .containsEntry("kgroups.dlt.original.partition", "1")
                .containsEntry("kgroups.dlt.original.offset", "50")
                .containsEntry("kgroups.dlt.group", group)
                .containsEntry("kgroups.dlt.exception.class", IllegalStateException.class.getName())
                .containsEntry("kgroups.dlt.exception.message", "database says no to FAILS-1")
                .containsEntry("kgroups.dlt.attempts", "3")
                .containsKeys("kgroups.dlt.original.timestamp", "kgroups.dlt.exception.stacktrace");
        ConsumerRecord<String, String> poison = dead.stream().filter(r -> r.value().equals("POISON-1")).findFirst().orElseThrow();
        assertThat(headers(poison)).containsEntry("kgroups.dlt.attempts", "1")
                .containsEntry("kgroups.dlt.exception.class", "org.apache.kafka.common.errors.SerializationException");
    }

    @ParameterizedTest(name = "group.protocol={0}")
    @ValueSource(strings = {"classic", "consumer"})
    void failStopsWithoutCommittingTheFailedRecord(String protocol) throws Exception {
        String topic = fixture.topic(1);
        String group = Fixture.unique("g");
        TopicPartition tp = new TopicPartition(topic, 0);
        fixture.produce(topic, 1, "v", 0, 30);
        AtomicInteger attempts = new AtomicInteger();
        try (GroupConsumer<String, String> consumer = fixture.builder(group, protocol, topic)
                .commitPolicy(CommitPolicy.periodic(Duration.ofMillis(50), 1))
                .errorPolicy(ErrorPolicy.retry(1, Backoff.fixed(FAST)).thenFail())
                .handler(record -> {
                    if (record.offset() == 12) {
                        attempts.incrementAndGet();
                        throw new IllegalStateException("cannot store order 12");
                    }
                })
                .build().start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> consumer.state() == ConsumerState.FAILED);
            assertThat(consumer.failure()).contains(topic + "-0@12", "cannot store order 12", "after 2 attempt(s)");
            assertThat(consumer.health().status()).isEqualTo(Health.Status.DOWN);
            assertThat(consumer.health().reasons()).anySatisfy(r -> assertThat(r).contains("cannot store order 12"));
        }
        assertThat(attempts.get()).isEqualTo(2);
        assertThat(fixture.committed(group, tp)).isEqualTo(12);
    }

    @Test
    void skipCountsAndGoesOn() throws Exception {
        String topic = fixture.topic(1);
        String group = Fixture.unique("g");
        fixture.produce(topic, 1, "v", 0, 10);
        try (GroupConsumer<String, String> consumer = fixture.builder(group, "classic", topic)
                .errorPolicy(ErrorPolicy.skip())
                .handler(record -> {
                    if (record.offset() % 2 == 0) {
                        throw new IllegalStateException("no");
                    }
                })
                .build().start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> fixture.committed(group, new TopicPartition(topic, 0)) == 10);
            assertThat(consumer.stats().skipped()).isEqualTo(5);
            assertThat(consumer.stats().processed()).isEqualTo(5);
        }
    }

    @Test
    void aRecordWaitingForItsRetryHoldsBackOnlyItsOwnPartition() throws Exception {
        String topic = fixture.topic(2);
        String group = Fixture.unique("g");
        fixture.send(topic, 0, "slow-to-succeed");
        fixture.produce(topic, 2, "v", 0, 40);
        Map<Integer, Integer> handledPerPartition = new ConcurrentHashMap<>();
        AtomicInteger failuresLeft = new AtomicInteger(3);
        try (GroupConsumer<String, String> consumer = fixture.builder(group, "classic", topic)
                .errorPolicy(ErrorPolicy.retry(5, Backoff.fixed(Duration.ofSeconds(2))).thenFail())
                .handler(record -> {
                    if (record.value().equals("slow-to-succeed") && failuresLeft.getAndDecrement() > 0) {
                        throw new IllegalStateException("not yet");
                    }
                    handledPerPartition.merge(record.partition(), 1, Integer::sum);
                })
                .build().start()) {
            // Partition 1 is done while partition 0 still waits for the retries of its first record.
            await().atMost(Duration.ofSeconds(30)).until(() -> handledPerPartition.getOrDefault(1, 0) == 20);
            assertThat(handledPerPartition.getOrDefault(0, 0)).isZero();
            await().atMost(Duration.ofSeconds(30)).until(() -> handledPerPartition.getOrDefault(0, 0) == 21);
            assertThat(consumer.stats().retried()).isEqualTo(3);
        }
    }

    @Test
    void aBatchHandlerIsolatesTheFailingRecordOnceRetriesAreSpent() throws Exception {
        String topic = fixture.topic(1);
        String group = Fixture.unique("g");
        fixture.produce(topic, 1, "v", 0, 50);
        fixture.send(topic, 0, "FAILS");
        fixture.produce(topic, 1, "v", 50, 100);
        Set<String> stored = ConcurrentHashMap.newKeySet();
        try (GroupConsumer<String, String> consumer = fixture.builder(group, "classic", topic)
                .errorPolicy(ErrorPolicy.retry(1, Backoff.fixed(FAST)).thenDeadLetter())
                .batchHandler(records -> {
                    if (records.stream().anyMatch(r -> r.value().equals("FAILS"))) {
                        throw new IllegalStateException("batch insert failed");
                    }
                    records.forEach(r -> stored.add(r.value()));
                })
                .build().start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> fixture.committed(group, new TopicPartition(topic, 0)) == 101);
            assertThat(consumer.stats().deadLettered()).isEqualTo(1);
        }
        assertThat(stored).hasSize(100).doesNotContain("FAILS");
        assertThat(fixture.readAll(topic + ".DLT", 1)).extracting(ConsumerRecord::value).containsExactly("FAILS");
    }

    @Test
    void unreadableRecordsCanBeDeadLetteredWhileAFailingHandlerStillStopsTheConsumer() throws Exception {
        String topic = fixture.topic(1);
        String group = Fixture.unique("g");
        fixture.produce(topic, 1, "v", 0, 20);
        fixture.send(topic, 0, "POISON-1");
        fixture.produce(topic, 1, "v", 20, 40);
        fixture.send(topic, 0, "FAILS");
        fixture.produce(topic, 1, "v", 40, 50);
        Set<String> stored = ConcurrentHashMap.newKeySet();
        try (GroupConsumer<String, String> consumer = fixture.builder(group, "classic", topic)
                .valueDeserializer(new PoisonAwareDeserializer())
                .commitPolicy(CommitPolicy.periodic(Duration.ofMillis(50), 1))
                .errorPolicy(ErrorPolicy.retry(1, Backoff.fixed(FAST)).thenFail().unreadable(ErrorPolicy.Action.DEAD_LETTER))
                .batchHandler(records -> {
                    if (records.stream().anyMatch(r -> r.value().equals("FAILS"))) {
                        throw new IllegalStateException("database down");
                    }
                    records.forEach(r -> stored.add(r.value()));
                })
                .build().start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> consumer.state() == ConsumerState.FAILED);
            assertThat(consumer.failure()).contains(topic + "-0@41", "database down");
            assertThat(consumer.stats().deadLettered()).isEqualTo(1);
        }
        assertThat(stored).hasSize(40).doesNotContain("POISON-1", "FAILS");
        assertThat(fixture.committed(group, new TopicPartition(topic, 0))).isEqualTo(41);
        assertThat(fixture.readAll(topic + ".DLT", 1)).extracting(ConsumerRecord::value).containsExactly("POISON-1");
    }

    /**
     * A batch holding a record that cannot be deserialized goes record by record at once (its
     * retries unspent); a record of it that then fails for a moment (the database's blip) gets its
     * retries as any record does, and only the records not done yet are tried again. It used to
     * get one try, failing the consumer (the storage loader's consumer_failed).
     */
    @Test
    void aRecordThatFailsForAMomentWhileItsBatchGoesRecordByRecordIsRetried() throws Exception {
        String topic = fixture.topic(1);
        String group = Fixture.unique("g");
        fixture.produce(topic, 1, "v", 0, 20);
        fixture.send(topic, 0, "POISON-1");
        fixture.produce(topic, 1, "v", 20, 30);
        fixture.send(topic, 0, "FLAKY");
        fixture.produce(topic, 1, "v", 30, 40);
        Set<String> stored = ConcurrentHashMap.newKeySet();
        AtomicInteger blips = new AtomicInteger();
        List<Integer> flakyCalls = new CopyOnWriteArrayList<>();
        try (GroupConsumer<String, String> consumer = fixture.builder(group, "classic", topic)
                .valueDeserializer(new PoisonAwareDeserializer())
                .errorPolicy(ErrorPolicy.retry(3, Backoff.fixed(FAST)).thenFail().unreadable(ErrorPolicy.Action.DEAD_LETTER))
                .batchHandler(records -> {
                    if (records.stream().anyMatch(r -> r.value().equals("FLAKY"))) {
                        flakyCalls.add(records.size());
                        if (blips.getAndIncrement() < 2) {
                            throw new IllegalStateException("database blip");
                        }
                    }
                    records.forEach(r -> {
                        if (!stored.add(r.value())) {
                            throw new AssertionError(r.value() + " stored twice");
                        }
                    });
                })
                .build().start()) {
            await().atMost(Duration.ofSeconds(30)).failFast("the consumer failed", () -> consumer.state() == ConsumerState.FAILED)
                    .until(() -> fixture.committed(group, new TopicPartition(topic, 0)) == 42);
            assertThat(consumer.stats().deadLettered()).isEqualTo(1);
        }
        assertThat(flakyCalls).as("FLAKY alone (its batch went record by record), then the rest of the batch from it, "
                + "twice").containsExactly(1, 11, 11);
        assertThat(stored).hasSize(41).doesNotContain("POISON-1");
        assertThat(fixture.readAll(topic + ".DLT", 1)).extracting(ConsumerRecord::value).containsExactly("POISON-1");
    }

    @Test
    void afterARecordFailsUnderKeyOrderingNoLaterRecordOfItsKeyRunsAndTheRestartHandlesItFirst() throws Exception {
        // Key k3 fails at its 5th record while records of every key keep arriving. Before, the next poll
        // could start k3's later records (the chain was only unscheduled), and the final commit carried them
        // in the metadata as done: after the restart the failed record was handled after them.
        String topic = fixture.topic(1);
        String group = Fixture.unique("g");
        TopicPartition tp = new TopicPartition(topic, 0);
        fixture.produceKeyed(topic, 100, 10); // record i has key k(i % 10): k3 at 3, 13, 23, 33 ...
        long failing = 43;
        List<Long> k3 = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean producing = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread producer = new Thread(() -> {
            for (int i = 100; producing.get() && i < 5_000; i++) {
                try {
                    fixture.send(topic, 0, "k" + (i % 10), "v-" + i);
                } catch (Exception e) {
                    return;
                }
            }
        });
        try (GroupConsumer<String, String> consumer = fixture.builder(group, "classic", topic)
                .ordering(Ordering.KEY)
                .concurrency(8)
                .commitPolicy(CommitPolicy.periodic(Duration.ofMillis(20), 1))
                .errorPolicy(ErrorPolicy.fail())
                .handler(record -> {
                    if (record.key().equals("k3")) {
                        k3.add(record.offset());
                        if (record.offset() == failing) {
                            throw new IllegalStateException("the database refused order " + record.offset());
                        }
                    }
                })
                .build().start()) {
            producer.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> consumer.state() == ConsumerState.FAILED);
        } finally {
            producing.set(false);
            producer.join();
        }
        assertThat(k3).as("records of k3 handled").last().isEqualTo(failing);
        OffsetAndMetadata committed = fixture.committed(group).get(tp);
        assertThat(committed.offset()).isLessThanOrEqualTo(failing);
        long[] done = DoneOffsetsCodec.decode(committed.metadata(), committed.offset(), committed.leaderEpoch()).offsets();
        for (long offset : done) {
            assertThat(offset % 10 == 3 && offset > failing).as("k3's record " + offset + " recorded as done").isFalse();
        }

        List<Long> afterRestart = new CopyOnWriteArrayList<>();
        try (GroupConsumer<String, String> restarted = fixture.builder(group, "classic", topic)
                .ordering(Ordering.KEY)
                .handler(record -> {
                    if (record.key().equals("k3")) {
                        afterRestart.add(record.offset());
                    }
                })
                .build().start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> afterRestart.size() >= 3);
        }
        assertThat(afterRestart).as("the failed record first, then its key's later ones in order").first().isEqualTo(failing);
        assertThat(afterRestart).isSorted();
    }

    private static Map<String, String> headers(ConsumerRecord<?, ?> record) {
        Map<String, String> headers = new java.util.HashMap<>();
        record.headers().forEach(h -> headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
        return headers;
    }
}
