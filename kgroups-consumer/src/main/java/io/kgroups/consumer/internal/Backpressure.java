package io.kgroups.consumer.internal;

import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * Which partitions to pause, with hysteresis, so that slow handlers never cost group membership:
 * the poll loop keeps polling, and a paused partition is simply not fetched. A partition pauses
 * when its queue is full and resumes at half; all pause when the records or bytes fetched and not
 * yet handed to a handler reach the totals, and resume at 80 %; a partition with records pending
 * pauses while the done offsets it carries in the commit metadata pass half the budget
 * (out-of-order completions) and resumes at a quarter or once nothing is pending; a held partition (its previous generation still in a handler) is paused
 * until it starts.
 */
final class Backpressure {
    /** What one lane holds now. */
    record Load(TopicPartition partition, int queued, long queuedBytes, int pending, int metadataLength, boolean held) {
    }

    /** The partitions to keep paused, and which of them were just paused because their queue is full. */
    record Decision(Set<TopicPartition> paused, Set<TopicPartition> pausedFull, Set<TopicPartition> resumed) {
    }

    private final int queueCapacity;
    private final int maxRecords;
    private final long maxBytes;
    private final Set<TopicPartition> paused = new HashSet<>();
    private boolean globallyFull;

    Backpressure(int queueCapacity, int maxRecords, long maxBytes) {
        this.queueCapacity = queueCapacity;
        this.maxRecords = maxRecords;
        this.maxBytes = maxBytes;
    }

    Decision update(Collection<Load> loads, int metadataBudget) {
        long records = 0;
        long bytes = 0;
        for (Load load : loads) {
            records += load.queued();
            bytes += load.queuedBytes();
        }
        if (records >= maxRecords || bytes >= maxBytes) {
            globallyFull = true;
        } else if (records <= maxRecords * 8L / 10 && bytes <= maxBytes * 8 / 10) {
            globallyFull = false;
        }
        Set<TopicPartition> pausedFull = null;
        Set<TopicPartition> resumed = null;
        for (Load load : loads) {
            TopicPartition tp = load.partition();
            // Only while records are pending: then out-of-order completions behind them grow the metadata, and
            // slower intake helps. With nothing pending it holds only offsets inherited from a previous owner,
            // which shrink as the partition is fetched past them: pausing it then would stall it for good.
            boolean metadataFull = load.pending() > 0 && load.metadataLength() > metadataBudget / 2;
            if (globallyFull || load.held() || load.queued() >= queueCapacity || metadataFull) {
                if (paused.add(tp) && load.queued() >= queueCapacity / 2) {
                    pausedFull = add(pausedFull, tp);
                }
            } else if (load.queued() <= queueCapacity / 2 && (load.pending() == 0 || load.metadataLength() <= metadataBudget / 4)) {
                if (paused.remove(tp)) {
                    resumed = add(resumed, tp);
                }
            }
        }
        if (!paused.isEmpty()) {
            Set<TopicPartition> present = new HashSet<>();
            for (Load load : loads) {
                present.add(load.partition());
            }
            paused.retainAll(present);
        }
        return new Decision(Collections.unmodifiableSet(paused), pausedFull == null ? Set.of() : pausedFull,
                resumed == null ? Set.of() : resumed);
    }

    /** Turns of the loop pause or resume nothing most of the time: no set is made for them. */
    private static Set<TopicPartition> add(Set<TopicPartition> set, TopicPartition tp) {
        Set<TopicPartition> to = set == null ? new HashSet<>() : set;
        to.add(tp);
        return to;
    }
}
