package io.kgroups.admin;

import java.util.List;

/**
 * A group, its members and where it stands in every partition it has offsets for or is
 * assigned.
 *
 * @param type classic, consumer, share or streams (the broker's word)
 * @param protocolType of a classic group, what its members speak: consumer, or connect, sr ... for
 *     groups that are not consumer groups (they have members but no consumer offsets: no partitions
 *     here); "" for a group that only commits offsets
 * @param protocol the assignor (classic), the remote assignor (consumer protocol) or the task
 *     assignor (streams groups); null for share groups
 * @param groupEpoch the group epoch (consumer protocol, share and streams groups), else null
 * @param targetAssignmentEpoch the epoch of the target assignment (consumer protocol, streams
 *     groups; a share group's assignment epoch), else null
 * @param topologyEpoch a streams group's topology epoch, else null
 * @param subtopologies a streams group's subtopologies, as far as the broker describes them; empty for other groups
 * @param error why the group could not be read (coordinator unavailable, not authorized), in
 *     words; null when it was
 * @param configs a share group's configs, the effective value of each of those that shape it
 *     ({@code share.*}, {@code errors.deadletterqueue.*}), by name; null for other groups, and
 *     where they could not be read
 */
public record GroupDetail(
        String group,
        String state,
        String type,
        String protocolType,
        String protocol,
        Coordinator coordinator,
        Integer groupEpoch,
        Integer targetAssignmentEpoch,
        Integer topologyEpoch,
        List<MemberDetail> members,
        List<PartitionDetail> partitions,
        List<Subtopology> subtopologies,
        String error,
        List<Config> configs) {

    /** The broker that coordinates the group. */
    public record Coordinator(int id, String host, int port) {
    }

    /**
     * A subtopology of a streams group: its tasks read partition N of each source and repartition
     * source topic (task id {@code <id>_<N>}).
     *
     * @param changelogTopics the state stores' changelog topics
     */
    public record Subtopology(String id, List<String> sourceTopics, List<String> repartitionSourceTopics,
            List<String> repartitionSinkTopics, List<String> changelogTopics) {
        public Subtopology {
            sourceTopics = List.copyOf(sourceTopics);
            repartitionSourceTopics = List.copyOf(repartitionSourceTopics);
            repartitionSinkTopics = List.copyOf(repartitionSinkTopics);
            changelogTopics = List.copyOf(changelogTopics);
        }
    }

    /**
     * A group config in effect.
     *
     * @param value null where the broker withholds it (a sensitive config)
     * @param source {@code group} where the group has its own value (set with kafka-configs
     *     --entity-type groups), {@code default} where the broker's applies
     */
    public record Config(String name, String value, String source) {
    }

    public GroupDetail {
        members = List.copyOf(members);
        partitions = List.copyOf(partitions);
        subtopologies = List.copyOf(subtopologies);
        configs = configs == null ? null : List.copyOf(configs);
    }

    /** A group whose configs are not shown: any but a share group. */
    public GroupDetail(String group, String state, String type, String protocolType, String protocol, Coordinator coordinator,
            Integer groupEpoch, Integer targetAssignmentEpoch, Integer topologyEpoch, List<MemberDetail> members,
            List<PartitionDetail> partitions, List<Subtopology> subtopologies, String error) {
        this(group, state, type, protocolType, protocol, coordinator, groupEpoch, targetAssignmentEpoch, topologyEpoch,
                members, partitions, subtopologies, error, null);
    }

    /** Whether its offsets are consumer offsets (false: a Connect worker group and the like). */
    public boolean consumerGroup() {
        return new OffsetReadings.Listed(group, type, protocolType, state).consumerGroup();
    }

    /** Whether it has a lag kgroups reads: consumer and streams groups, and share groups (the broker's lag). */
    public boolean hasLag() {
        return consumerGroup() || type.equals("share") || type.equals("streams");
    }

    /**
     * Whether the total lag is whole: no partition of the group failed to be read (offline, a topic
     * the principal may not describe ...), so none is missing from {@link #totalLag}.
     */
    public boolean lagComplete() {
        return error == null && partitions.stream().allMatch(p -> p.error() == null);
    }

    /** Records not yet consumed (share groups: not yet delivery-complete), over the partitions where that is known. */
    public long totalLag() {
        return partitions.stream().mapToLong(PartitionDetail::lagOrZero).sum();
    }

    /** The largest time lag of the group's partitions, null when none is known. */
    public Double maxLagSeconds() {
        return partitions.stream().map(PartitionDetail::lagSeconds).filter(java.util.Objects::nonNull)
                .max(Double::compare).orElse(null);
    }
}
