package io.kgroups.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kgroups.consumer.internal.DoneOffsetsCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ParallelOrderingTest extends SharedKafkaTest {
    /** Checks in the handler that a key's records come one at a time, in offset order. */
    static final class KeyOrderChecker {
        final Map<String, Long> lastOffset = new ConcurrentHashMap<>();
        final Set<String> inHandler = ConcurrentHashMap.newKeySet();
        final List<String> violations = java.util.Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger maxRunning = new AtomicInteger();

        void enter(String key, long offset) {
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            if (!inHandler.add(key)) {
                violations.add("key " + key + " handled twice at once (offset " + offset + ")");
            }
            Long last = lastOffset.put(key, offset);
            if (last != null && last >= offset) {
                violations.add("key " + key + ": offset " + offset + " after " + last);
            }
        }

        void exit(String key) {
            inHandler.remove(key);
            running.decrementAndGet();
        }
    }

    @ParameterizedTest(name = "group.protocol={0}")
    @ValueSource(strings = {"classic", "consumer"})
    void keyOrderHoldsUnderConcurrency64WithRandomDelays(String protocol) throws Exception {
        String topic = fixture.topic(3);
        String group = Fixture.unique("g");
        int records = 3_000;
        fixture.produceKeyed(topic, records, 200);
        KeyOrderChecker checker = new KeyOrderChecker();
        try (GroupConsumer<String, String> consumer = fixture.builder(group, protocol, topic)
                .ordering(Ordering.KEY)
                .concurrency(64)
                .handler(record -> {
                    checker.enter(record.key() + "@" + record.partition(), record.offset());
                    try {
                        Thread.sleep(ThreadLocalRandom.current().nextInt(0, 4));
                    } finally {
                        checker.exit(record.key() + "@" + record.partition());
                    }
                })
                .build().start()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> committedTotal(group) == records);
            assertThat(consumer.stats().processed()).isEqualTo(records);
        }
        assertThat(checker.violations).isEmpty();
        assertThat(checker.lastOffset).hasSize(200);
        assertThat(checker.maxRunning.get()).as("keys really ran in parallel").isGreaterThan(16);
    }

    @Test
    void unorderedUsesTheConcurrencyAndLosesNothing() throws Exception {
        String topic = fixture.topic(1);
        String group = Fixture.unique("g");
        fixture.produce(topic, 1, "v", 0, 1_000);
        Set<String> handled = ConcurrentHashMap.newKeySet();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        try (GroupConsumer<String, String> consumer = fixture.builder(group, "classic", topic)
                .ordering(Ordering.UNORDERED)
                .concurrency(32)
                .handler(record -> {
                    maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                    Thread.sleep(3);
                    handled.add(record.value());
                    running.decrementAndGet();
                })
                .build().start()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> committedTotal(group) == 1_000);
        }
        assertThat(handled).hasSize(1_000);
        // One partition, yet more than one record at a time; never more than the concurrency.
        assertThat(maxRunning.get()).isGreaterThan(8).isLessThanOrEqualTo(32);
    }

    @Test
    void aRetryingRecordHoldsBackOnlyItsKeyAndTheCommittedOffsetStaysBelowIt() throws Exception {
        String topic = fixture.topic(1);
        String group = Fixture.unique("g");
        TopicPartition tp = new TopicPartition(topic, 0);
        fixture.produceKeyed(topic, 100, 10); // keys k0..k9, record i has key k(i % 10)
        AtomicInteger failuresLeft = new AtomicInteger(2);
        Map<String, Integer> handledPerKey = new ConcurrentHashMap<>();
        AtomicLong committedWhileRetrying = new AtomicLong(-1);
        try (GroupConsumer<String, String> consumer = fixture.builder(group, "classic", topic)
                .ordering(Ordering.KEY)
                .concurrency(8)
                .commitPolicy(CommitPolicy.periodic(Duration.ofMillis(100), 10))
                .errorPolicy(ErrorPolicy.retry(5, Backoff.fixed(Duration.ofSeconds(2))).thenFail())
                .handler(record -> {
                    if (record.offset() == 3 && failuresLeft.getAndDecrement() > 0) {
                        throw new IllegalStateException("not yet");
                    }
                    handledPerKey.merge(record.key(), 1, Integer::sum);
                })
                .build().start()) {
            // Every other key is done while k3 waits for its retries...
            await().atMost(Duration.ofSeconds(30)).until(() -> handledPerKey.size() == 9
                    && handledPerKey.values().stream().allMatch(n -> n == 10));
            assertThat(handledPerKey).doesNotContainKey("k3");
            // ...and the committed offset stays at the waiting record, the rest is in the metadata.
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                OffsetAndMetadata committed = fixture.committed(group).get(tp);
                return committed != null && committed.offset() == 3
                        && DoneOffsetsCodec.decode(committed.metadata(), 3, committed.leaderEpoch()).size() == 90 - 3; // 0..2 are below it
            });
            committedWhileRetrying.set(fixture.committed(group, tp));
            await().atMost(Duration.ofSeconds(30)).until(() -> fixture.committed(group, tp) == 100);
        }
        assertThat(committedWhileRetrying.get()).isEqualTo(3);
        assertThat(handledPerKey.get("k3")).isEqualTo(10);
    }

    @ParameterizedTest(name = "group.protocol={0}")
    @ValueSource(strings = {"classic", "consumer"})
    void aRebalanceHandsOverDoneOffsetsSoNothingIsHandledTwice(String protocol) throws Exception {
        String topic = fixture.topic(3);
        String group = Fixture.unique("g");
        fixture.shortSessionTimeout(group); // and a 500 ms heartbeat: the newcomer's assignment comes quickly
        int records = 6_000;
        fixture.produceKeyed(topic, records, 300);
        Map<String, Integer> handled = new ConcurrentHashMap<>();
        List<GroupConsumer<String, String>> members = new ArrayList<>();
        try {
            members.add(slowMember(group, protocol, topic, handled).start());
            await().atMost(Duration.ofSeconds(60)).until(() -> handled.size() >= records / 5);
            members.add(slowMember(group, protocol, topic, handled).start());
            await().atMost(Duration.ofSeconds(90)).until(() -> committedTotal(group) == records);
            assertThat(members.get(1).stats().processed()).isPositive();
            // The newcomer was told which records the first member had already done out of order.
            assertThat(members.get(1).stats().alreadyDone()).isPositive();
        } finally {
            members.forEach(GroupConsumer::close);
        }
        assertThat(handled).hasSize(records);
        assertThat(handled.entrySet()).allSatisfy(e -> assertThat(e.getValue()).as(e.getKey()).isEqualTo(1));
    }

    /** KEY order, 32 at once; records take 20 ms, every 50th 500 ms, so many complete out of order. */
    private GroupConsumer<String, String> slowMember(String group, String protocol, String topic,
            Map<String, Integer> handled) {
        return fixture.builder(group, protocol, topic)
                .ordering(Ordering.KEY)
                .concurrency(32)
                .commitPolicy(CommitPolicy.periodic(Duration.ofMillis(200), 500))
                .handler(record -> {
                    Thread.sleep(record.offset() % 50 == 0 ? 500 : 20);
                    handled.merge(record.partition() + ":" + record.offset(), 1, Integer::sum);
                })
                .build();
    }

    @Test
    void oneSlowPartitionCannotTakeEverySlot() throws Exception {
        String topic = fixture.topic(2);
        String group = Fixture.unique("g");
        fixture.produce(topic, 2, "v", 0, 400); // 200 records in each partition, all with distinct keys
        AtomicInteger slowHandled = new AtomicInteger();
        AtomicInteger slowHandledWhenFastWasDone = new AtomicInteger(-1);
        AtomicInteger fastHandled = new AtomicInteger();
        try (GroupConsumer<String, String> consumer = fixture.builder(group, "classic", topic)
                .ordering(Ordering.KEY)
                .concurrency(8)
                .handler(record -> {
                    if (record.partition() == 0) {
                        Thread.sleep(50);
                        slowHandled.incrementAndGet();
                    } else if (fastHandled.incrementAndGet() == 200) {
                        slowHandledWhenFastWasDone.set(slowHandled.get());
                    }
                })
                .build().start()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> slowHandled.get() == 200 && fastHandled.get() == 200);
        }
        // 200 slow records take 200 x 50 ms / 8 slots = 1.25 s at best: the fast partition, never
        // starved of slots, is done long before.
        assertThat(slowHandledWhenFastWasDone.get()).isBetween(0, 150);
    }

    @Test
    void oneHotPartitionAloneUsesEverySlot() throws Exception {
        String topic = fixture.topic(1);
        String group = Fixture.unique("g");
        fixture.produce(topic, 1, "v", 0, 200);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        try (GroupConsumer<String, String> consumer = fixture.builder(group, "classic", topic)
                .ordering(Ordering.UNORDERED)
                .concurrency(8)
                .handler(record -> {
                    maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                    Thread.sleep(20);
                    running.decrementAndGet();
                })
                .build().start()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> committedTotal(group) == 200);
        }
        assertThat(maxRunning.get()).isEqualTo(8);
    }

    @Test
    void anUnboundedExecutorOfTheUsersRunsAtMostConcurrencyHandlers() throws Exception {
        String topic = fixture.topic(1);
        String group = Fixture.unique("g");
        fixture.produce(topic, 1, "v", 0, 300);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        java.util.concurrent.ExecutorService executor = virtualThreadsOrCachedPool();
        try (GroupConsumer<String, String> consumer = fixture.builder(group, "classic", topic)
                .ordering(Ordering.UNORDERED)
                .concurrency(10)
                .executor(executor)
                .handler(record -> {
                    maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                    Thread.sleep(5);
                    running.decrementAndGet();
                })
                .build().start()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> committedTotal(group) == 300);
        } finally {
            executor.shutdown();
        }
        assertThat(maxRunning.get()).isBetween(2, 10);
    }

    /** Virtual threads where the JVM has them (Java 21+), else an unbounded cached pool. */
    private static java.util.concurrent.ExecutorService virtualThreadsOrCachedPool() {
        try {
            return (java.util.concurrent.ExecutorService) java.util.concurrent.Executors.class
                    .getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        } catch (ReflectiveOperationException e) {
            return java.util.concurrent.Executors.newCachedThreadPool();
        }
    }

    @Test
    void metadataBeyondTheBudgetSlowsIntakeThenFallsBackToThePlainOffset() throws Exception {
        String topic = fixture.topic(1);
        String group = Fixture.unique("g");
        TopicPartition tp = new TopicPartition(topic, 0);
        fixture.produce(topic, 1, "v", 0, 400);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        AtomicInteger maxPaused = new AtomicInteger();
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        try (GroupConsumer<String, String> consumer = fixture.builder(group, "classic", topic)
                .ordering(Ordering.UNORDERED)
                .concurrency(16)
                .offsetMetadataBudget(24)
                .meterRegistry(registry)
                .commitPolicy(CommitPolicy.periodic(Duration.ofMillis(50), 10))
                .handler(record -> {
                    // Every 3rd of the first 30 records waits, the rest is done: a done set no 24 characters hold.
                    if (record.offset() < 30 && record.offset() % 3 == 0) {
                        release.await();
                    }
                })
                .build().start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                maxPaused.accumulateAndGet(consumer.stats().pausedPartitions(), Math::max);
                return registry.get("kgroups.consumer.offset_metadata.overflows").functionCounter().count() > 0;
            });
            OffsetAndMetadata committed = fixture.committed(group).get(tp);
            assertThat(committed.offset()).isZero();
            assertThat(committed.metadata().length()).isLessThanOrEqualTo(24);
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                maxPaused.accumulateAndGet(consumer.stats().pausedPartitions(), Math::max);
                return maxPaused.get() > 0;
            });
            release.countDown();
            await().atMost(Duration.ofSeconds(30)).until(() -> fixture.committed(group, tp) == 400);
        }
    }

    @Test
    void aBudgetOverTheBrokersMetadataLimitShrinksInsteadOfFailingEveryCommit() throws Exception {
        // The broker takes 4,096 bytes of metadata (offset.metadata.max.bytes). With a budget of 100,000, once
        // the done offsets behind a waiting record no longer fit those bytes, every commit used to fail, for good
        // (health DEGRADED: commits in a row failed), and intake went on: it pauses only at half the budget.
        String topic = fixture.topic(1);
        String group = Fixture.unique("g");
        TopicPartition tp = new TopicPartition(topic, 0);
        fixture.send(topic, 0, "k0", "waits"); // offset 0: its key waits; every other record after it is done
        fixture.produceKeyed(topic, 40_000, 2); // k0 (waits behind offset 0), k1 (done), k0, k1 ...
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        try (GroupConsumer<String, String> consumer = fixture.builder(group, "classic", topic)
                .ordering(Ordering.KEY)
                .offsetMetadataBudget(100_000)
                .partitionQueueRecords(100_000)
                .commitPolicy(CommitPolicy.periodic(Duration.ofMillis(100), 1_000_000))
                .handler(record -> {
                    if (record.value().equals("waits")) {
                        release.await();
                    }
                })
                .build().start()) {
            // Refused once, the budget halves to what the brokers take; then intake pauses at half of it.
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(consumer.stats().commitFailures()).as("refused once past the brokers' limit").isPositive();
                assertThat(consumer.stats().pausedPartitions()).as("intake paused at half the learnt budget").isEqualTo(1);
            });
            assertThat(consumer.stats().commitFailures()).as("refused while the budget halved").isBetween(1L, 5L);
            assertThat(fixture.committed(group).get(tp).metadata().length()).isLessThanOrEqualTo(4_096);
            assertThat(consumer.health().reasons()).noneSatisfy(r -> assertThat(r).contains("commits in a row failed"));
            long refused = consumer.stats().commitFailures();
            release.countDown();
            await().atMost(Duration.ofSeconds(60)).until(() -> fixture.committed(group, tp) == 40_001);
            assertThat(consumer.stats().commitFailures()).as("none refused since").isEqualTo(refused);
        } finally {
            release.countDown();
        }
    }

    @Test
    void doneOffsetsInTranslatedOffsetsAreNotTrustedButACopyInTheSameClusterIs() throws Exception {
        String topic = fixture.topic(1);
        TopicPartition tp = new TopicPartition(topic, 0);
        OffsetAndMetadata committed = committedAtThreeWithDoneAbove(topic);

        // Copied with its leader epoch within this cluster (kgroups offsets copy): the same records, skipped.
        String copy = Fixture.unique("g");
        fixture.admin.alterConsumerGroupOffsets(copy, Map.of(tp, committed)).all().get();
        // Translated as MirrorMaker 2 does (offset and metadata, no leader epoch): not trusted, all handled.
        String translated = Fixture.unique("g");
        fixture.admin.alterConsumerGroupOffsets(translated, Map.of(tp,
                new OffsetAndMetadata(committed.offset(), committed.metadata()))).all().get();
        assertThat(handledFrom(copy, topic)).as("copy: only what was not done").isEqualTo(97 - 87);
        assertThat(handledFrom(translated, topic)).as("translated: everything from offset 3").isEqualTo(97);
    }

    @Test
    void theFirstCommitOfANewOwnerKeepsThePreviousOwnersDoneOffsetsAndTheLeaderEpoch() throws Exception {
        // Before, the first commit of a new owner whose first record was still in a handler carried no
        // leader epoch, and only the done offsets it had fetched itself.
        String topic = fixture.topic(1);
        TopicPartition tp = new TopicPartition(topic, 0);
        OffsetAndMetadata before = committedAtThreeWithDoneAbove(topic);
        String group = Fixture.unique("g");
        fixture.admin.alterConsumerGroupOffsets(group, Map.of(tp, before)).all().get();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        try (GroupConsumer<String, String> consumer = fixture.builder(group, "classic", topic)
                .ordering(Ordering.KEY)
                .commitPolicy(CommitPolicy.periodic(Duration.ofMillis(50), 1))
                .handler(record -> {
                    if (record.offset() == 3) {
                        release.await(); // the first record stays in its handler
                    }
                })
                .build().start()) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(consumer.stats().alreadyDone()).isEqualTo(87);
                assertThat(consumer.stats().commits()).isPositive();
                OffsetAndMetadata first = fixture.committed(group).get(tp);
                assertThat(first.offset()).isEqualTo(3);
                assertThat(first.leaderEpoch()).as("the committed offset's leader epoch").isEqualTo(before.leaderEpoch());
                assertThat(DoneOffsetsCodec.decode(first.metadata(), 3, first.leaderEpoch()).size())
                        .as("the previous owner's done offsets are kept").isEqualTo(87);
            });
            release.countDown();
            await().atMost(Duration.ofSeconds(30)).until(() -> fixture.committed(group, tp) == 100);
        }
    }

    /**
     * A group on {@code topic} (100 records, keys k0..k9) whose record 3 (key k3) waits while the
     * others are done; it leaves committed at 3 with the 87 done above it in the metadata.
     */
    private OffsetAndMetadata committedAtThreeWithDoneAbove(String topic) throws Exception {
        String source = Fixture.unique("g");
        fixture.produceKeyed(topic, 100, 10);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.ExecutorService handlers = java.util.concurrent.Executors.newCachedThreadPool();
        try (GroupConsumer<String, String> consumer = fixture.builder(source, "classic", topic)
                .ordering(Ordering.KEY)
                .executor(handlers) // not shut down by close: the waiting handler is let go below
                .revokeTimeout(Duration.ofMillis(500))
                .handler(record -> {
                    if (record.key().equals("k3")) {
                        release.await();
                    }
                })
                .build().start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> consumer.stats().processed() == 90);
            consumer.close(Duration.ofMillis(500));
        } finally {
            release.countDown();
            handlers.shutdown();
        }
        OffsetAndMetadata committed = fixture.committed(source).get(new TopicPartition(topic, 0));
        assertThat(committed.offset()).isEqualTo(3);
        assertThat(committed.leaderEpoch()).isPresent();
        assertThat(DoneOffsetsCodec.decode(committed.metadata(), 3, committed.leaderEpoch()).size()).isEqualTo(87);
        return committed;
    }

    private int handledFrom(String group, String topic) throws Exception {
        AtomicInteger handled = new AtomicInteger();
        try (GroupConsumer<String, String> consumer = fixture.builder(group, "classic", topic)
                .ordering(Ordering.KEY)
                .handler(record -> handled.incrementAndGet())
                .build().start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> committedTotal(group) == 100);
        }
        return handled.get();
    }

    @Test
    void foreignOrCorruptMetadataIsIgnored() throws Exception {
        String topic = fixture.topic(2);
        String group = Fixture.unique("g");
        fixture.produce(topic, 2, "v", 0, 40);
        fixture.admin.alterConsumerGroupOffsets(group, Map.of(
                new TopicPartition(topic, 0), new OffsetAndMetadata(5, "written-by-another-tool"),
                new TopicPartition(topic, 1), new OffsetAndMetadata(5, "kg1r%%%not-base64"))).all().get();
        Set<String> handled = ConcurrentHashMap.newKeySet();
        try (GroupConsumer<String, String> consumer = fixture.builder(group, "classic", topic)
                .ordering(Ordering.KEY)
                .handler(record -> handled.add(record.partition() + ":" + record.offset()))
                .build().start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> committedTotal(group) == 40);
            assertThat(consumer.stats().alreadyDone()).isZero();
        }
        assertThat(handled).hasSize(30); // from offset 5 in both partitions, nothing skipped
    }

    private long committedTotal(String group) throws Exception {
        return fixture.committed(group).values().stream().mapToLong(OffsetAndMetadata::offset).sum();
    }

}
