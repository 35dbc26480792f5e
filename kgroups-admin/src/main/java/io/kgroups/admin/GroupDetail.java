package io.kgroups.admin;

import java.util.List;

/**
 * A consumer group, its members and where it stands in every partition it has offsets for or is
 * assigned.
 *
 * @param type classic or consumer (the broker's word)
 * @param protocol the assignor (classic) or the remote assignor (consumer protocol)
 * @param groupEpoch the group epoch (consumer protocol), else null
 * @param targetAssignmentEpoch the epoch of the target assignment (consumer protocol), else null
 */
public record GroupDetail(
        String group,
        String state,
        String type,
        String protocol,
        Coordinator coordinator,
        Integer groupEpoch,
        Integer targetAssignmentEpoch,
        List<MemberDetail> members,
        List<PartitionDetail> partitions) {

    /** The broker that coordinates the group. */
    public record Coordinator(int id, String host, int port) {
    }

    public GroupDetail {
        members = List.copyOf(members);
        partitions = List.copyOf(partitions);
    }

    public long totalLag() {
        return partitions.stream().mapToLong(PartitionDetail::lag).sum();
    }

    /** The largest time lag of the group's partitions, null when none is known. */
    public Double maxLagSeconds() {
        return partitions.stream().map(PartitionDetail::lagSeconds).filter(java.util.Objects::nonNull)
                .max(Double::compare).orElse(null);
    }
}
