package io.kgroups.monitor;

/**
 * One partition of a group as the monitor last saw it.
 *
 * @param committedOffset null when the group has no committed offset there
 * @param logEndOffset null when the partition could not be read
 * @param lag records not yet consumed (0 where only control records are left); null when not
 *     committed yet, past the log end, or unreadable
 * @param lagSeconds estimated age of the first unconsumed record; null when unknown
 * @param retentionSecondsLeft time before retention deletes the first unconsumed record (negative
 *     or zero: it is happening); null without lag, or when the topic has no time limit
 * @param reason the status in words (or why the partition could not be read)
 * @param memberId the member the partition is assigned to; null when none
 * @param lastSampleMs when these figures were read (epoch ms); null when never
 */
public record PartitionStatus(String topic, int partition, Long committedOffset, Long logEndOffset, Long lag,
        Double lagSeconds, Double retentionSecondsLeft, Status status, String reason, String memberId, Long lastSampleMs) {

    /** This partition, its figures kept but no longer known to be current: UNKNOWN for {@code why}. */
    PartitionStatus unknown(String why) {
        return new PartitionStatus(topic, partition, committedOffset, logEndOffset, lag, lagSeconds, retentionSecondsLeft,
                Status.UNKNOWN, why, memberId, lastSampleMs);
    }

    /** The lag, 0 where unknown: for sums. */
    public long lagOrZero() {
        return lag == null ? 0 : lag;
    }
}
