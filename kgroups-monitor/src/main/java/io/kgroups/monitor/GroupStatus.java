package io.kgroups.monitor;

import java.util.List;

/**
 * A group as the monitor last saw it: its status is its worst partition's, and {@code reasons}
 * says which partitions and why, in words.
 */
public record GroupStatus(String group, String state, int members, Status status, List<String> reasons, long totalLag,
        Double maxLagSeconds, List<PartitionStatus> partitions) {
    public GroupStatus {
        reasons = List.copyOf(reasons);
        partitions = List.copyOf(partitions);
    }
}
