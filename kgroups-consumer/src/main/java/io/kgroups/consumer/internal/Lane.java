package io.kgroups.consumer.internal;

import io.kgroups.consumer.Ordering;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The records of one partition in one generation (one assignment, or what follows a fetch that
 * went back) on their way through the handlers. The poll thread enqueues; records go into
 * chains, a chain's records are handled one after the other in offset order, and chains run in
 * parallel on the handler {@link Slots}. The ordering decides the chains: PARTITION, one chain;
 * KEY, one per key (records without a key share one); UNORDERED, one per record.
 *
 * <p>A chain holds a slot only while it runs records: after a quantum ({@link #QUANTUM_RECORDS}
 * records or {@link #QUANTUM_NANOS}, whichever first) it gives the slot back whenever another
 * chain waits; a record waiting for its retry, or for its commit under {@code perRecord}, parks
 * the chain without a slot or a thread.
 *
 * <p>Closing (revoke, loss, shutdown, a newer generation) drops what is queued: those records
 * were not done, are not committed, and are fetched again. A lane made while an older lane of
 * its partition still has a record in a handler is <em>held</em>: it takes records but runs
 * none until the older one's handlers have returned, so a record never runs twice at once.
 * Whatever an old lane's handlers report goes to its own tracker, which nothing reads any more.
 */
final class Lane {
    /** Records a chain runs before it gives its slot back to a waiting chain. */
    static final int QUANTUM_RECORDS = 100;
    /** Time a chain runs before it gives its slot back to a waiting chain (checked after each record). */
    static final long QUANTUM_NANOS = 20_000_000L;

    private static final Object NULL_KEY = new Object();

    /** Where a chain stands. */
    private enum State { IDLE, READY, QUEUED, RUNNING, RETRY_WAIT, ACK_WAIT, STOPPED }

    /** How a chain's run ended. */
    private enum After { IDLE, YIELD, RETRY, ACK, STOPPED }

    private final TopicPartition partition;
    private final long generation;
    private final OffsetTracker tracker;
    private final RecordProcessor<?, ?> processor;
    private final Slots slots;
    private final Clock clock;
    private final LaneEvents events;
    private final Ordering ordering;
    private final int maxBatchSize;
    private final boolean batch;
    private final boolean commitEachRecord;
    private final Object partitionKey = new Object();
    private final ConsumerMetrics.TopicCounts counts;

    // guarded by this; in insertion order, so that a held lane starts its chains in the order records came
    private final Map<Object, Chain> chains = new LinkedHashMap<>();
    private final List<Chain> running = new ArrayList<>(2);
    private int queuedRecords;
    private boolean closed;
    private boolean held;
    private long acked = -1;

    // guarded by the Slots
    int slotsHeld;
    final ArrayDeque<Chain> slotWaiters = new ArrayDeque<>();

    private volatile int queuedView;
    private volatile long queuedBytes;
    private volatile long lag = -1;
    private volatile int wakeAtQueued = -1;
    private volatile long heldSinceNanos;

    Lane(TopicPartition partition, long generation, OffsetTracker tracker, boolean held, RecordProcessor<?, ?> processor,
            Slots slots, Clock clock, LaneEvents events, Ordering ordering, int maxBatchSize, boolean batch,
            boolean commitEachRecord) {
        this.partition = partition;
        this.generation = generation;
        this.tracker = tracker;
        this.held = held;
        this.heldSinceNanos = held ? clock.nanos() : 0;
        this.processor = processor;
        this.slots = slots;
        this.clock = clock;
        this.events = events;
        this.ordering = ordering;
        this.maxBatchSize = maxBatchSize;
        this.batch = batch;
        this.commitEachRecord = commitEachRecord;
        this.counts = processor == null ? null : processor.counts(partition.topic());
    }

    TopicPartition partition() {
        return partition;
    }

    OffsetTracker tracker() {
        return tracker;
    }

    /** Whether a fetch starting at {@code offset} continues this generation (false: it went back). */
    boolean accepts(long offset) {
        return tracker.accepts(offset);
    }

    /** Poll thread: hands fetched records of this partition (increasing, accepted) to the handler side. */
    void enqueue(List<ConsumerRecord<byte[], byte[]>> records) {
        List<Chain> toStart = null;
        int skipped = 0;
        synchronized (this) {
            if (closed) {
                return; // not done, not committed: fetched again by whoever owns the partition next
            }
            long bytes = 0;
            for (ConsumerRecord<byte[], byte[]> record : records) {
                if (tracker.dispatch(record.offset(), record.leaderEpoch().orElse(OffsetTracker.NO_EPOCH))) {
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
                if (chain.state == State.IDLE) {
                    if (held || events.stopped()) {
                        chain.state = State.READY;
                    } else {
                        chain.state = State.QUEUED;
                        if (toStart == null) {
                            toStart = new ArrayList<>();
                        }
                        toStart.add(chain);
                    }
                }
            }
            queuedView = queuedRecords;
            queuedBytes += bytes;
        }
        if (skipped > 0) {
            events.alreadyDone(this, skipped);
        }
        request(toStart);
    }

    private Object chainKey(ConsumerRecord<byte[], byte[]> record) {
        return switch (ordering) {
            case PARTITION -> partitionKey;
            case UNORDERED -> record.offset();
            case KEY -> record.key() == null ? NULL_KEY : ByteBuffer.wrap(record.key());
        };
    }

    private void request(List<Chain> chains) {
        if (chains != null) {
            for (Chain chain : chains) {
                slots.request(this, chain);
            }
        }
    }

    /** Poll thread: the older lane of this partition has no handler running any more: start. */
    void release() {
        List<Chain> toStart = new ArrayList<>();
        synchronized (this) {
            if (!held) {
                return;
            }
            held = false;
            heldSinceNanos = 0;
            if (closed) {
                return;
            }
            for (Chain chain : chains.values()) {
                if (chain.state == State.READY) {
                    chain.state = State.QUEUED;
                    toStart.add(chain);
                }
            }
        }
        request(toStart);
    }

    synchronized boolean held() {
        return held;
    }

    /** Since when this lane has been held (clock nanos), or 0. */
    long heldSinceNanos() {
        return heldSinceNanos;
    }

    /** Poll thread: no more records for this lane; queued ones are dropped (not done, not committed). */
    void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            for (Chain chain : chains.values()) {
                chain.queue.clear();
                if (chain.state != State.RUNNING) {
                    chain.state = State.STOPPED;
                }
            }
            queuedRecords = 0;
            queuedView = 0;
            queuedBytes = 0;
        }
        slots.forget(this);
        clock.signal();
    }

    /** No handler call of this lane is under way (and, once closed, none will start). */
    synchronized boolean idle() {
        return running.isEmpty();
    }

    /** Poll thread: the coordinator acknowledged {@code offset}; a chain waiting for it under perRecord goes on. */
    void acked(long offset) {
        Chain resume = null;
        synchronized (this) {
            if (offset <= acked) {
                return;
            }
            acked = offset;
            for (Chain chain : chains.values()) {
                if (chain.state == State.ACK_WAIT && chain.ackTarget <= offset && !closed) {
                    chain.state = State.QUEUED;
                    resume = chain;
                }
            }
        }
        if (resume != null) {
            slots.request(this, resume);
        }
    }

    /** The executor refused the chain: it stops (its records stay not done). */
    void refused(Chain chain) {
        synchronized (this) {
            chain.state = State.STOPPED;
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
        return tracker.pending();
    }

    /** The record longest in a handler of this lane right now: {nanos when it started, offset}, or null. */
    synchronized long[] oldestBusy() {
        long since = 0;
        long offset = -1;
        for (Chain chain : running) {
            long s = chain.busySinceNanos;
            if (since == 0 || s < since) {
                since = s;
                offset = chain.busyOffset;
            }
        }
        return running.isEmpty() ? null : new long[] {since, offset};
    }

    void lag(long lag) {
        this.lag = lag;
    }

    /** Log-end offset minus where the group stands, as last measured by the poll thread; -1 until measured. */
    long lagRecords() {
        return lag;
    }

    @Override
    public String toString() {
        return partition + "#" + generation;
    }

    /** One chain's work item: records to run, and the attempt it is. */
    private record Work(List<ConsumerRecord<byte[], byte[]>> records, int attempt) {
    }

    /** Records of one key (or the partition), handled one after the other; runs only while holding a slot. */
    final class Chain implements Runnable {
        private final Object key;
        private final ArrayDeque<ConsumerRecord<byte[], byte[]>> queue = new ArrayDeque<>();
        private State state = State.IDLE;        // guarded by the lane
        private Work retry;                      // guarded by the lane: the work a retry runs again
        private long retryDelayMs;
        private long ackTarget = -1;             // guarded by the lane: under perRecord, the offset to see committed
        private volatile long busySinceNanos;
        private volatile long busyOffset = -1;

        Chain(Object key) {
            this.key = key;
        }

        Lane lane() {
            return Lane.this;
        }

        @Override
        public void run() {
            After after;
            try {
                after = work();
            } catch (Throwable error) {
                // A fatal error from a handler (out of memory) or a bug here: the consumer stops visibly,
                // nothing past the record is committed, and the slot is given back below.
                synchronized (Lane.this) {
                    state = State.STOPPED;
                }
                events.failed(RecordProcessor.fatal(error)
                        ? "handler threw " + error + " on " + partition + ": the consumer stopped; nothing after the "
                                + "record was committed" : "internal error in the handler chain of " + partition + ": " + error,
                        error);
                after = After.STOPPED;
            } finally {
                slots.release(Lane.this);
            }
            switch (after) {
                case YIELD -> slots.request(Lane.this, this);
                case RETRY -> parkForRetry();
                case ACK -> parkForAck();
                default -> { }
            }
        }

        /** Runs records until the chain is out of them, parks, stops, or has used its quantum while others wait. */
        private After work() {
            synchronized (Lane.this) {
                if (state == State.STOPPED) {
                    return After.STOPPED; // closed while it waited to start
                }
                state = State.RUNNING;
            }
            long start = clock.nanos();
            int handled = 0;
            while (true) {
                Work next = take();
                if (next == null) {
                    return After.IDLE;
                }
                RecordProcessor.Outcome outcome = handle(next);
                if (outcome == null) {
                    synchronized (Lane.this) {
                        state = State.STOPPED; // closed (or the consumer stopping) after the record was taken
                    }
                    return After.STOPPED;
                }
                switch (outcome.kind()) {
                    case DONE -> {
                        handled += next.records().size();
                        events.recordsDone(Lane.this, next.records().size());
                        if (commitEachRecord) {
                            synchronized (Lane.this) {
                                ackTarget = next.records().get(next.records().size() - 1).offset() + 1;
                            }
                            return After.ACK;
                        }
                    }
                    case RETRY -> {
                        List<ConsumerRecord<byte[], byte[]>> records = next.records();
                        int done = outcome.doneBefore();
                        if (done > 0) {
                            handled += done;
                            events.recordsDone(Lane.this, done);
                        }
                        synchronized (Lane.this) {
                            retry = new Work(records.subList(done, records.size()), next.attempt() + 1);
                            retryDelayMs = outcome.retryDelayMs();
                        }
                        return After.RETRY;
                    }
                    default -> {
                        synchronized (Lane.this) {
                            state = State.STOPPED; // before failed(): the next poll must not start this chain again
                        }
                        events.failed(outcome.reason(), outcome.cause());
                        return After.STOPPED;
                    }
                }
                // Whether another waits first: a volatile read, so that the fast path (nobody waits) reads no clock.
                if (slots.othersWaiting() && (handled >= QUANTUM_RECORDS || clock.nanos() - start >= QUANTUM_NANOS)) {
                    synchronized (Lane.this) {
                        if (state == State.RUNNING) {
                            state = State.QUEUED;
                        }
                    }
                    return After.YIELD;
                }
            }
        }

        /** The next work of this chain, or null when it goes idle or stops (its state then says which). */
        private Work take() {
            Work next = null;
            boolean laneIdle = false;
            boolean drained = false;
            synchronized (Lane.this) {
                if (closed || events.stopped()) {
                    state = State.STOPPED;
                    retry = null;
                } else if (retry != null) {
                    next = retry;
                    retry = null;
                } else if (queue.isEmpty()) {
                    state = State.IDLE;
                    chains.remove(key);
                    laneIdle = queuedRecords == 0;
                } else {
                    int n = batch ? Math.min(maxBatchSize, queue.size()) : 1;
                    long bytes = 0;
                    List<ConsumerRecord<byte[], byte[]>> records;
                    if (n == 1) {
                        ConsumerRecord<byte[], byte[]> record = queue.poll();
                        records = List.of(record);
                        bytes = size(record);
                    } else {
                        records = new ArrayList<>(n);
                        for (int i = 0; i < n; i++) {
                            ConsumerRecord<byte[], byte[]> record = queue.poll();
                            records.add(record);
                            bytes += size(record);
                        }
                    }
                    queuedRecords -= n;
                    queuedView = queuedRecords;
                    queuedBytes -= bytes;
                    next = new Work(records, 1);
                }
                int mark = wakeAtQueued;
                if (mark >= 0 && queuedRecords <= mark) {
                    wakeAtQueued = -1;
                    drained = true;
                }
            }
            if (drained) {
                events.laneDrained(Lane.this);
            }
            if (laneIdle) {
                events.laneIdle(Lane.this);
            }
            return next;
        }

        /** One attempt at {@code work}; null when the lane closed before it started. */
        private RecordProcessor.Outcome handle(Work work) {
            List<ConsumerRecord<byte[], byte[]>> records = work.records();
            if (!begin(this, records.get(0).offset())) {
                return null;
            }
            try {
                RecordProcessor.Outcome outcome = batch ? processor.handleBatch(records, work.attempt(), counts)
                        : processor.handleRecord(records.get(0), work.attempt(), counts);
                if (outcome.kind() == RecordProcessor.Outcome.Kind.EXHAUSTED) {
                    outcome = oneByOne(records, work.attempt());
                }
                if (outcome.kind() == RecordProcessor.Outcome.Kind.DONE) {
                    // Before end(): a revoke that sees no handler running must see these as done.
                    for (ConsumerRecord<byte[], byte[]> record : records) {
                        tracker.done(record.offset());
                    }
                }
                return outcome;
            } finally {
                end(this);
            }
        }

        private void parkForRetry() {
            long delay;
            synchronized (Lane.this) {
                if (state != State.RUNNING || closed) {
                    state = State.STOPPED;
                    retry = null;
                    return;
                }
                state = State.RETRY_WAIT;
                delay = retryDelayMs;
            }
            try {
                clock.schedule(delay, this::retryDue);
            } catch (RuntimeException e) {
                synchronized (Lane.this) {
                    state = State.STOPPED; // shutting down: the record stays not done
                    retry = null;
                }
            }
        }

        private void retryDue() {
            synchronized (Lane.this) {
                if (state != State.RETRY_WAIT) {
                    return;
                }
                if (closed || events.stopped()) {
                    state = State.STOPPED;
                    retry = null;
                    return;
                }
                state = State.QUEUED;
            }
            slots.request(Lane.this, this);
        }

        private void parkForAck() {
            boolean resume;
            synchronized (Lane.this) {
                if (state != State.RUNNING || closed) {
                    state = State.STOPPED;
                    return;
                }
                resume = acked >= ackTarget;
                state = resume ? State.QUEUED : State.ACK_WAIT;
            }
            if (resume) {
                slots.request(Lane.this, this);
            } else {
                events.commitNow();
            }
        }
    }

    /**
     * A batch that cannot go whole (its retries are spent, or a record of it cannot be
     * deserialized): each record alone. A RETRY names how many records before the one that failed
     * are done, so that only the rest is tried again.
     */
    private RecordProcessor.Outcome oneByOne(List<ConsumerRecord<byte[], byte[]>> records, int attempt) {
        for (int i = 0; i < records.size(); i++) {
            RecordProcessor.Outcome outcome = processor.handleAlone(records.get(i), attempt, counts);
            if (outcome.kind() != RecordProcessor.Outcome.Kind.DONE) {
                return outcome.afterDone(i);
            }
            tracker.done(records.get(i).offset());
        }
        return RecordProcessor.Outcome.DONE;
    }

    private synchronized boolean begin(Chain chain, long offset) {
        if (closed || events.stopped()) {
            return false;
        }
        running.add(chain);
        chain.busySinceNanos = clock.nanos();
        chain.busyOffset = offset;
        return true;
    }

    private void end(Chain chain) {
        boolean retired;
        synchronized (this) {
            running.remove(chain);
            chain.busyOffset = -1;
            retired = closed && running.isEmpty();
        }
        if (retired) {
            clock.signal();
            events.laneRetired(this);
        }
    }

    private static long size(ConsumerRecord<byte[], byte[]> record) {
        return Math.max(0, record.serializedKeySize()) + Math.max(0, record.serializedValueSize()) + 64;
    }
}
