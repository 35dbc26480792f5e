package io.kgroups.admin;

import java.util.List;
import org.apache.kafka.common.TopicPartition;

/**
 * A member of a group. For groups of the consumer protocol (KIP-848) and streams groups,
 * {@code memberEpoch} and {@code targetAssignment} (streams: {@code targetTasks}) show
 * reconciliation: a member whose assignment differs from its target is still moving partitions.
 *
 * @param assignment its partitions (a streams member: the input partitions of its active tasks)
 * @param tasks a streams member's tasks, null for other groups
 * @param targetTasks the tasks the broker's target assignment gives a streams member, null for other groups
 */
public record MemberDetail(
        String memberId,
        String groupInstanceId,
        String clientId,
        String host,
        List<TopicPartition> assignment,
        Integer memberEpoch,
        List<TopicPartition> targetAssignment,
        Tasks tasks,
        Tasks targetTasks) {

    /**
     * A streams member's tasks, as Kafka Streams names them: {@code <subtopology>_<partition>}, sorted.
     *
     * @param warmup tasks whose state is being restored before the member takes them over
     */
    public record Tasks(List<String> active, List<String> standby, List<String> warmup) {
        public Tasks {
            active = List.copyOf(active);
            standby = List.copyOf(standby);
            warmup = List.copyOf(warmup);
        }
    }

    public MemberDetail {
        assignment = List.copyOf(assignment);
        targetAssignment = targetAssignment == null ? null : List.copyOf(targetAssignment);
    }

    /** A member without tasks: of any group but a streams group. */
    public MemberDetail(String memberId, String groupInstanceId, String clientId, String host,
            List<TopicPartition> assignment, Integer memberEpoch, List<TopicPartition> targetAssignment) {
        this(memberId, groupInstanceId, clientId, host, assignment, memberEpoch, targetAssignment, null, null);
    }

    /** True when the broker's target assignment (or target tasks) differs from what the member has. */
    public boolean reconciling() {
        return (targetAssignment != null
                && !new java.util.HashSet<>(targetAssignment).equals(new java.util.HashSet<>(assignment)))
                || (targetTasks != null && !targetTasks.equals(tasks));
    }
}
