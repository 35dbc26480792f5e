package io.kgroups.consumer.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The records of one assigned partition on their way through the handler, one at a time in
 * offset order ({@code Ordering.PARTITION}). The poll thread enqueues; one task at a time, on the
 * handler executor, drains. A record waiting for its retry parks the lane without holding a
 * thread, so other partitions go on. Closing (revoke, loss, shutdown) drops what is queued:
 * those records were not done, are not committed, and are fetched again by the next owner.
 */
public final class PartitionLane implements Runnable {
    private final TopicPartition partition;
    private final PartitionOffsets offsets = new PartitionOffsets();
    private final RecordProcessor<?, ?> processor;
    private final Executor executor;
    private final ScheduledExecutorService scheduler;
    private final LaneEvents events;
    private final int maxBatchSize;
    private final boolean batch;
    private final boolean commitEachRecord;

    private final ArrayDeque<ConsumerRecord<byte[], byte[]>> queue = new ArrayDeque<>();
    private int queuedRecords;          // guarded by this; read racily for backpressure via volatile copies
    private volatile int queuedView;
    private volatile long queuedBytes;
    private boolean scheduled;          // guarded by this: a drain task is queued, running or parked
    private boolean running;            // guarded by this: a handler call is under way
    private volatile boolean closed;
    private volatile long busySinceNanos;
    private volatile long busyOffset = -1;
    private volatile long acked = -1;
    private volatile long lag = -1;

    PartitionLane(TopicPartition partition, RecordProcessor<?, ?> processor, Executor executor,
            ScheduledExecutorService scheduler, LaneEvents events, int maxBatchSize, boolean batch,
            boolean commitEachRecord) {
        this.partition = partition;
        this.processor = processor;
        this.executor = executor;
        this.scheduler = scheduler;
        this.events = events;
        this.maxBatchSize = maxBatchSize;
        this.batch = batch;
        this.commitEachRecord = commitEachRecord;
    }

    public TopicPartition partition() {
        return partition;
    }

    PartitionOffsets offsets() {
        return offsets;
    }

    /** Poll thread: hands fetched records of this partition to the handler side. */
    void enqueue(List<ConsumerRecord<byte[], byte[]>> records) {
        boolean start;
        synchronized (this) {
            if (closed) {
                return;
            }
            long bytes = 0;
            for (ConsumerRecord<byte[], byte[]> record : records) {
                queue.add(record);
                offsets.dispatched(record.offset(), record.leaderEpoch().orElse(-1));
                bytes += size(record);
            }
            queuedRecords += records.size();
            queuedView = queuedRecords;
            queuedBytes += bytes;
            start = !scheduled;
            scheduled = true;
        }
        if (start) {
            submit(this);
        }
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

    /** Up to one record (or one batch) from the queue, or null when the lane goes idle. */
    private List<ConsumerRecord<byte[], byte[]>> take() {
        boolean idle;
        List<ConsumerRecord<byte[], byte[]>> next = null;
        synchronized (this) {
            idle = closed || queue.isEmpty();
            if (idle) {
                scheduled = false;
                notifyAll();
            } else {
                int n = batch ? Math.min(maxBatchSize, queue.size()) : 1;
                next = new ArrayList<>(n);
                long bytes = 0;
                for (int i = 0; i < n; i++) {
                    ConsumerRecord<byte[], byte[]> record = queue.poll();
                    next.add(record);
                    bytes += size(record);
                }
                queuedRecords -= n;
                queuedView = queuedRecords;
                queuedBytes -= bytes;
            }
        }
        if (idle) {
            events.laneIdle(this);
        }
        return next;
    }

    /** Runs one attempt; true to go on with the queue, false when parked for a retry or stopped. */
    private boolean handle(List<ConsumerRecord<byte[], byte[]>> records, int attempt) {
        if (!begin(records.get(0))) {
            return false;
        }
        RecordProcessor.Outcome outcome;
        try {
            outcome = batch ? processor.handleBatch(records, attempt) : processor.handleRecord(records.get(0), attempt);
            if (outcome.kind() == RecordProcessor.Outcome.Kind.EXHAUSTED) {
                outcome = oneByOne(records, attempt);
            }
        } finally {
            end();
        }
        switch (outcome.kind()) {
            case DONE -> {
                if (batch) {
                    for (ConsumerRecord<byte[], byte[]> record : records) {
                        offsets.done(record.offset());
                    }
                } else {
                    offsets.done(records.get(0).offset());
                }
                events.recordsDone(this, records.size());
                if (commitEachRecord) {
                    long offset = records.get(records.size() - 1).offset() + 1;
                    events.commitNow();
                    awaitAcked(offset);
                }
                return true;
            }
            case RETRY -> {
                park(records, attempt + 1, outcome.retryDelayMs());
                return false;
            }
            default -> {
                stop();
                events.failed(outcome.reason(), outcome.cause());
                return false;
            }
        }
    }

    /** A batch whose retries are spent: each record alone, the final action for the one that fails. */
    private RecordProcessor.Outcome oneByOne(List<ConsumerRecord<byte[], byte[]>> records, int attempts) {
        for (ConsumerRecord<byte[], byte[]> record : records) {
            RecordProcessor.Outcome outcome = processor.handleAlone(record, attempts);
            if (outcome.kind() != RecordProcessor.Outcome.Kind.DONE) {
                return outcome;
            }
            offsets.done(record.offset());
        }
        return RecordProcessor.Outcome.DONE;
    }

    private void park(List<ConsumerRecord<byte[], byte[]>> records, int nextAttempt, long delayMs) {
        try {
            scheduler.schedule(() -> submit(() -> {
                if (handle(records, nextAttempt)) {
                    run();
                }
            }), delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            stop(); // shutting down: the record stays not done
        }
    }

    private synchronized boolean begin(ConsumerRecord<byte[], byte[]> first) {
        if (closed) {
            scheduled = false;
            notifyAll();
            return false;
        }
        running = true;
        if (busySinceNanos == 0) {
            busySinceNanos = System.nanoTime();
        }
        busyOffset = first.offset();
        return true;
    }

    private synchronized void end() {
        running = false;
        busySinceNanos = 0;
        busyOffset = -1;
        notifyAll();
    }

    private synchronized void stop() {
        scheduled = false;
        notifyAll();
    }

    private void submit(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            stop();
        }
    }

    /** Poll thread: no more records for this lane; queued ones are dropped (not done, not committed). */
    void close() {
        synchronized (this) {
            closed = true;
            queue.clear();
            queuedRecords = 0;
            queuedView = 0;
            queuedBytes = 0;
            notifyAll();
        }
    }

    /** Waits until no handler call of this lane is under way; false if still busy at the deadline. */
    synchronized boolean awaitIdle(long deadlineNanos) throws InterruptedException {
        while (running) {
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

    /** Nanos since the record in the handler (or waiting for its retry) was first tried; 0 if none. */
    long busySinceNanos() {
        return busySinceNanos;
    }

    long busyOffset() {
        return busyOffset;
    }

    boolean isClosed() {
        return closed;
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

    private static long size(ConsumerRecord<byte[], byte[]> record) {
        return Math.max(0, record.serializedKeySize()) + Math.max(0, record.serializedValueSize()) + 64;
    }
}
