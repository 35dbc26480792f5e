package io.kgroups.monitor;

import io.kgroups.admin.MemberDetail;
import java.util.List;
import java.util.Map;

/**
 * A group as the monitor last saw it: its status is its worst partition's, and {@code reasons}
 * says which partitions and why, in words.
 *
 * @param type classic, consumer, share or streams (the broker's word, as {@code kgroups groups} says it)
 * @param members how many members the group has
 * @param memberDetails those members and the partitions assigned to them
 * @param lastSampleMs when the oldest of its figures was read (epoch ms): the cycle's time when the
 *     whole group was read, earlier when a partition or the group could not be; null when never
 */
public record GroupStatus(String group, String type, String state, int members, Status status, List<String> reasons,
        long totalLag, Double maxLagSeconds, List<PartitionStatus> partitions, List<Member> memberDetails, Long lastSampleMs,
        RebalanceWatch.Rebalances rebalances) {
    public GroupStatus {
        reasons = List.copyOf(reasons);
        partitions = List.copyOf(partitions);
        memberDetails = List.copyOf(memberDetails);
        rebalances = rebalances == null ? RebalanceWatch.Rebalances.NONE : rebalances;
    }

    /** A group with no membership history yet (first seen, or read by a test). */
    public GroupStatus(String group, String type, String state, int members, Status status, List<String> reasons,
            long totalLag, Double maxLagSeconds, List<PartitionStatus> partitions, List<Member> memberDetails, Long lastSampleMs) {
        this(group, type, state, members, status, reasons, totalLag, maxLagSeconds, partitions, memberDetails, lastSampleMs,
                RebalanceWatch.Rebalances.NONE);
    }

    /**
     * A member of the group.
     *
     * @param assignment topic to the partitions assigned to the member (a streams member: the
     *     input partitions of its active tasks)
     * @param tasks a streams member's active, standby and warm-up tasks; null for other groups
     */
    public record Member(String memberId, String groupInstanceId, String clientId, String host,
            Map<String, List<Integer>> assignment, MemberDetail.Tasks tasks) {
        public Member {
            assignment = Map.copyOf(assignment);
        }
    }
}
