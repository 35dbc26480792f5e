package io.kgroups.consumer.internal;

import io.kgroups.consumer.Ordering;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * From fetched records to handler calls: one {@link Lane} per partition and generation, chains on
 * the shared, fairly scheduled {@link Slots}. A partition's lane is replaced when the partition
 * is assigned again or a fetch goes back (truncation, reset); the old lane is closed, and while
 * one of its handler calls is still under way it is <em>retiring</em> and the new lane is held,
 * so that under PARTITION at most one record of a partition is in a handler at any time, under KEY
 * at most one per key, and no record runs twice at once under any ordering.
 *
 * <p>The poll thread assigns, enqueues, closes and releases; handler threads only run chains.
 */
final class Dispatcher implements Slots.Refusals {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    private final Map<TopicPartition, Lane> lanes = new ConcurrentHashMap<>();
    /** Closed lanes with a handler call still under way (read by health from other threads). */
    private final List<Lane> retiring = new CopyOnWriteArrayList<>();
    /** Lanes waiting for a retiring lane of their partition (poll thread only). */
    private final List<Lane> heldLanes = new ArrayList<>();
    private final Slots slots;
    private final RecordProcessor<?, ?> processor;
    private final Clock clock;
    private final LaneEvents events;
    private final String group;
    private final Ordering ordering;
    private final int maxBatchSize;
    private final boolean batch;
    private final boolean commitEachRecord;
    private long nextGeneration = 1;
    private volatile boolean shuttingDown;

    Dispatcher(Settings<?, ?> settings, Executor executor, RecordProcessor<?, ?> processor, Clock clock, LaneEvents events) {
        // PARTITION order has one chain per lane; otherwise one lane may use up to 3/4 of the slots while others wait.
        int perLane = settings.ordering() == Ordering.PARTITION ? 1 : Math.max(1, (settings.concurrency() * 3 + 3) / 4);
        this.slots = new Slots(executor, settings.concurrency(), perLane, this);
        this.processor = processor;
        this.clock = clock;
        this.events = events;
        this.group = settings.groupId();
        this.ordering = settings.ordering();
        this.maxBatchSize = settings.maxBatchSize();
        this.batch = settings.batchHandler() != null;
        this.commitEachRecord = settings.commitPolicy().kind() == io.kgroups.consumer.CommitPolicy.Kind.PER_RECORD;
    }

    /** Poll thread: a new generation of {@code tp}, tracked by {@code tracker}; held while an older one still runs. */
    Lane assign(TopicPartition tp, OffsetTracker tracker) {
        Lane previous = lanes.remove(tp);
        if (previous != null) {
            closeLane(previous);
        }
        boolean held = busyRetiring(tp);
        Lane lane = new Lane(tp, nextGeneration++, tracker, held, processor, slots, clock, events, ordering, maxBatchSize,
                batch, commitEachRecord);
        lanes.put(tp, lane);
        if (held) {
            heldLanes.add(lane);
            LOG.atInfo().setMessage("partition_held").addKeyValue("group", group).addKeyValue("partition", tp)
                    .addKeyValue("reason", "a handler of its previous generation still runs").log();
        }
        return lane;
    }

    /**
     * Poll thread: records fetched for {@code tp} (increasing offsets). Returns -1, or the offset
     * to seek {@code tp} back to when these records are not to be taken (see below).
     *
     * <p>A fetch that goes back (a truncation after an unclean leader election, an offset reset)
     * starts a new generation: the records the lane knew at those offsets are gone. But the old
     * generation may still have a record not done <em>below</em> where the fetch now starts (a
     * retry waiting, a slow handler): that record is still in the log, and the consumer's
     * position has passed it. Then the partition is sought back to it, and the new generation
     * starts there, knowing what the old one had done (by offset and leader epoch).
     */
    long enqueue(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> records) {
        Lane lane = lanes.get(tp);
        long first = records.get(0).offset();
        if (lane == null) {
            lane = assign(tp, OffsetTracker.unknown());
        } else if (!lane.accepts(first)) {
            OffsetTracker.CommitPoint old = lane.tracker().commitPoint(-1);
            LOG.atWarn().setMessage("partition_rewound").addKeyValue("group", group).addKeyValue("partition", tp)
                    .addKeyValue("offset", first).addKeyValue("was_at", old == null ? -1 : old.offset()).log();
            if (old != null && old.offset() < first && lane.tracker().pending() > 0) {
                assign(tp, new OffsetTracker(old.offset(), old.epoch(), old.doneAbove()));
                return old.offset();
            }
            lane = assign(tp, OffsetTracker.fresh());
        }
        lane.enqueue(records);
        return -1;
    }

    /** Poll thread: the position of {@code tp} went back with nothing pending: a new generation from there. */
    Lane rewound(TopicPartition tp, long position) {
        Lane lane = lanes.get(tp);
        LOG.atWarn().setMessage("partition_rewound").addKeyValue("group", group).addKeyValue("partition", tp)
                .addKeyValue("offset", position).addKeyValue("was_at", lane == null ? -1 : lane.tracker().standing(-1)).log();
        return assign(tp, OffsetTracker.fresh());
    }

    /**
     * Poll thread: the lanes of {@code partitions} stop taking records and leave; those with a
     * handler call under way retire until it returns. Returns the lanes, for a final commit.
     */
    List<Lane> close(Collection<TopicPartition> partitions) {
        List<Lane> closed = new ArrayList<>(partitions.size());
        for (TopicPartition tp : partitions) {
            Lane lane = lanes.remove(tp);
            if (lane != null) {
                closeLane(lane);
                closed.add(lane);
            }
        }
        return closed;
    }

    /** Poll thread: every lane leaves (shutdown); from now on a refused task is expected, not a failure. */
    List<Lane> closeAll() {
        shuttingDown = true;
        return close(new ArrayList<>(lanes.keySet()));
    }

    private void closeLane(Lane lane) {
        lane.close();
        heldLanes.remove(lane);
        if (!lane.idle()) {
            retiring.add(lane);
        }
    }

    /** Poll thread: waits until the handler calls of {@code closing} have returned, or the deadline; true if they have. */
    boolean awaitIdle(List<Lane> closing, long deadlineNanos) {
        try {
            return clock.await(() -> {
                for (Lane lane : closing) {
                    if (!lane.idle()) {
                        return false;
                    }
                }
                return true;
            }, deadlineNanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Poll thread: held lanes whose partition has no retiring lane any more start. */
    void releaseHeld() {
        if (!retiring.isEmpty()) {
            retiring.removeIf(Lane::idle);
        }
        if (heldLanes.isEmpty()) {
            return;
        }
        for (int i = heldLanes.size() - 1; i >= 0; i--) {
            Lane lane = heldLanes.get(i);
            if (!busyRetiring(lane.partition())) {
                heldLanes.remove(i);
                lane.release();
                LOG.atInfo().setMessage("partition_released").addKeyValue("group", group)
                        .addKeyValue("partition", lane.partition()).log();
            }
        }
    }

    private boolean busyRetiring(TopicPartition tp) {
        for (Lane lane : retiring) {
            if (lane.partition().equals(tp) && !lane.idle()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void refused(Lane.Chain chain, Throwable error) {
        chain.lane().refused(chain);
        if (!shuttingDown) {
            events.failed("the handler executor refused to run records of " + chain.lane().partition() + " (" + error
                    + "): the consumer stopped; nothing after them was committed. Give executor(...) an executor that "
                    + "accepts every task (the runtime bounds them to concurrency) and do not shut it down before close()",
                    error);
        }
    }

    Collection<Lane> lanes() {
        return lanes.values();
    }

    Lane lane(TopicPartition tp) {
        return lanes.get(tp);
    }

    /** For the lag gauge of {@code tp}: NaN until measured. */
    double lag(TopicPartition tp) {
        Lane lane = lanes.get(tp);
        long lag = lane == null ? -1 : lane.lagRecords();
        return lag < 0 ? Double.NaN : lag;
    }

    /** The record longest in a handler, retiring lanes included: {nanos when it started, offset, lane}, or null. */
    Busy oldestBusy() {
        Busy oldest = null;
        for (Lane lane : lanes.values()) {
            oldest = older(oldest, lane);
        }
        for (Lane lane : retiring) {
            oldest = older(oldest, lane);
        }
        return oldest;
    }

    private static Busy older(Busy oldest, Lane lane) {
        long[] busy = lane.oldestBusy();
        if (busy != null && (oldest == null || busy[0] < oldest.sinceNanos())) {
            return new Busy(busy[0], lane.partition() + "@" + busy[1]);
        }
        return oldest;
    }

    /** A record in a handler: since when, and which. */
    record Busy(long sinceNanos, String record) {
    }

    /** The lane held the longest, or null. */
    Lane longestHeld() {
        Lane longest = null;
        for (Lane lane : lanes.values()) {
            long since = lane.heldSinceNanos();
            if (since != 0 && (longest == null || since < longest.heldSinceNanos())) {
                longest = lane;
            }
        }
        return longest;
    }

    long inFlight() {
        long total = 0;
        for (Lane lane : lanes.values()) {
            total += lane.inFlight();
        }
        return total;
    }
}
