package io.kgroups.consumer.internal;

import io.kgroups.consumer.GroupListener;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.StaleMemberEpochException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits the committable offsets of the lanes, on the poll thread. Never sends an offset at or
 * below one already sent for the partition, so a late commit can never move a committed offset
 * back; a failed commit lowers the mark again so that the offset is sent anew.
 */
final class Committer {
    private static final Logger LOG = LoggerFactory.getLogger(Committer.class);
    private static final long RETRY_PAUSE_MS = 100;

    private final Consumer<byte[], byte[]> consumer;
    private final ConsumerMetrics metrics;
    private final GroupListener listener;
    private final String group;
    private final Map<TopicPartition, Mark> sent = new HashMap<>();
    private final Map<TopicPartition, Mark> acked = new ConcurrentHashMap<>();
    private final int metadataBudget;
    private volatile int consecutiveFailures;
    private long lastCommitNanos = System.nanoTime();

    Committer(Consumer<byte[], byte[]> consumer, ConsumerMetrics metrics, GroupListener listener, String group,
            int metadataBudget) {
        this.metadataBudget = metadataBudget;
        this.consumer = consumer;
        this.metrics = metrics;
        this.listener = listener;
        this.group = group;
    }

    /**
     * What to commit for the lanes, or null when nothing changed since the last commit sent (or,
     * when {@code final_}, since the last one acknowledged: an async commit still unanswered may
     * yet fail, and these partitions are about to go).
     *
     * <p>The offset is the lowest offset not done; the offsets done above it (out of order, with
     * KEY or UNORDERED ordering) go into the metadata, so that the next owner does not handle
     * them again. When that does not fit the metadata budget, the plain offset is committed.
     */
    Pending pending(Collection<PartitionLane> lanes, boolean final_) {
        Pending pending = null;
        for (PartitionLane lane : lanes) {
            PartitionOffsets tracked = lane.offsets();
            long base;
            long version;
            long[] above;
            int epoch;
            synchronized (tracked) {
                base = tracked.lowestNotDone(-1);
                version = tracked.version();
                above = tracked.doneAbove();
                epoch = tracked.committableEpoch();
            }
            if (base < 0) {
                continue;
            }
            Mark last = (final_ ? acked : sent).get(lane.partition());
            if (last != null && (base < last.offset || (base == last.offset && version == last.version))) {
                continue;
            }
            String metadata = DoneOffsetsCodec.encode(base, above);
            lane.metadataLength(metadata.length());
            if (metadata.length() > metadataBudget) {
                metadata = "";
                metrics.metadataOverflows.increment();
                if (lane.firstMetadataOverflow()) {
                    LOG.atWarn().setMessage("offset_metadata_overflow").addKeyValue("group", group)
                            .addKeyValue("partition", lane.partition()).addKeyValue("done_above", above.length)
                            .addKeyValue("budget", metadataBudget).log();
                }
            }
            if (pending == null) {
                pending = new Pending(new HashMap<>(), new HashMap<>());
            }
            pending.offsets.put(lane.partition(), new OffsetAndMetadata(base, epoch < 0 ? Optional.empty() : Optional.of(epoch), metadata));
            pending.marks.put(lane.partition(), new Mark(base, version));
        }
        return pending;
    }

    /** Offsets to commit, and for each the mark (offset, done-set version) it stands for. */
    record Pending(Map<TopicPartition, OffsetAndMetadata> offsets, Map<TopicPartition, Mark> marks) {
    }

    /** The last offset sent or acknowledged for a partition, and the done-set version it carried. */
    record Mark(long offset, long version) {
    }

    void commitAsync(Collection<PartitionLane> lanes, Map<TopicPartition, PartitionLane> byPartition) {
        lastCommitNanos = System.nanoTime();
        Pending pending = pending(lanes, false);
        if (pending == null) {
            return;
        }
        sent.putAll(pending.marks());
        long start = System.nanoTime();
        consumer.commitAsync(pending.offsets(), (committed, error) -> {
            if (error == null) {
                succeeded(pending, byPartition, System.nanoTime() - start);
            } else {
                failed(pending, error);
            }
        });
    }

    /**
     * Commits synchronously, retrying what is worth retrying (a rebalance in progress, a moved
     * coordinator, a timeout) until {@code timeout}; false if the offsets were not committed.
     * {@code final_}: the last commit for these partitions (revoke, close), made even if an
     * asynchronous commit of the same offsets is still unanswered.
     */
    boolean commitSync(Collection<PartitionLane> lanes, Map<TopicPartition, PartitionLane> byPartition, Duration timeout,
            boolean final_) {
        lastCommitNanos = System.nanoTime();
        Pending pending = pending(lanes, final_);
        if (pending == null) {
            return true;
        }
        sent.putAll(pending.marks());
        Map<TopicPartition, OffsetAndMetadata> offsets = pending.offsets();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long start = System.nanoTime();
            long left = deadline - start;
            try {
                consumer.commitSync(offsets, Duration.ofNanos(Math.max(left, 1)));
                succeeded(pending, byPartition, System.nanoTime() - start);
                return true;
            } catch (WakeupException e) {
                // a handler asked the poll loop for attention; the commit still has to happen
            } catch (RebalanceInProgressException | StaleMemberEpochException | RetriableException e) {
                // A rebalance under way, a member epoch that moved on (group.protocol=consumer) or a
                // coordinator that moved: the same offsets are still ours to commit once it settles.
                if (System.nanoTime() + RETRY_PAUSE_MS * 1_000_000 >= deadline) {
                    failed(pending, e);
                    return false;
                }
                pauseBeforeRetry();
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

    private static void pauseBeforeRetry() {
        try {
            Thread.sleep(RETRY_PAUSE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptException(e);
        }
    }


    private void succeeded(Pending pending, Map<TopicPartition, PartitionLane> byPartition, long nanos) {
        Map<TopicPartition, OffsetAndMetadata> offsets = pending.offsets();
        consecutiveFailures = 0;
        metrics.commits.increment();
        metrics.commitLatency(nanos);
        offsets.forEach((tp, offset) -> {
            acked.merge(tp, pending.marks().get(tp), (a, b) -> b.offset > a.offset || (b.offset == a.offset && b.version > a.version) ? b : a);
            PartitionLane lane = byPartition.get(tp);
            if (lane != null) {
                lane.acked(offset.offset());
            }
        });
        LOG.atDebug().setMessage("offset_committed").addKeyValue("group", group).addKeyValue("offsets", offsets).log();
        listener.onCommitted(offsets);
    }

    private void failed(Pending pending, Throwable error) {
        Map<TopicPartition, OffsetAndMetadata> offsets = pending.offsets();
        consecutiveFailures++;
        metrics.commitFailures.increment();
        // Let the next commit send these offsets again, unless a newer one was sent since.
        offsets.forEach((tp, offset) -> {
            if (pending.marks().get(tp).equals(sent.get(tp))) {
                Mark last = acked.get(tp);
                if (last == null) {
                    sent.remove(tp);
                } else {
                    sent.put(tp, last);
                }
            }
        });
        LOG.atWarn().setMessage("commit_failed").addKeyValue("group", group).addKeyValue("offsets", offsets)
                .addKeyValue("error", error.toString()).log();
    }

    /** Partitions no longer owned: their marks go, a later owner's commits are its own. */
    void forget(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            sent.remove(tp);
            acked.remove(tp);
        }
    }

    long nanosSinceLastCommit() {
        return System.nanoTime() - lastCommitNanos;
    }

    int consecutiveFailures() {
        return consecutiveFailures;
    }

    /** The last acknowledged committed offset per partition. */
    Map<TopicPartition, Long> acked() {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        acked.forEach((tp, mark) -> offsets.put(tp, mark.offset));
        return offsets;
    }
}
