package io.kgroups.consumer;

/** Which records may be handled at the same time. */
public enum Ordering {
    /** One record of a partition at a time, in offset order; partitions in parallel. */
    PARTITION,
    /**
     * One record of a key at a time, in offset order; keys in parallel. Records without a key
     * are handled in partition order among themselves.
     */
    KEY,
    /** Any record at any time, up to the concurrency. */
    UNORDERED
}
