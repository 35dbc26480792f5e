package io.kgroups.consumer;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * A snapshot of a consumer's numbers, the same that it reports as Micrometer meters.
 *
 * @param consumed records fetched from Kafka
 * @param processed records the handler finished
 * @param failed handler attempts that threw (each attempt counts)
 * @param retried retries scheduled
 * @param deadLettered records written to a dead-letter topic
 * @param skipped records skipped by the error policy
 * @param alreadyDone records fetched again that a previous owner had recorded as done (not handled)
 * @param commits commits acknowledged
 * @param commitFailures commits that failed
 * @param rebalances assignments, revocations and losses seen
 * @param inFlight records fetched and not yet done
 * @param pausedPartitions partitions paused for backpressure
 * @param committed the last acknowledged committed offset per partition
 * @param lag per assigned partition whose position is known: log-end offset minus the lowest offset not done
 */
public record ConsumerStats(
        ConsumerState state,
        long consumed,
        long processed,
        long failed,
        long retried,
        long deadLettered,
        long skipped,
        long alreadyDone,
        long commits,
        long commitFailures,
        long rebalances,
        long inFlight,
        int pausedPartitions,
        Map<TopicPartition, Long> committed,
        Map<TopicPartition, Long> lag) {

    public ConsumerStats {
        committed = Map.copyOf(committed);
        lag = Map.copyOf(lag);
    }

    /** Total lag of the assigned partitions. */
    public long totalLag() {
        return lag.values().stream().mapToLong(Long::longValue).sum();
    }
}
