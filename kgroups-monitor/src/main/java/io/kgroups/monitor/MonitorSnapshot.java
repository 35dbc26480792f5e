package io.kgroups.monitor;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the monitor knows after a cycle; immutable, so readers never see half a cycle.
 *
 * @param timeMs when the last cycle that read the cluster ran (epoch ms, the server's clock): the
 *     figures are that old, or older where a group or partition says so
 * @param skipped groups left out, with why: classic groups of other protocols (Kafka Connect ...), which have no consumer offsets
 * @param consecutiveFailures cycles in a row that could not read the cluster at all (0: the last one could)
 * @param lastError why the last cycle failed, in words; null when it did not
 */
public record MonitorSnapshot(long timeMs, List<GroupStatus> groups, Map<String, String> skipped, long cycles,
        long failedCycles, int consecutiveFailures, String lastError, long lastCycleMillis) {
    public MonitorSnapshot {
        groups = List.copyOf(groups);
        skipped = Map.copyOf(skipped);
    }

    public static MonitorSnapshot empty() {
        return new MonitorSnapshot(0, List.of(), Map.of(), 0, 0, 0, null, 0);
    }

    public Optional<GroupStatus> group(String name) {
        return groups.stream().filter(g -> g.group().equals(name)).findFirst();
    }
}
