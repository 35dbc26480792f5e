package io.kgroups.monitor;

import io.kgroups.admin.MemberDetail;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Members of consumer-protocol groups (KIP-848) that are still moving partitions: their epoch is
 * behind the group's target assignment epoch, or what they own differs from their target. A
 * member that stays so for longer than {@code thresholdMs} is reported; one that settles is
 * forgotten.
 */
public final class ReconciliationWatch {
    private final long thresholdMs;
    /** Group, then member id, to when it started reconciling; a group is only here while one of its members is. */
    private final Map<String, Map<String, Long>> since = new HashMap<>();

    public ReconciliationWatch(long thresholdMs) {
        this.thresholdMs = thresholdMs;
    }

    /** The members of {@code group} reconciling for longer than the threshold, in words. */
    public List<String> stuck(String group, List<MemberDetail> members, Integer targetEpoch, long nowMs) {
        List<String> reports = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        Map<String, Long> started = since.computeIfAbsent(group, g -> new HashMap<>());
        for (MemberDetail m : members) {
            boolean behind = m.memberEpoch() != null && targetEpoch != null && m.memberEpoch() < targetEpoch;
            if (!behind && !m.reconciling()) {
                continue;
            }
            seen.add(m.memberId());
            long start = started.computeIfAbsent(m.memberId(), k -> nowMs);
            if (nowMs - start >= thresholdMs) {
                reports.add("member " + m.clientId() + " (" + m.memberId() + ") reconciling for " + (nowMs - start) / 1000
                        + "s" + (behind ? ": epoch " + m.memberEpoch() + ", target " + targetEpoch : "")
                        + (m.reconciling() ? ", owns " + m.assignment().size() + " partitions of its target "
                        + m.targetAssignment().size() : ""));
            }
        }
        started.keySet().retainAll(seen);
        if (started.isEmpty()) {
            since.remove(group);
        }
        return reports;
    }
}
