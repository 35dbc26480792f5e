package io.kgroups.admin;

import java.util.List;

/**
 * One line of the group list.
 *
 * @param type classic, consumer, share or streams, as the broker says
 * @param totalLag sum of the lag of its partitions; null for groups whose offsets are not consumer offsets
 */
public record GroupSummary(String group, String state, String type, int members, List<String> topics, Long totalLag) {
    public GroupSummary {
        topics = List.copyOf(topics);
    }
}
