package io.kgroups.consumer;

/** Which records may be handled at the same time. */
public enum Ordering {
    /** One record of a partition at a time, in offset order; partitions in parallel. */
    PARTITION,
    /** One record of a key at a time, in offset order; keys in parallel (next version). */
    KEY,
    /** Any record at any time (next version). */
    UNORDERED
}
