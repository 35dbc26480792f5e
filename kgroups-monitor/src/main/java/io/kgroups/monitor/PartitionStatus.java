package io.kgroups.monitor;

/**
 * One partition of a group as the monitor last saw it.
 *
 * @param committedOffset null when the group has no committed offset there
 * @param lagSeconds estimated age of the first unconsumed record; null when unknown
 * @param retentionSecondsLeft time before retention deletes the first unconsumed record (negative
 *     or zero: it is happening); null without lag, or when the topic has no time limit
 * @param memberId the member the partition is assigned to; null when none
 */
public record PartitionStatus(String topic, int partition, Long committedOffset, long logEndOffset, long lag,
        Double lagSeconds, Double retentionSecondsLeft, Status status, String reason, String memberId) {
}
