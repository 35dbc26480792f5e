package io.kgroups.consumer.internal;

import io.kgroups.consumer.Ordering;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The records of one assigned partition on their way through the handlers. The poll thread
 * enqueues; records go into chains, and a chain's records are handled one after the other in
 * offset order, while chains run in parallel on the handler slots. The ordering decides the
 * chains: PARTITION, one chain; KEY, one chain per key (records without a key share one, in
 * partition order); UNORDERED, every record a chain of its own.
 *
 * <p>A record waiting for its retry parks its chain without holding a slot or a thread, so other
 * chains go on. Closing (revoke, loss, shutdown) drops what is queued: those records were not
 * done, are not committed, and are fetched again by the next owner. Offsets recorded as done in
 * the commit metadata of a previous owner are marked done when fetched, without a handler call.
 */
public final class PartitionLane {
    private static final Object NULL_KEY = new Object();

    private final TopicPartition partition;
    private final PartitionOffsets offsets = new PartitionOffsets();
    private final RecordProcessor<?, ?> processor;
    private final Slots slots;
    private final ScheduledExecutorService scheduler;
    private final LaneEvents events;
    private final Ordering ordering;
    private final int maxBatchSize;
    private final boolean batch;
    private final boolean commitEachRecord;
    private final Object partitionKey = new Object();
    private final ConsumerMetrics.TopicCounts counts;

    // guarded by this
    private final Map<Object, Chain> chains = new HashMap<>();
    private final Set<Chain> running = new HashSet<>();
    private int queuedRecords;
    private long[] alreadyDone = new long[0];
    private int alreadyDoneIndex;

    private volatile int queuedView;
    private volatile long queuedBytes;
    private volatile boolean closed;
    private volatile long acked = -1;
    private volatile long lag = -1;
    private volatile int metadataLength;
    private volatile int wakeAtQueued = -1;
    private volatile boolean metadataOverflowLogged;

    PartitionLane(TopicPartition partition, RecordProcessor<?, ?> processor, Slots slots,
            ScheduledExecutorService scheduler, LaneEvents events, Ordering ordering, int maxBatchSize, boolean batch,
            boolean commitEachRecord) {
        this.partition = partition;
        this.processor = processor;
        this.slots = slots;
        this.scheduler = scheduler;
        this.events = events;
        this.ordering = ordering;
        this.maxBatchSize = maxBatchSize;
        this.batch = batch;
        this.commitEachRecord = commitEachRecord;
        this.counts = processor == null ? null : processor.counts(partition.topic());
    }

    public TopicPartition partition() {
        return partition;
    }

    PartitionOffsets offsets() {
        return offsets;
    }

    /** Offsets a previous owner recorded as done (sorted): fetched again, they are not handled. */
    synchronized void alreadyDone(long[] done) {
        alreadyDone = done.clone();
        Arrays.sort(alreadyDone);
        alreadyDoneIndex = 0;
    }

    /** Poll thread: hands fetched records of this partition to the handler side. */
    void enqueue(List<ConsumerRecord<byte[], byte[]>> records) {
        List<Chain> toStart = null;
        int skipped = 0;
        synchronized (this) {
            if (closed) {
                return;
            }
            long bytes = 0;
            for (ConsumerRecord<byte[], byte[]> record : records) {
                offsets.dispatched(record.offset(), record.leaderEpoch().orElse(-1));
                if (wasAlreadyDone(record.offset())) {
                    offsets.done(record.offset());
                    skipped++;
                    continue;
                }
                Object key = chainKey(record);
                Chain chain = chains.get(key);
                if (chain == null) {
                    chain = new Chain(key);
                    chains.put(key, chain);
                }
                chain.queue.add(record);
                bytes += size(record);
                queuedRecords++;
                if (!chain.scheduled) {
                    chain.scheduled = true;
                    if (toStart == null) {
                        toStart = new ArrayList<>();
                    }
                    toStart.add(chain);
                }
            }
            queuedView = queuedRecords;
            queuedBytes += bytes;
        }
        if (skipped > 0) {
            events.alreadyDone(this, skipped);
        }
        if (toStart != null) {
            for (Chain chain : toStart) {
                slots.request(this, chain);
            }
        }
    }

    private boolean wasAlreadyDone(long offset) {
        while (alreadyDoneIndex < alreadyDone.length && alreadyDone[alreadyDoneIndex] < offset) {
            alreadyDoneIndex++;
        }
        return alreadyDoneIndex < alreadyDone.length && alreadyDone[alreadyDoneIndex] == offset;
    }

    private Object chainKey(ConsumerRecord<byte[], byte[]> record) {
        return switch (ordering) {
            case PARTITION -> partitionKey;
            case UNORDERED -> record.offset();
            case KEY -> record.key() == null ? NULL_KEY : ByteBuffer.wrap(record.key());
        };
    }

    /** Records of one chain, handled one after the other; runs only while holding a slot. */
    private final class Chain implements Runnable {
        private final Object key;
        private final ArrayDeque<ConsumerRecord<byte[], byte[]>> queue = new ArrayDeque<>();
        private boolean scheduled;               // guarded by the lane: queued for a slot, running or parked
        private volatile long busySinceNanos;
        private volatile long busyOffset = -1;

        Chain(Object key) {
            this.key = key;
        }

        @Override
        public void run() {
            while (true) {
                List<ConsumerRecord<byte[], byte[]>> next = take();
                if (next == null) {
                    return;
                }
                if (!handle(next, 1)) {
                    return;
                }
            }
        }

        /** The next record (or batch) of this chain, or null when it goes idle (its slot is released). */
        private List<ConsumerRecord<byte[], byte[]>> take() {
            List<ConsumerRecord<byte[], byte[]>> next = null;
            boolean laneIdle = false;
            boolean drained = false;
            synchronized (PartitionLane.this) {
                if (closed || queue.isEmpty()) {
                    scheduled = false;
                    if (!closed) {
                        chains.remove(key);
                    }
                    laneIdle = queuedRecords == 0;
                    PartitionLane.this.notifyAll();
                } else {
                    int n = batch ? Math.min(maxBatchSize, queue.size()) : 1;
                    long bytes = 0;
                    if (n == 1) {
                        ConsumerRecord<byte[], byte[]> record = queue.poll();
                        next = List.of(record);
                        bytes = size(record);
                    } else {
                        next = new ArrayList<>(n);
                        for (int i = 0; i < n; i++) {
                            ConsumerRecord<byte[], byte[]> record = queue.poll();
                            next.add(record);
                            bytes += size(record);
                        }
                    }
                    queuedRecords -= n;
                    queuedView = queuedRecords;
                    queuedBytes -= bytes;
                }
                int mark = wakeAtQueued;
                if (mark >= 0 && queuedRecords <= mark) {
                    wakeAtQueued = -1;
                    drained = true;
                }
            }
            if (drained) {
                events.laneDrained(PartitionLane.this);
            }
            if (next == null) {
                slots.release(PartitionLane.this);
                if (laneIdle) {
                    events.laneIdle(PartitionLane.this);
                }
            }
            return next;
        }

        /** One attempt; true to go on with the chain, false when parked for a retry or stopped. */
        private boolean handle(List<ConsumerRecord<byte[], byte[]>> records, int attempt) {
            if (!begin(this, records.get(0))) {
                slots.release(PartitionLane.this);
                return false;
            }
            RecordProcessor.Outcome outcome;
            try {
                outcome = batch ? processor.handleBatch(records, attempt, counts)
                        : processor.handleRecord(records.get(0), attempt, counts);
                if (outcome.kind() == RecordProcessor.Outcome.Kind.EXHAUSTED) {
                    outcome = oneByOne(records, attempt);
                }
                if (outcome.kind() == RecordProcessor.Outcome.Kind.DONE) {
                    // Before end(): a revoke that sees no handler running must see these as done.
                    for (ConsumerRecord<byte[], byte[]> record : records) {
                        offsets.done(record.offset());
                    }
                }
            } finally {
                end(this);
            }
            switch (outcome.kind()) {
                case DONE -> {
                    events.recordsDone(PartitionLane.this, records.size());
                    if (commitEachRecord) {
                        long offset = records.get(records.size() - 1).offset() + 1;
                        events.commitNow();
                        awaitAcked(offset);
                    }
                    return true;
                }
                case RETRY -> {
                    slots.release(PartitionLane.this);
                    park(records, attempt + 1, outcome.retryDelayMs());
                    return false;
                }
                default -> {
                    stop(this);
                    slots.release(PartitionLane.this);
                    events.failed(outcome.reason(), outcome.cause());
                    return false;
                }
            }
        }

        private void park(List<ConsumerRecord<byte[], byte[]>> records, int nextAttempt, long delayMs) {
            Runnable resume = () -> {
                if (handle(records, nextAttempt)) {
                    run();
                }
            };
            try {
                scheduler.schedule(() -> slots.request(PartitionLane.this, resume), delayMs, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                stop(this); // shutting down: the record stays not done
            }
        }
    }

    /** A batch whose retries are spent: each record alone, the final action for the one that fails. */
    private RecordProcessor.Outcome oneByOne(List<ConsumerRecord<byte[], byte[]>> records, int attempts) {
        for (ConsumerRecord<byte[], byte[]> record : records) {
            RecordProcessor.Outcome outcome = processor.handleAlone(record, attempts, counts);
            if (outcome.kind() != RecordProcessor.Outcome.Kind.DONE) {
                return outcome;
            }
            offsets.done(record.offset());
        }
        return RecordProcessor.Outcome.DONE;
    }

    private synchronized boolean begin(Chain chain, ConsumerRecord<byte[], byte[]> first) {
        if (closed) {
            chain.scheduled = false;
            notifyAll();
            return false;
        }
        running.add(chain);
        chain.busySinceNanos = System.nanoTime();
        chain.busyOffset = first.offset();
        return true;
    }

    private synchronized void end(Chain chain) {
        running.remove(chain);
        chain.busySinceNanos = 0;
        chain.busyOffset = -1;
        notifyAll();
    }

    private synchronized void stop(Chain chain) {
        chain.scheduled = false;
        notifyAll();
    }

    /** Poll thread: no more records for this lane; queued ones are dropped (not done, not committed). */
    synchronized void close() {
        closed = true;
        for (Chain chain : chains.values()) {
            chain.queue.clear();
        }
        queuedRecords = 0;
        queuedView = 0;
        queuedBytes = 0;
        notifyAll();
    }

    /** Waits until no handler call of this lane is under way; false if one still is at the deadline. */
    synchronized boolean awaitIdle(long deadlineNanos) throws InterruptedException {
        while (!running.isEmpty()) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    /** Per-record commits: wait until the poll thread has committed {@code offset} (or the lane closed). */
    private void awaitAcked(long offset) {
        synchronized (this) {
            while (!closed && acked < offset) {
                try {
                    wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Poll thread: the coordinator acknowledged {@code offset} for this partition. */
    synchronized void acked(long offset) {
        if (offset > acked) {
            acked = offset;
            notifyAll();
        }
    }

    /** Poll thread: while paused, tell it when the queue falls to {@code records} (-1: never). */
    void wakeWhenDrainedTo(int records) {
        wakeAtQueued = records;
    }

    int queued() {
        return queuedView;
    }

    long queuedBytes() {
        return queuedBytes;
    }

    /** Records fetched and not done yet: queued, in a handler, or waiting for a retry. */
    int inFlight() {
        return offsets.pending();
    }

    /** The record longest in a handler of this lane right now: {nanos since it started, offset}, or null. */
    synchronized long[] oldestBusy() {
        long since = 0;
        long offset = -1;
        for (Chain chain : running) {
            long s = chain.busySinceNanos;
            if (s != 0 && (since == 0 || s < since)) {
                since = s;
                offset = chain.busyOffset;
            }
        }
        return since == 0 ? null : new long[] {since, offset};
    }

    void lag(long lag) {
        this.lag = lag;
    }

    /**
     * Log-end offset minus the lowest offset not done, as last measured by the poll thread; NaN
     * until measured (the consumer does not know its position in the partition yet).
     */
    public double lag() {
        long value = lag;
        return value < 0 ? Double.NaN : value;
    }

    /** The lag in records, or -1 until measured. */
    long lagRecords() {
        return lag;
    }

    /** Length of the metadata of the last commit: intake slows down before it reaches the budget. */
    int metadataLength() {
        return metadataLength;
    }

    void metadataLength(int length) {
        metadataLength = length;
    }

    /** True the first time only: an overflow is logged once per partition. */
    boolean firstMetadataOverflow() {
        if (metadataOverflowLogged) {
            return false;
        }
        metadataOverflowLogged = true;
        return true;
    }

    private static long size(ConsumerRecord<byte[], byte[]> record) {
        return Math.max(0, record.serializedKeySize()) + Math.max(0, record.serializedValueSize()) + 64;
    }
}
