package io.kgroups.admin;

import java.util.List;
import org.apache.kafka.common.TopicPartition;

/**
 * A member of a group. For groups of the consumer protocol (KIP-848), {@code memberEpoch} and
 * {@code targetAssignment} show reconciliation: a member whose assignment differs from its target
 * is still moving partitions.
 */
public record MemberDetail(
        String memberId,
        String groupInstanceId,
        String clientId,
        String host,
        List<TopicPartition> assignment,
        Integer memberEpoch,
        List<TopicPartition> targetAssignment) {

    public MemberDetail {
        assignment = List.copyOf(assignment);
        targetAssignment = targetAssignment == null ? null : List.copyOf(targetAssignment);
    }

    /** True when the broker's target assignment differs from what the member has (consumer protocol). */
    public boolean reconciling() {
        return targetAssignment != null && !new java.util.HashSet<>(targetAssignment).equals(new java.util.HashSet<>(assignment));
    }
}
