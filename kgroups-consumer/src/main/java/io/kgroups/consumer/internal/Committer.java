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
    private final Map<TopicPartition, Long> sent = new HashMap<>();
    private final Map<TopicPartition, Long> acked = new ConcurrentHashMap<>();
    private volatile int consecutiveFailures;
    private long lastCommitNanos = System.nanoTime();

    Committer(Consumer<byte[], byte[]> consumer, ConsumerMetrics metrics, GroupListener listener, String group) {
        this.consumer = consumer;
        this.metrics = metrics;
        this.listener = listener;
        this.group = group;
    }

    /**
     * Offsets of the lanes that moved past what was sent (or, when {@code final_}, past what was
     * acknowledged: an async commit still in flight may yet fail, and these partitions are about
     * to go); null when there is nothing to commit.
     */
    Map<TopicPartition, OffsetAndMetadata> pending(Collection<PartitionLane> lanes, boolean final_) {
        Map<TopicPartition, OffsetAndMetadata> offsets = null;
        for (PartitionLane lane : lanes) {
            PartitionOffsets tracked = lane.offsets();
            long committable = tracked.committable();
            long baseline = (final_ ? acked : sent).getOrDefault(lane.partition(), -1L);
            if (committable < 0 || committable <= baseline) {
                continue;
            }
            if (offsets == null) {
                offsets = new HashMap<>();
            }
            int epoch = tracked.committableEpoch();
            offsets.put(lane.partition(), new OffsetAndMetadata(committable,
                    epoch < 0 ? Optional.empty() : Optional.of(epoch), ""));
        }
        return offsets;
    }

    void commitAsync(Collection<PartitionLane> lanes, Map<TopicPartition, PartitionLane> byPartition) {
        lastCommitNanos = System.nanoTime();
        Map<TopicPartition, OffsetAndMetadata> offsets = pending(lanes, false);
        if (offsets == null) {
            return;
        }
        markSent(offsets);
        long start = System.nanoTime();
        consumer.commitAsync(offsets, (committed, error) -> {
            if (error == null) {
                succeeded(committed, byPartition, System.nanoTime() - start);
            } else {
                failed(offsets, error);
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
        Map<TopicPartition, OffsetAndMetadata> offsets = pending(lanes, final_);
        if (offsets == null) {
            return true;
        }
        markSent(offsets);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long start = System.nanoTime();
            long left = deadline - start;
            try {
                consumer.commitSync(offsets, Duration.ofNanos(Math.max(left, 1)));
                succeeded(offsets, byPartition, System.nanoTime() - start);
                return true;
            } catch (WakeupException e) {
                // a handler asked the poll loop for attention; the commit still has to happen
            } catch (RebalanceInProgressException | StaleMemberEpochException | RetriableException e) {
                // A rebalance under way, a member epoch that moved on (group.protocol=consumer) or a
                // coordinator that moved: the same offsets are still ours to commit once it settles.
                if (System.nanoTime() + RETRY_PAUSE_MS * 1_000_000 >= deadline) {
                    failed(offsets, e);
                    return false;
                }
                pauseBeforeRetry();
            } catch (CommitFailedException e) {
                // The group moved on without this member: the partitions go to another member, which
                // starts from the last committed offset. Not retried.
                failed(offsets, e);
                return false;
            } catch (InterruptException e) {
                failed(offsets, e);
                throw e;
            } catch (KafkaException e) {
                failed(offsets, e);
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

    private void markSent(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((tp, offset) -> sent.put(tp, offset.offset()));
    }

    private void succeeded(Map<TopicPartition, OffsetAndMetadata> offsets, Map<TopicPartition, PartitionLane> byPartition,
            long nanos) {
        consecutiveFailures = 0;
        metrics.commits.increment();
        metrics.commitLatency(nanos);
        offsets.forEach((tp, offset) -> {
            acked.merge(tp, offset.offset(), Math::max);
            PartitionLane lane = byPartition.get(tp);
            if (lane != null) {
                lane.acked(offset.offset());
            }
        });
        LOG.atDebug().setMessage("offset_committed").addKeyValue("group", group).addKeyValue("offsets", offsets).log();
        listener.onCommitted(offsets);
    }

    private void failed(Map<TopicPartition, OffsetAndMetadata> offsets, Throwable error) {
        consecutiveFailures++;
        metrics.commitFailures.increment();
        // Let the next commit send these offsets again, unless a newer one was sent since.
        offsets.forEach((tp, offset) -> {
            if (sent.getOrDefault(tp, -1L) == offset.offset()) {
                sent.put(tp, acked.getOrDefault(tp, -1L));
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

    Map<TopicPartition, Long> acked() {
        return acked;
    }
}
