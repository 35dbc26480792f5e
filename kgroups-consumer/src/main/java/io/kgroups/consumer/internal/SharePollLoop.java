package io.kgroups.consumer.internal;

import io.kgroups.consumer.ConsumerState;
import io.kgroups.consumer.Health;
import io.kgroups.consumer.ShareConsumerStats;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.Properties;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns a KafkaShareConsumer: it polls, hands each delivered record to the
 * handler pool, and acknowledges a record only once its handler returned — ACCEPT when it was
 * handled, dead-lettered or skipped, RELEASE when the member stops or fails before handling it.
 *
 * <p>KafkaShareConsumer in explicit mode refuses a poll while a record of the last one is not
 * acknowledged, so the loop polls only once the whole delivery is acknowledged; meanwhile it
 * sends acknowledgements as handlers finish ({@code commitAsync}), so that they count at once.
 * A handler still running when its lock nears its end would lose the record to another member:
 * before that, every record still running is acknowledged RENEW, and the next poll hands them
 * back under a new lock (KIP-1222). A renewal or an acknowledgement the broker refuses means the
 * lock is gone: the record is delivered again, counted as a lost lock; its handler still finishes.
 *
 * <p>Retries follow the error policy in the runtime, with the lock renewed as needed, so a retry
 * does not spend one of the group's deliveries ({@code share.delivery.count.limit}).
 */
public final class SharePollLoop<K, V> implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(SharePollLoop.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    private static final long WAIT_MS = 20;
    /** Kafka's default group.share.record.lock.duration.ms, until the broker says. */
    private static final int DEFAULT_LOCK_MS = 30_000;
    /** Kafka's default group.share.delivery.count.limit, when the group's cannot be read. */
    private static final int DEFAULT_DELIVERY_LIMIT = 5;

    /** Where a record is, for the maps: the consumer hands a renewed record back as a new object. */
    private record Key(String topic, int partition, long offset) {
        static Key of(ConsumerRecord<?, ?> record) {
            return new Key(record.topic(), record.partition(), record.offset());
        }

        @Override
        public String toString() {
            return topic + "-" + partition + "@" + offset;
        }
    }

    /** One delivered record, from its poll until its acknowledgement. */
    private static final class Delivery {
        final Key key;
        final ConsumerRecord<byte[], byte[]> raw;
        /** Poll thread: the record as the consumer last handed it out (acknowledged as that object). */
        ConsumerRecord<byte[], byte[]> presented;
        final int deliveryCount;
        int attempt = 1;
        /** Poll thread: when its lock started (the poll that delivered or gave it back). */
        long lockSinceNanos;
        /** Poll thread: a RENEW was sent, and the consumer has not handed the record back yet. */
        boolean renewing;
        /** Poll thread: the broker refused a renewal; the record cannot be acknowledged any more. */
        boolean lockLost;
        volatile long busySinceNanos;
        /** Set once, by the handler thread: how the record is to be acknowledged. */
        volatile AcknowledgeType outcome;

        Delivery(ConsumerRecord<byte[], byte[]> raw, long now) {
            this.key = Key.of(raw);
            this.raw = raw;
            this.presented = raw;
            this.deliveryCount = raw.deliveryCount().map(Short::intValue).orElse(1);
            this.lockSinceNanos = now;
        }
    }

    private final ShareSettings<K, V> settings;
    private final Function<Properties, ShareConsumer<byte[], byte[]>> consumers;
    private final Executor handlers;
    private final ScheduledExecutorService retries;
    private final DeadLetterSink deadLetters;
    private final ConsumerMetrics metrics;
    private final ShareMetrics shareMetrics;
    private final DeadLetterLog deadLetterLog;
    private final RecordProcessor<K, V> processor;
    private final Map<Key, Delivery> inFlight = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<Delivery> finished = new LinkedBlockingQueue<>();
    /** Poll thread: acknowledgements sent and not yet confirmed, by record. */
    private final Map<Key, AcknowledgeType> sent = new HashMap<>();

    private volatile ShareConsumer<byte[], byte[]> consumer;
    private volatile ConsumerState state = ConsumerState.CREATED;
    private volatile boolean stopRequested;
    private volatile long stopDeadlineNanos;
    private volatile boolean halted;
    private volatile String failure;
    private volatile long lastPollNanos = System.nanoTime();
    private volatile boolean member;
    private int lockMs = DEFAULT_LOCK_MS;
    private int deliveryLimit = DEFAULT_DELIVERY_LIMIT;

    public SharePollLoop(ShareSettings<K, V> settings, Function<Properties, ShareConsumer<byte[], byte[]>> consumers,
            Executor handlers, ScheduledExecutorService retries, DeadLetterSink deadLetters) {
        this.settings = settings;
        this.consumers = consumers;
        this.handlers = handlers;
        this.retries = retries;
        this.deadLetters = deadLetters;
        this.metrics = new ConsumerMetrics(settings.meterRegistry(), settings.groupId());
        this.shareMetrics = new ShareMetrics(settings.meterRegistry(), settings.groupId());
        this.deadLetterLog = new DeadLetterLog(settings.groupId(), System::nanoTime);
        this.processor = new RecordProcessor<>(settings.handling(), metrics, deadLetters, deadLetterLog);
        metrics.gauge("in_flight", inFlight, Map::size, "Records delivered and not yet acknowledged");
    }

    public void starting() {
        state = ConsumerState.STARTING;
    }

    /** Stop polling; let running handlers finish within {@code timeout}; release the rest; leave. */
    public void requestStop(Duration timeout) {
        if (!stopRequested) {
            stopDeadlineNanos = System.nanoTime() + timeout.toNanos();
            stopRequested = true;
        }
        ShareConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    @Override
    public void run() {
        try {
            open();
            while (!stopRequested && failure == null) {
                step();
            }
        } catch (Throwable e) {
            failed("poll loop crashed: " + e, e);
        } finally {
            shutdown();
        }
    }

    private void open() {
        deliveryLimit = GroupDeliveryLimit.read(settings.adminProperties(), settings.groupId(), DEFAULT_DELIVERY_LIMIT);
        ShareConsumer<byte[], byte[]> made = consumers.apply(settings.consumerProperties());
        made.setAcknowledgementCommitCallback(this::confirmed);
        made.subscribe(settings.topics());
        consumer = made;
    }

    private void step() throws InterruptedException {
        boolean acknowledged = acknowledgeFinished();
        if (presentedUnacknowledged() == 0) {
            poll();
            return;
        }
        if (renewDue()) {
            renewRunning();
            acknowledged = true;
        }
        if (acknowledged) {
            consumer.commitAsync();
        }
        Delivery next = finished.poll(WAIT_MS, TimeUnit.MILLISECONDS);
        if (next != null) {
            finished.add(next);
        }
    }

    private void poll() {
        ConsumerRecords<byte[], byte[]> records;
        boolean waitingForRenewals = inFlight.values().stream().anyMatch(d -> d.renewing);
        try {
            records = consumer.poll(waitingForRenewals ? Duration.ofMillis(WAIT_MS) : POLL_TIMEOUT);
        } catch (WakeupException e) {
            return;
        }
        long now = System.nanoTime();
        lastPollNanos = now;
        if (!member) {
            member = true;
            consumer.acquisitionLockTimeoutMs().ifPresent(ms -> lockMs = ms);
            if (!stopRequested && failure == null) {
                state = ConsumerState.RUNNING;
            }
        }
        for (ConsumerRecord<byte[], byte[]> raw : records) {
            Key key = Key.of(raw);
            Delivery known = inFlight.get(key);
            if (known != null && known.renewing) {
                known.renewing = false; // handed back under a new lock
                known.presented = raw;
                known.lockSinceNanos = now;
                if (known.outcome != null) {
                    finished.add(known); // it finished while its renewal was on the way
                }
                continue;
            }
            Delivery delivery = new Delivery(raw, now);
            inFlight.put(key, delivery);
            metrics.topic(raw.topic()).consumed.increment();
            shareMetrics.delivered(delivery.deliveryCount);
            dispatch(delivery);
        }
        consumer.acquisitionLockTimeoutMs().ifPresent(ms -> lockMs = ms);
    }

    private void dispatch(Delivery delivery) {
        try {
            handlers.execute(() -> handle(delivery));
        } catch (RejectedExecutionException e) {
            failed("the handler executor refused a record (" + e.getMessage() + "): it must accept every task", e);
            finish(delivery, AcknowledgeType.RELEASE);
        }
    }

    /** Handler thread: one attempt of a record, and what follows from it. */
    private void handle(Delivery delivery) {
        if (halted || stopRequested) {
            finish(delivery, AcknowledgeType.RELEASE); // not started: another member takes it now
            return;
        }
        delivery.busySinceNanos = System.nanoTime();
        RecordProcessor.Outcome outcome;
        try {
            outcome = processor.handleRecord(delivery.raw, delivery.attempt, metrics.topic(delivery.raw.topic()));
        } catch (Throwable fatal) {
            delivery.busySinceNanos = 0;
            failed("fatal error in a handler: " + fatal, fatal);
            finish(delivery, AcknowledgeType.RELEASE);
            throw fatal;
        }
        delivery.busySinceNanos = 0;
        switch (outcome.kind()) {
            case DONE -> finish(delivery, AcknowledgeType.ACCEPT);
            case RETRY -> {
                delivery.attempt++;
                try {
                    retries.schedule(() -> dispatch(delivery), outcome.retryDelayMs(), TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException e) {
                    finish(delivery, AcknowledgeType.RELEASE); // shutting down
                }
            }
            default -> {
                failed(outcome.reason(), outcome.cause()); // first: no record starts after this one failed
                finish(delivery, AcknowledgeType.RELEASE);
            }
        }
    }

    private void finish(Delivery delivery, AcknowledgeType outcome) {
        delivery.outcome = outcome;
        finished.add(delivery);
    }

    /** Poll thread: acknowledges what handlers finished; true if it acknowledged anything. */
    private boolean acknowledgeFinished() {
        boolean any = false;
        for (Delivery delivery; (delivery = finished.poll()) != null; ) {
            if (delivery.renewing || inFlight.get(delivery.key) != delivery) {
                continue; // acknowledged when the consumer hands it back
            }
            inFlight.remove(delivery.key);
            if (delivery.lockLost) {
                continue; // counted when the lock was lost: the broker delivers it again
            }
            acknowledge(delivery, delivery.outcome);
            any = true;
        }
        return any;
    }

    private void acknowledge(Delivery delivery, AcknowledgeType type) {
        try {
            consumer.acknowledge(delivery.presented, type);
        } catch (IllegalStateException e) {
            // The consumer no longer holds it (the member left the group and rejoined): its lock is gone.
            lockLost(delivery, e.getMessage());
            return;
        }
        sent.put(delivery.key, type);
        if (type == AcknowledgeType.RELEASE && delivery.deliveryCount >= deliveryLimit) {
            shareMetrics.deliveryLimitReached.increment();
        }
    }

    private int presentedUnacknowledged() {
        int count = 0;
        for (Delivery delivery : inFlight.values()) {
            if (!delivery.renewing && !delivery.lockLost) {
                count++;
            }
        }
        return count;
    }

    /** The oldest lock of a running record is two thirds through (at least a second before its end). */
    private boolean renewDue() {
        long margin = Math.max(lockMs / 3L, Math.min(1_000L, lockMs / 2L));
        long dueNanos = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(lockMs - margin);
        for (Delivery delivery : inFlight.values()) {
            if (!delivery.renewing && !delivery.lockLost && delivery.lockSinceNanos <= dueNanos) {
                return true;
            }
        }
        return false;
    }

    /** RENEW every record still running, so that the next poll gives them back under new locks. */
    private void renewRunning() {
        for (Delivery delivery : List.copyOf(inFlight.values())) {
            if (!delivery.renewing && !delivery.lockLost) {
                acknowledge(delivery, AcknowledgeType.RENEW);
                delivery.renewing = !delivery.lockLost;
            }
        }
    }

    /** Poll thread, inside poll or commit: the broker's answer to acknowledgements sent. */
    private void confirmed(Map<TopicIdPartition, Set<Long>> offsets, Exception error) {
        for (Map.Entry<TopicIdPartition, Set<Long>> partition : offsets.entrySet()) {
            for (long offset : partition.getValue()) {
                Key key = new Key(partition.getKey().topic(), partition.getKey().partition(), offset);
                AcknowledgeType type = sent.remove(key);
                if (type == null) {
                    continue;
                }
                if (error == null) {
                    shareMetrics.confirmed.get(type).increment();
                    continue;
                }
                shareMetrics.refused.get(type).increment();
                Delivery delivery = inFlight.get(key);
                if (type == AcknowledgeType.RENEW && delivery != null) {
                    lockLost(delivery, error.toString());
                } else {
                    LOG.atWarn().setMessage("acknowledgement_refused").addKeyValue("group", settings.groupId())
                            .addKeyValue("record", key).addKeyValue("type", type).addKeyValue("error", error.toString())
                            .addKeyValue("next", "the broker delivers the record again").log();
                }
            }
        }
    }

    private void lockLost(Delivery delivery, String why) {
        if (delivery.lockLost) {
            return;
        }
        delivery.lockLost = true;
        delivery.renewing = false;
        shareMetrics.locksLost.increment();
        LOG.atWarn().setMessage("lock_lost").addKeyValue("group", settings.groupId()).addKeyValue("record", delivery.key)
                .addKeyValue("error", why).addKeyValue("next", "the handler finishes; the broker delivers the record again").log();
    }

    public void failed(String reason, Throwable cause) {
        halted = true;
        synchronized (this) {
            if (failure != null) {
                return;
            }
            failure = reason;
            state = ConsumerState.FAILED;
        }
        LOG.atError().setMessage("consumer_failed").addKeyValue("group", settings.groupId()).addKeyValue("reason", reason)
                .setCause(cause).log();
        ShareConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    /** Waits (bounded) for running handlers, releases what has not finished, and leaves the group. */
    private void shutdown() {
        if (failure == null) {
            state = ConsumerState.STOPPING;
        }
        long deadline = stopRequested ? stopDeadlineNanos : System.nanoTime() + settings.commitTimeout().toNanos();
        try {
            if (consumer != null) {
                boolean finishedAll = drain(deadline);
                acknowledgeFinished(); // what finished at the deadline is accepted, not released
                for (Delivery delivery : List.copyOf(inFlight.values())) {
                    if (!delivery.renewing && !delivery.lockLost) {
                        acknowledge(delivery, AcknowledgeType.RELEASE); // still running: another member takes it now
                    }
                    inFlight.remove(delivery.key);
                }
                try {
                    consumer.commitSync(settings.commitTimeout());
                } catch (WakeupException e) {
                    consumer.commitSync(settings.commitTimeout()); // the stop's own wakeup, not a failure
                }
                consumer.close(Duration.ofMillis(Math.max(1_000, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
                LOG.atInfo().setMessage("consumer_closed").addKeyValue("group", settings.groupId())
                        .addKeyValue("in_flight_finished", finishedAll).addKeyValue("failure", failure).log();
            }
        } catch (Throwable e) {
            LOG.atWarn().setMessage("consumer_closed").addKeyValue("group", settings.groupId())
                    .addKeyValue("error", e.toString()).log();
        } finally {
            deadLetterLog.flush();
            deadLetters.close();
            member = false;
            state = failure != null ? ConsumerState.FAILED : ConsumerState.STOPPED;
        }
    }

    /** Acknowledges handlers as they finish (renewing locks) until none runs or the deadline; true if none runs. */
    private boolean drain(long deadlineNanos) throws InterruptedException {
        while (true) {
            boolean acknowledged = acknowledgeFinished();
            if (inFlight.values().stream().anyMatch(d -> d.renewing)) {
                poll(); // a renewal on the way: take the records back, or they cannot be acknowledged
            }
            if (presentedUnacknowledged() > 0 && renewDue()) {
                renewRunning();
                acknowledged = true;
            }
            if (acknowledged) {
                consumer.commitAsync();
            }
            if (inFlight.isEmpty() || System.nanoTime() >= deadlineNanos) {
                return inFlight.isEmpty();
            }
            Delivery next = finished.poll(WAIT_MS, TimeUnit.MILLISECONDS);
            if (next != null) {
                finished.add(next);
            }
        }
    }

    // ---- what the public side reads ----

    public ConsumerState state() {
        return state;
    }

    public String failure() {
        return failure;
    }

    public Health health() {
        long now = System.nanoTime();
        Delivery busiest = null;
        for (Delivery delivery : inFlight.values()) {
            long since = delivery.busySinceNanos;
            if (since != 0 && (busiest == null || since < busiest.busySinceNanos)) {
                busiest = delivery;
            }
        }
        long busySince = busiest == null ? 0 : busiest.busySinceNanos;
        // A share member has no assignment of its own to report: 1 stands for "can be given records".
        return HealthCheck.evaluate(new HealthCheck.Signals(state, failure, (now - lastPollNanos) / 1_000_000,
                settings.maxPollIntervalMs(), member, 1,
                busySince == 0 ? 0 : (now - busySince) / 1_000_000, busiest == null ? null : busiest.key.toString(),
                settings.stuckThreshold().toMillis(), 0, 1, 0, Long.MAX_VALUE, null, 0, 0));
    }

    public ShareConsumerStats stats() {
        return new ShareConsumerStats(state, metrics.sum(t -> t.consumed), metrics.sum(t -> t.processed),
                metrics.sum(t -> t.failed), metrics.sum(t -> t.retried), metrics.sum(t -> t.deadLettered),
                metrics.sum(t -> t.skipped), inFlight.size(),
                shareMetrics.confirmed.get(AcknowledgeType.ACCEPT).sum(),
                shareMetrics.confirmed.get(AcknowledgeType.RELEASE).sum(),
                shareMetrics.confirmed.get(AcknowledgeType.REJECT).sum(),
                shareMetrics.confirmed.get(AcknowledgeType.RENEW).sum(),
                shareMetrics.refused.values().stream().mapToLong(java.util.concurrent.atomic.LongAdder::sum).sum(),
                shareMetrics.redelivered.sum(), shareMetrics.locksLost.sum(), shareMetrics.deliveryLimitReached.sum());
    }
}
