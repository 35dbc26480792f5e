package io.kgroups.monitor;

/**
 * One partition of a group as the monitor last saw it.
 *
 * @param committedOffset null when the group has no committed offset there (always, for a share group)
 * @param startOffset a share group's share-partition start offset (its lowest offset not yet
 *     delivery-complete); null for other groups, and before the share group has one
 * @param logEndOffset null when the partition could not be read
 * @param lag records not yet consumed (0 where only control records are left); null when not
 *     committed yet, past the log end, or unreadable. A share group's: the broker's lag, records
 *     not yet delivery-complete (not log-end minus the start offset)
 * @param lagSeconds estimated age of the first unconsumed record (a share group's: of the record
 *     at its start offset); null when unknown
 * @param retentionSecondsLeft time before retention deletes the first unconsumed record (negative
 *     or zero: it is happening); null without lag, or when the topic has no time limit
 * @param deletedUnread records of the lag retention deleted before the group read them (its
 *     committed offset is below the log start): lag no member can work off
 * @param reason the status in words (or why the partition could not be read)
 * @param memberId the member the partition is assigned to; null when none
 * @param lastSampleMs when these figures were read (epoch ms); null when never
 */
public record PartitionStatus(String topic, int partition, Long committedOffset, Long startOffset, Long logEndOffset,
        Long lag, Double lagSeconds, Double retentionSecondsLeft, long deletedUnread, Status status, String reason, String memberId,
        Long lastSampleMs) {

    /** This partition, its figures kept but no longer known to be current: UNKNOWN for {@code why}. */
    PartitionStatus unknown(String why) {
        return new PartitionStatus(topic, partition, committedOffset, startOffset, logEndOffset, lag, lagSeconds, retentionSecondsLeft,
                deletedUnread, Status.UNKNOWN, why, memberId, lastSampleMs);
    }

    /** The lag, 0 where unknown: for sums. */
    public long lagOrZero() {
        return lag == null ? 0 : lag;
    }
}
