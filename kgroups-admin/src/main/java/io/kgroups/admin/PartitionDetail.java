package io.kgroups.admin;

/**
 * Where a group stands in one partition.
 *
 * @param committedOffset the group's committed offset, null when it has none (always, for a share group)
 * @param startOffset a share group's share-partition start offset: its lowest offset not yet
 *     delivery-complete (records before it are acknowledged, released past the delivery limit, or
 *     rejected); null for other groups, and where the share group has not initialized the partition
 * @param logStartOffset null when the partition could not be read (see {@code error})
 * @param logEndOffset null when the partition could not be read; the last stable offset when read
 *     at read_committed
 * @param lag records the group has not consumed: the offset lag, except 0 where the log holds no
 *     record from the committed offset to its end (only transaction markers, or aborted records
 *     under read_committed); null when nothing is committed (where the group would start depends on
 *     its auto.offset.reset), when the committed offset is past the log end, or when unreadable. For a
 *     share group, the lag the broker computes (KIP-1226): records from the start offset to the end
 *     not yet delivery-complete, which is not log-end minus the start offset (records acknowledged
 *     out of order are not lag)
 * @param offsetLag log-end minus committed offset; null where {@code lag} is null, and for a share group
 * @param lagSeconds age of the first record not yet consumed, from its timestamp; 0 without lag;
 *     null when unknown
 * @param memberId the member the partition is assigned to, null when none
 * @param metadataBytes size of the commit's metadata string (kgroups stores done offsets there)
 * @param deletedUnread records retention deleted before the group read them (committed offset
 *     below log-start), else 0
 * @param retentionSecondsLeft time until retention deletes the first unconsumed record, null when
 *     unknown or not applicable (no lag, compacted topic)
 * @param note what a user should know about the figures, in words (not committed yet, only
 *     control records left, past the log end); null when nothing
 * @param error why the partition's log could not be read (offline, topic deleted, not
 *     authorized), in words; null when it was read
 */
public record PartitionDetail(
        String topic,
        int partition,
        Long committedOffset,
        Long startOffset,
        Long logStartOffset,
        Long logEndOffset,
        Long lag,
        Long offsetLag,
        Double lagSeconds,
        String memberId,
        int metadataBytes,
        long deletedUnread,
        Double retentionSecondsLeft,
        String note,
        String error) {

    public boolean committed() {
        return committedOffset != null;
    }

    /** The lag, 0 where unknown: for sums. */
    public long lagOrZero() {
        return lag == null ? 0 : lag;
    }
}
