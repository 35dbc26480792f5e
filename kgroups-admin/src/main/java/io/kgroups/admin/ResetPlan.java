package io.kgroups.admin;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a reset would do, before it does it.
 *
 * @param type consumer (for classic consumer groups too), share or streams: what the offsets are (a share
 *     group's are start offsets)
 * @param activeMembers members in the group now: a reset can only be executed with none
 * @param warnings one line each: clamped targets and the like
 */
public record ResetPlan(String group, String type, String state, int activeMembers, List<Partition> partitions, List<String> warnings) {

    /**
     * One partition of the plan.
     *
     * @param currentOffset the committed offset now, null when none
     * @param targetOffset the offset the reset commits; null: the committed offset is deleted (the
     *     undo of a reset of a partition that had none), so the group starts there as its
     *     {@code auto.offset.reset} says
     * @param delta target minus current (negative: records read again; positive: skipped); null
     *     without a current or a target offset
     * @param spanMillis time between the records at the current and the target offsets, from
     *     their timestamps; null when unknown
     */
    public record Partition(String topic, int partition, Long currentOffset, Long targetOffset, Long delta,
            boolean clamped, Long spanMillis) {

        /** The plan in words: "120 records will be read again", "40 records will be skipped". */
        public String words() {
            if (targetOffset == null) {
                return currentOffset == null ? "no change (no offset)" : "offset deleted (as before the reset undone)";
            }
            if (delta == null) {
                return "start at " + targetOffset;
            }
            if (delta == 0) {
                return "no change";
            }
            return Math.abs(delta) + (delta < 0 ? " records will be read again" : " records will be skipped");
        }
    }

    public ResetPlan {
        partitions = List.copyOf(partitions);
        warnings = List.copyOf(warnings);
    }

    /**
     * How the committed offsets moved between {@code earlier} (the dry run) and this plan, one line
     * per partition that moved, e.g. "orders-0: the committed offset moved by +3000 (20 to 3020)
     * since the dry run"; empty when none did.
     */
    public List<String> movedSince(ResetPlan earlier) {
        Map<String, Long> before = new HashMap<>();
        earlier.partitions().forEach(p -> before.put(p.topic() + "-" + p.partition(), p.currentOffset()));
        List<String> moved = new ArrayList<>();
        for (Partition p : partitions) {
            String tp = p.topic() + "-" + p.partition();
            Long was = before.get(tp);
            if (!before.containsKey(tp)) {
                moved.add(tp + ": not in the dry run (committed offset " + (p.currentOffset() == null ? "none" : p.currentOffset())
                        + ")");
            } else if (!Objects.equals(was, p.currentOffset())) {
                String by = was == null || p.currentOffset() == null ? "" : String.format(" by %+d", p.currentOffset() - was);
                moved.add(tp + ": the committed offset moved" + by + " (" + (was == null ? "none" : was) + " to "
                        + (p.currentOffset() == null ? "none" : p.currentOffset()) + ") since the dry run");
            }
        }
        return moved;
    }

    /** Records read again (sum of negative deltas, as a positive number). */
    public long recordsReadAgain() {
        return partitions.stream().filter(p -> p.delta() != null && p.delta() < 0).mapToLong(p -> -p.delta()).sum();
    }

    /**
     * Whether the group exists: it has a state other than Dead, or committed offsets. A plan for a
     * group that does not exist would create it (Kafka creates a group on its first commit): a
     * typo in the name, unless that is what is wanted.
     */
    public boolean groupExists() {
        return !state.equalsIgnoreCase("dead") || partitions.stream().anyMatch(p -> p.currentOffset() != null);
    }

    /** Records skipped (sum of positive deltas). */
    public long recordsSkipped() {
        return partitions.stream().filter(p -> p.delta() != null && p.delta() > 0).mapToLong(Partition::delta).sum();
    }
}
