package io.kgroups.admin;

import java.util.List;

/**
 * One line of the group list.
 *
 * @param type classic, consumer, share or streams, as the broker says
 * @param protocolType of a classic group: consumer, or connect, sr ... for groups that are not
 *     consumer groups; "" for groups that only commit offsets
 * @param members null when unknown (the group could not be described)
 * @param totalLag records not yet consumed (share groups: the broker's lag, records not yet
 *     delivery-complete; streams groups: of their input topics); null for groups without consumer,
 *     share or streams offsets, or that could not be read
 * @param error why the group could not be read, in words; null when it was
 */
public record GroupSummary(String group, String state, String type, String protocolType, Integer members,
        List<String> topics, Long totalLag, String error) {
    public GroupSummary {
        topics = List.copyOf(topics);
    }
}
