package io.kgroups.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kgroups.consumer.ConsumerState;
import io.kgroups.consumer.ErrorPolicy;
import io.kgroups.consumer.ShareConsumerStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.AcknowledgementCommitCallback;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidRecordStateException;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * A broker that refuses a renewal (one without KIP-1222, or a lock already gone) is a fault the
 * embedded broker does not produce: here a fake share consumer refuses every RENEW. The record's
 * lock is then lost: counted, its handler still finishes, nothing is acknowledged for it (the
 * broker delivers it again), and the member goes on polling.
 */
class RefusedRenewalTest {
    private static final String TOPIC = "orders";
    private static final TopicIdPartition PARTITION = new TopicIdPartition(Uuid.randomUuid(), 0, TOPIC);

    @Test
    void aRefusedRenewalIsALostLockAndTheRecordIsStillHandled() throws Exception {
        RefusingRenewals consumer = new RefusingRenewals(300);
        consumer.deliver(new ConsumerRecord<>(TOPIC, 0, 0L, new byte[0], "slow".getBytes()));
        AtomicInteger handled = new AtomicInteger();
        ShareSettings<String, String> settings = new ShareSettings<>(new Properties(), new Properties(), new Properties(), "g",
                List.of(TOPIC), new Handling<>("g", new StringDeserializer(), new StringDeserializer(), record -> {
                    Thread.sleep(1_000); // more than three locks of 300 ms
                    handled.incrementAndGet();
                }, null, ErrorPolicy.fail()), 2, null, Duration.ofSeconds(5), Duration.ofMinutes(1), 300_000);
        ExecutorService handlers = Executors.newFixedThreadPool(2);
        ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor();
        SharePollLoop<String, String> loop = new SharePollLoop<>(settings, properties -> consumer, handlers, retries,
                new NoDeadLetters());
        loop.starting();
        Thread poll = new Thread(loop, "poll");
        poll.start();
        try {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                ShareConsumerStats stats = loop.stats();
                assertThat(handled.get()).as("handled although its lock was lost").isEqualTo(1);
                assertThat(stats.locksLost()).isEqualTo(1);
                assertThat(stats.acknowledgementsRefused()).as("the refused renewal").isEqualTo(1);
                assertThat(stats.inFlight()).isZero();
            });
            assertThat(consumer.acknowledged).as("acknowledgements sent: the renewal only, no ACCEPT for a lock gone")
                    .containsExactly(AcknowledgeType.RENEW);
            assertThat(consumer.pollsAfterLoss).as("the member went on polling while the handler ran").isPositive();
            assertThat(loop.state()).isEqualTo(ConsumerState.RUNNING);
        } finally {
            loop.requestStop(Duration.ofSeconds(5));
            poll.join(20_000);
            handlers.shutdownNow();
            retries.shutdownNow();
        }
        assertThat(loop.state()).isEqualTo(ConsumerState.STOPPED);
    }

    /** Delivers the records given once; answers every RENEW with a refusal, everything else with success. */
    private static final class RefusingRenewals implements ShareConsumer<byte[], byte[]> {
        private final int lockMs;
        private final List<ConsumerRecord<byte[], byte[]>> waiting = new ArrayList<>();
        private final Map<Long, AcknowledgeType> pending = new HashMap<>();
        final List<AcknowledgeType> acknowledged = new ArrayList<>();
        volatile int pollsAfterLoss;
        private boolean lost;
        private AcknowledgementCommitCallback callback;

        RefusingRenewals(int lockMs) {
            this.lockMs = lockMs;
        }

        synchronized void deliver(ConsumerRecord<byte[], byte[]> record) {
            waiting.add(record);
        }

        @Override
        public synchronized ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
            answer();
            if (lost) {
                pollsAfterLoss++;
            }
            if (waiting.isEmpty()) {
                try {
                    wait(Math.min(timeout.toMillis(), 20));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return ConsumerRecords.empty();
            }
            List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>(waiting);
            waiting.clear();
            return new ConsumerRecords<>(Map.of(new TopicPartition(TOPIC, 0), batch), Map.of());
        }

        @Override
        public synchronized void acknowledge(ConsumerRecord<byte[], byte[]> record, AcknowledgeType type) {
            pending.put(record.offset(), type);
            acknowledged.add(type);
        }

        @Override
        public synchronized void commitAsync() {
            answer();
        }

        @Override
        public synchronized Map<TopicIdPartition, Optional<KafkaException>> commitSync(Duration timeout) {
            answer();
            return Map.of();
        }

        private void answer() {
            for (Map.Entry<Long, AcknowledgeType> ack : pending.entrySet()) {
                boolean renew = ack.getValue() == AcknowledgeType.RENEW;
                lost |= renew;
                callback.onComplete(Map.of(PARTITION, Set.of(ack.getKey())),
                        renew ? new InvalidRecordStateException("the record's lock cannot be renewed") : null);
            }
            pending.clear();
        }

        @Override
        public void setAcknowledgementCommitCallback(AcknowledgementCommitCallback callback) {
            this.callback = callback;
        }

        @Override
        public Optional<Integer> acquisitionLockTimeoutMs() {
            return Optional.of(lockMs);
        }

        @Override
        public void subscribe(Collection<String> topics) {
        }

        @Override
        public Set<String> subscription() {
            return Set.of(TOPIC);
        }

        @Override
        public void unsubscribe() {
        }

        @Override
        public void acknowledge(ConsumerRecord<byte[], byte[]> record) {
            acknowledge(record, AcknowledgeType.ACCEPT);
        }

        @Override
        public void acknowledge(String topic, int partition, long offset, AcknowledgeType type) {
            throw new IllegalStateException("the runtime acknowledges records, not coordinates");
        }

        @Override
        public Map<TopicIdPartition, Optional<KafkaException>> commitSync() {
            return commitSync(Duration.ofSeconds(30));
        }

        @Override
        public Uuid clientInstanceId(Duration timeout) {
            return Uuid.ZERO_UUID;
        }

        @Override
        public Map<MetricName, ? extends Metric> metrics() {
            return Map.of();
        }

        @Override
        public void registerMetricForSubscription(KafkaMetric metric) {
        }

        @Override
        public void unregisterMetricFromSubscription(KafkaMetric metric) {
        }

        @Override
        public void close() {
        }

        @Override
        public void close(Duration timeout) {
        }

        @Override
        public synchronized void wakeup() {
            notifyAll();
        }
    }

    private static final class NoDeadLetters implements DeadLetterSink {
        @Override
        public void publish(String topic, ConsumerRecord<byte[], byte[]> record, Throwable error, int attempts) {
            throw new AssertionError("no record fails in this test");
        }

        @Override
        public void close() {
        }
    }
}
