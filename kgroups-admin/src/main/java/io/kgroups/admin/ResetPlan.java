package io.kgroups.admin;

import java.util.List;

/**
 * What a reset would do, before it does it.
 *
 * @param activeMembers members in the group now: a reset can only be executed with none
 * @param warnings one line each: clamped targets and the like
 */
public record ResetPlan(String group, String state, int activeMembers, List<Partition> partitions, List<String> warnings) {

    /**
     * One partition of the plan.
     *
     * @param currentOffset the committed offset now, null when none
     * @param delta target minus current (negative: records read again; positive: skipped); null
     *     without a current offset
     * @param spanMillis time between the records at the current and the target offsets, from
     *     their timestamps; null when unknown
     */
    public record Partition(String topic, int partition, Long currentOffset, long targetOffset, Long delta,
            boolean clamped, Long spanMillis) {

        /** The plan in words: "120 records will be read again", "40 records will be skipped". */
        public String words() {
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

    /** Records read again (sum of negative deltas, as a positive number). */
    public long recordsReadAgain() {
        return partitions.stream().filter(p -> p.delta() != null && p.delta() < 0).mapToLong(p -> -p.delta()).sum();
    }

    /** Records skipped (sum of positive deltas). */
    public long recordsSkipped() {
        return partitions.stream().filter(p -> p.delta() != null && p.delta() > 0).mapToLong(Partition::delta).sum();
    }
}
