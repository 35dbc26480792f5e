package io.kgroups.monitor;

/**
 * One partition of a group as the monitor last saw it.
 *
 * @param committedOffset null when the group has no committed offset there
 * @param lagSeconds estimated age of the first unconsumed record; null when unknown
 */
public record PartitionStatus(String topic, int partition, Long committedOffset, long logEndOffset, long lag,
        Double lagSeconds, Status status, String reason) {
}
