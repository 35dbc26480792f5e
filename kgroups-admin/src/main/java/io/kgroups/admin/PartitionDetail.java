package io.kgroups.admin;

/**
 * Where a group stands in one partition.
 *
 * @param committedOffset the group's committed offset, null when it has none
 * @param lag log-end minus committed; with nothing committed, log-end minus log-start (what the
 *     group would read from the start), see {@link #committed()}
 * @param lagSeconds age of the first record not yet consumed, from its timestamp; 0 without lag;
 *     null when unknown
 * @param memberId the member the partition is assigned to, null when none
 * @param metadataBytes size of the commit's metadata string (kgroups stores done offsets there)
 * @param deletedUnread records retention deleted before the group read them (committed offset
 *     below log-start), else 0
 * @param retentionSecondsLeft time until retention deletes the first unconsumed record, null when
 *     unknown or not applicable (no lag, compacted topic)
 */
public record PartitionDetail(
        String topic,
        int partition,
        Long committedOffset,
        long logStartOffset,
        long logEndOffset,
        long lag,
        Double lagSeconds,
        String memberId,
        int metadataBytes,
        long deletedUnread,
        Double retentionSecondsLeft) {

    public boolean committed() {
        return committedOffset != null;
    }
}
