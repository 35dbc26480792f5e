package io.kgroups.admin;

import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What deleting a group, or some of its committed offsets, removes: what a dry run shows, and
 * what an executed delete backs up first (the backup restores exactly this).
 *
 * @param wholeGroup true: the group is deleted ({@code kgroups delete}); false: only the offsets
 *     of {@code partitions} ({@code kgroups delete-offsets})
 * @param type consumer (for classic consumer groups too), share or streams: what the offsets are (a share
 *     group's are start offsets)
 * @param state the group's state (Empty, Stable ...)
 * @param blockers the members the delete is refused for, as client@host: every member for a group
 *     delete, the members assigned a partition of the topics for an offsets delete
 * @param partitions the committed offsets deleted, in topic and partition order
 * @param configs the group's dynamic configs deleted with it, by name (empty: none set, or kept)
 * @param internalTopics the topics Kafka Streams made for a streams group (repartition, changelog)
 *     deleted after it, in order: their records are gone for good, no backup restores them (empty:
 *     none, or not asked for)
 */
public record DeletePlan(String group, String type, boolean wholeGroup, String state, List<String> blockers,
        List<Partition> partitions, SortedMap<String, String> configs, List<String> internalTopics) {

    /**
     * One committed offset deleted.
     *
     * @param leaderEpoch the leader epoch committed with it, null when none
     * @param metadata its commit metadata, "" when none
     * @param lag records the group has not consumed there (see {@link PartitionDetail#lag}); null when unknown
     */
    public record Partition(String topic, int partition, long committedOffset, Integer leaderEpoch, String metadata,
            Long lag) {
    }

    public DeletePlan {
        blockers = List.copyOf(blockers);
        partitions = List.copyOf(partitions);
        internalTopics = List.copyOf(internalTopics);
        configs = Collections.unmodifiableSortedMap(new TreeMap<>(configs));
    }

    /** The topics whose offsets are deleted, in order. */
    public List<String> topics() {
        return partitions.stream().map(Partition::topic).distinct().toList();
    }

    /** What a delete does, in the audit log's words: delete, or delete-offsets. */
    public String action() {
        return wholeGroup ? "delete" : "delete-offsets";
    }

    /**
     * Why the delete cannot be done now, in words: the members in the way and what to do; null
     * when nothing is in the way.
     */
    public String refusal() {
        if (blockers.isEmpty()) {
            return null;
        }
        String members = blockers.size() + " member(s) (" + String.join(", ", blockers) + ")";
        if (wholeGroup) {
            return "group '" + group + "' has " + members + ", state " + state + ": a group can only be deleted while it "
                    + "has none; stop its consumers first";
        }
        return "group '" + group + "' consumes " + String.join(", ", topics()) + " (assigned to " + members + "): the "
                + "offsets of a topic the group consumes cannot be deleted; stop its consumers (or unsubscribe them from it) "
                + "first";
    }

    /** Whether there is nothing to back up: no offsets and no configs are deleted. */
    public boolean nothingToRestore() {
        return partitions.isEmpty() && configs.isEmpty();
    }
}
