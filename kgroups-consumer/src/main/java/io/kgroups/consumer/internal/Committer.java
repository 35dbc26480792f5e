package io.kgroups.consumer.internal;

import io.kgroups.consumer.CommitPolicy;
import io.kgroups.consumer.GroupListener;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.OffsetMetadataTooLarge;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.StaleMemberEpochException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits, on the poll thread: when (the {@link CommitPolicy}), what (each lane's
 * {@link OffsetTracker#commitPoint}, with the offsets done above it in the metadata while they
 * fit the budget), and the state of every partition's commits, which belongs to one lane
 * generation: a late answer for an older generation changes nothing of the current one.
 *
 * <p>Never sends an offset below one already sent for the generation, so a late commit cannot
 * move a committed offset back; a failed commit lowers the mark again so that the offset is sent
 * anew. {@code perBatch} is accounted per partition: a slow or retrying record holds back only its
 * own partition's commit.
 */
final class Committer {
    private static final Logger LOG = LoggerFactory.getLogger(Committer.class);
    private static final long RETRY_PAUSE_MS = 100;

    private final Consumer<byte[], byte[]> consumer;
    private final ConsumerQueries queries;
    private final ConsumerMetrics metrics;
    private final GroupListener listener;
    private final LaneEvents events;
    private final Clock clock;
    private final String group;
    private final CommitPolicy policy;
    private final Map<TopicPartition, PartitionCommits> partitions = new ConcurrentHashMap<>();
    private final AtomicLong doneSinceCommit = new AtomicLong();
    private final int configuredBudget;
    private volatile int budget;
    private boolean budgetWarned;
    private volatile int consecutiveFailures;
    private long lastCommitNanos;

    /** The commit state of one partition in one lane generation. */
    private static final class PartitionCommits {
        final Lane lane;
        Mark sent;
        volatile Mark acked;
        volatile int metadataLength;
        boolean overflowLogged;
        /** perBatch: the end offset of each poll's records of this partition not yet all done. */
        final ArrayDeque<Long> batchEnds = new ArrayDeque<>();
        /** perBatch: an offset a finished batch (or the position past it) wants committed; due until acknowledged. */
        long due = -1;

        PartitionCommits(Lane lane) {
            this.lane = lane;
        }
    }

    /** An offset sent or acknowledged for a partition, and the done-set version it carried. */
    record Mark(long offset, long version) {
    }

    /** What one commit carries. */
    private record Pending(Map<TopicPartition, OffsetAndMetadata> offsets, Map<TopicPartition, Mark> marks,
            Map<TopicPartition, PartitionCommits> states) {
    }

    Committer(Consumer<byte[], byte[]> consumer, ConsumerQueries queries, ConsumerMetrics metrics, GroupListener listener,
            LaneEvents events, Clock clock, String group, CommitPolicy policy, int metadataBudget) {
        this.consumer = consumer;
        this.queries = queries;
        this.metrics = metrics;
        this.listener = listener;
        this.events = events;
        this.clock = clock;
        this.group = group;
        this.policy = policy;
        this.configuredBudget = metadataBudget;
        this.budget = metadataBudget;
        this.lastCommitNanos = clock.nanos();
    }

    /** A freshly assigned lane, whose group stands at {@code committed} (-1: nothing committed): no commit until it moves. */
    void assigned(Lane lane, long committed) {
        PartitionCommits state = new PartitionCommits(lane);
        if (committed >= 0) {
            state.sent = new Mark(committed, 0);
            state.acked = state.sent;
        }
        partitions.put(lane.partition(), state);
    }

    /** Partitions no longer owned: their state goes; a later owner's commits are its own. */
    void forget(Collection<Lane> lanes) {
        for (Lane lane : lanes) {
            PartitionCommits state = partitions.get(lane.partition());
            if (state != null && state.lane == lane) {
                partitions.remove(lane.partition());
            }
        }
    }

    private PartitionCommits state(Lane lane) {
        PartitionCommits state = partitions.get(lane.partition());
        if (state == null || state.lane != lane) {
            state = new PartitionCommits(lane); // a newer generation (a fetch that went back): starts afresh
            partitions.put(lane.partition(), state);
        }
        return state;
    }

    // ---- the policy ----

    /** Handler threads: records done; true when the poll loop should wake up to commit. */
    boolean recordsDone(int count) {
        if (policy.kind() != CommitPolicy.Kind.PERIODIC) {
            return false;
        }
        long done = doneSinceCommit.addAndGet(count);
        return done >= policy.maxRecords() && done - count < policy.maxRecords();
    }

    /** perBatch: a poll returned records of {@code lane} up to {@code endOffset} (exclusive). */
    void batchFetched(Lane lane, long endOffset) {
        if (policy.kind() == CommitPolicy.Kind.PER_BATCH) {
            state(lane).batchEnds.add(endOffset);
        }
    }

    /** Every turn of the poll loop: commits what the policy says is due ({@code timeout} bounds a synchronous one). */
    void maybeCommit(Collection<Lane> lanes, Duration timeout) {
        switch (policy.kind()) {
            case PER_RECORD -> commitSync(lanes, false, timeout);
            case PER_BATCH -> {
                List<Lane> due = null;
                for (Lane lane : lanes) {
                    if (batchDue(lane, state(lane))) {
                        if (due == null) {
                            due = new ArrayList<>();
                        }
                        due.add(lane);
                    }
                }
                if (due != null) {
                    if (policy.mode() == CommitPolicy.Mode.SYNC) {
                        commitSync(due, false, timeout);
                    } else {
                        commitAsync(due);
                    }
                }
            }
            case PERIODIC -> {
                long done = doneSinceCommit.get();
                if (clock.nanos() - lastCommitNanos >= policy.interval().toNanos() || done >= policy.maxRecords()) {
                    doneSinceCommit.addAndGet(-done); // records done meanwhile count toward the next commit
                    commitAsync(lanes);
                }
            }
        }
    }

    /**
     * perBatch: whether the lane has a finished batch not yet acknowledged. Stays due after a
     * failed commit, so that it is sent again on the next turn, not only when another batch ends.
     * An idle lane whose position moved on (past transaction markers that came after the last
     * batch) is due too: otherwise its lag would stay 1 forever.
     */
    private boolean batchDue(Lane lane, PartitionCommits state) {
        OffsetTracker tracker = lane.tracker();
        long standing = tracker.standing(-1);
        while (!state.batchEnds.isEmpty() && state.batchEnds.peek() <= standing) {
            state.batchEnds.poll();
            state.due = Math.max(state.due, standing);
        }
        Mark acked = state.acked;
        long ackedOffset = acked == null ? -1 : acked.offset();
        if (state.batchEnds.isEmpty() && tracker.pending() == 0) {
            long position = queries.position(lane.partition());
            if (position > ackedOffset && position >= standing) {
                state.due = Math.max(state.due, position);
            }
        }
        return state.due > ackedOffset;
    }

    // ---- what to commit ----

    /**
     * What to commit for the lanes, or null when nothing changed since the last commit sent (or,
     * when {@code final_}, since the last one acknowledged: an async commit still unanswered may
     * yet fail, and these partitions are about to go).
     */
    private Pending pending(Collection<Lane> lanes, boolean final_) {
        Pending pending = null;
        int limit = budget;
        for (Lane lane : lanes) {
            PartitionCommits state = state(lane);
            OffsetTracker tracker = lane.tracker();
            Mark last = final_ ? state.acked : state.sent;
            if (last != null && tracker.version() == last.version() && tracker.pending() > 0) {
                continue; // nothing done since: the lowest offset not done cannot have moved
            }
            // The position is read only when nothing is pending: then everything below it is done.
            long position = tracker.pending() == 0 ? queries.position(lane.partition()) : -1;
            OffsetTracker.CommitPoint point = tracker.commitPoint(position);
            if (point == null) {
                continue;
            }
            if (last != null && (point.offset() < last.offset()
                    || (point.offset() == last.offset() && point.version() == last.version()))) {
                continue;
            }
            var done = point.doneAbove();
            int length = DoneOffsetsCodec.encodedLength(point.offset(), point.epoch(), done.offsets(), done.epochs());
            state.metadataLength = length;
            String metadata = "";
            if (length > limit) {
                metrics.metadataOverflows.increment();
                if (!state.overflowLogged) {
                    state.overflowLogged = true;
                    LOG.atWarn().setMessage("offset_metadata_overflow").addKeyValue("group", group)
                            .addKeyValue("partition", lane.partition()).addKeyValue("done_above", done.size())
                            .addKeyValue("budget", limit).log();
                }
            } else if (length > 0) {
                metadata = DoneOffsetsCodec.encode(point.offset(), point.epoch(), done.offsets(), done.epochs());
            }
            if (pending == null) {
                pending = new Pending(new HashMap<>(), new HashMap<>(), new HashMap<>());
            }
            TopicPartition tp = lane.partition();
            pending.offsets.put(tp, new OffsetAndMetadata(point.offset(),
                    point.epoch() < 0 ? Optional.empty() : Optional.of(point.epoch()), metadata));
            pending.marks.put(tp, new Mark(point.offset(), point.version()));
            pending.states.put(tp, state);
        }
        return pending;
    }

    // ---- sending ----

    void commitAsync(Collection<Lane> lanes) {
        lastCommitNanos = clock.nanos();
        Pending pending = pending(lanes, false);
        if (pending == null) {
            return;
        }
        markSent(pending);
        long start = clock.nanos();
        consumer.commitAsync(pending.offsets, (committed, error) -> {
            if (error == null) {
                succeeded(pending, clock.nanos() - start);
            } else {
                failed(pending, error);
            }
        });
    }

    /**
     * Commits synchronously within {@code timeout}; false if the offsets were not committed.
     * {@code final_}: the last commit for these lanes (revoke, close), made even if an
     * asynchronous commit of the same offsets is still unanswered, and retried (a rebalance in
     * progress, a moved coordinator, a timeout) until the timeout. Otherwise one attempt: the poll
     * loop tries again on its next turn, and keeps polling meanwhile. Metadata over the brokers'
     * limit shrinks the budget and is tried again at once, either way.
     */
    boolean commitSync(Collection<Lane> lanes, boolean final_, Duration timeout) {
        lastCommitNanos = clock.nanos();
        long deadline = clock.nanos() + timeout.toNanos();
        while (true) {
            // Worked out anew for every attempt: more may be done, and the metadata budget may have shrunk.
            Pending pending = pending(lanes, final_);
            if (pending == null) {
                return true;
            }
            markSent(pending);
            long start = clock.nanos();
            try {
                consumer.commitSync(pending.offsets, Duration.ofNanos(Math.max(deadline - start, 1_000_000)));
                succeeded(pending, clock.nanos() - start);
                return true;
            } catch (WakeupException e) {
                unsent(pending); // a handler asked the poll loop for attention; the commit still has to happen
                if (clock.nanos() >= deadline) {
                    return false;
                }
            } catch (OffsetMetadataTooLarge e) {
                failed(pending, e);
                if (clock.nanos() >= deadline) {
                    return false;
                }
            } catch (RebalanceInProgressException | StaleMemberEpochException | RetriableException e) {
                // A rebalance under way, a member epoch that moved on (group.protocol=consumer), a coordinator
                // that moved: the same offsets are still ours to commit once it settles.
                failed(pending, e);
                if (!final_ || clock.nanos() + RETRY_PAUSE_MS * 1_000_000 >= deadline) {
                    return false;
                }
                pause();
            } catch (CommitFailedException e) {
                // The group moved on without this member: the partitions go to another member, which
                // starts from the last committed offset. Not retried.
                failed(pending, e);
                return false;
            } catch (InterruptException e) {
                failed(pending, e);
                throw e;
            } catch (KafkaException e) {
                failed(pending, e);
                return false;
            }
        }
    }

    private void pause() {
        try {
            clock.sleep(RETRY_PAUSE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptException(e);
        }
    }

    private void markSent(Pending pending) {
        pending.states.forEach((tp, state) -> state.sent = pending.marks.get(tp));
    }

    /** Lets the next commit send these offsets again, unless a newer one was sent since. */
    private void unsent(Pending pending) {
        pending.states.forEach((tp, state) -> {
            if (pending.marks.get(tp).equals(state.sent)) {
                state.sent = state.acked;
            }
        });
    }

    private void succeeded(Pending pending, long nanos) {
        consecutiveFailures = 0;
        metrics.commits.increment();
        metrics.commitLatency(nanos);
        pending.states.forEach((tp, state) -> {
            Mark mark = pending.marks.get(tp);
            Mark acked = state.acked;
            if (acked == null || mark.offset() > acked.offset()
                    || (mark.offset() == acked.offset() && mark.version() > acked.version())) {
                state.acked = mark;
            }
            state.lane.acked(mark.offset());
        });
        LOG.atDebug().setMessage("offset_committed").addKeyValue("group", group).addKeyValue("offsets", pending.offsets).log();
        try {
            listener.onCommitted(pending.offsets);
        } catch (RuntimeException e) {
            LOG.atWarn().setMessage("listener_failed").addKeyValue("group", group).addKeyValue("callback", "onCommitted")
                    .addKeyValue("error", e.toString()).log();
        }
    }

    private void failed(Pending pending, Throwable error) {
        consecutiveFailures++;
        metrics.commitFailures.increment();
        unsent(pending);
        if (error instanceof OffsetMetadataTooLarge) {
            shrinkBudget(pending);
        }
        LOG.atWarn().setMessage("commit_failed").addKeyValue("group", group).addKeyValue("offsets", pending.offsets.keySet())
                .addKeyValue("error", error.toString()).log();
        if (error instanceof FencedInstanceIdException fenced) {
            events.failed(PollLoop.fenced(fenced), error);
        }
    }

    /** The brokers' offset.metadata.max.bytes is below what was sent: halve the budget (plain offsets at worst). */
    private void shrinkBudget(Pending pending) {
        int longest = 0;
        for (OffsetAndMetadata offset : pending.offsets.values()) {
            longest = Math.max(longest, offset.metadata().length());
        }
        int shrunk = Math.min(budget, longest) / 2;
        if (shrunk < budget) {
            budget = shrunk;
        }
        if (!budgetWarned) {
            budgetWarned = true;
            LOG.atWarn().setMessage("offset_metadata_too_large").addKeyValue("group", group)
                    .addKeyValue("offsetMetadataBudget", configuredBudget).addKeyValue("now", budget)
                    .addKeyValue("fix", "the brokers' offset.metadata.max.bytes is lower than offsetMetadataBudget: "
                            + "raise it, or lower offsetMetadataBudget").log();
        }
    }

    // ---- what the rest reads ----

    /** Characters of metadata the done offsets of {@code tp} needed at the last commit. */
    int metadataLength(TopicPartition tp) {
        PartitionCommits state = partitions.get(tp);
        return state == null ? 0 : state.metadataLength;
    }

    /** The metadata budget now: the configured one, or less once the brokers refused it. */
    int budget() {
        return budget;
    }

    int consecutiveFailures() {
        return consecutiveFailures;
    }

    /** The last acknowledged committed offset per partition. */
    Map<TopicPartition, Long> acked() {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        partitions.forEach((tp, state) -> {
            Mark mark = state.acked;
            if (mark != null) {
                offsets.put(tp, mark.offset());
            }
        });
        return offsets;
    }
}
