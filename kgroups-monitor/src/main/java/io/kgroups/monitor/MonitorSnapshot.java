package io.kgroups.monitor;

import java.util.List;
import java.util.Optional;

/** Everything the monitor knows after a cycle; immutable, so readers never see half a cycle. */
public record MonitorSnapshot(long timeMs, List<GroupStatus> groups, long cycles, long failedCycles, long lastCycleMillis) {
    public MonitorSnapshot {
        groups = List.copyOf(groups);
    }

    public static MonitorSnapshot empty() {
        return new MonitorSnapshot(0, List.of(), 0, 0, 0);
    }

    public Optional<GroupStatus> group(String name) {
        return groups.stream().filter(g -> g.group().equals(name)).findFirst();
    }
}
