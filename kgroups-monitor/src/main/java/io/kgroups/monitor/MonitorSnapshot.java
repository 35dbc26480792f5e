package io.kgroups.monitor;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the monitor knows after a cycle; immutable, so readers never see half a cycle.
 * A class rather than a record for its index of groups by name: a group's page is found at once
 * among 10,000.
 */
public final class MonitorSnapshot {
    private final long timeMs;
    private final List<GroupStatus> groups;
    private final Map<String, GroupStatus> byName;
    private final Map<String, String> skipped;
    private final long cycles;
    private final long failedCycles;
    private final int consecutiveFailures;
    private final String lastError;
    private final long lastCycleMillis;

    /**
     * @param timeMs when the last cycle that read the cluster ran (epoch ms, the server's clock): the
     *     figures are that old, or older where a group or partition says so
     * @param skipped groups left out, with why: classic groups of other protocols (Kafka Connect ...), which have no consumer offsets
     * @param consecutiveFailures cycles in a row that could not read the cluster at all (0: the last one could)
     * @param lastError why the last cycle failed, in words; null when it did not
     */
    public MonitorSnapshot(long timeMs, List<GroupStatus> groups, Map<String, String> skipped, long cycles,
            long failedCycles, int consecutiveFailures, String lastError, long lastCycleMillis) {
        this.timeMs = timeMs;
        this.groups = List.copyOf(groups);
        this.skipped = Map.copyOf(skipped);
        this.cycles = cycles;
        this.failedCycles = failedCycles;
        this.consecutiveFailures = consecutiveFailures;
        this.lastError = lastError;
        this.lastCycleMillis = lastCycleMillis;
        Map<String, GroupStatus> index = new HashMap<>(this.groups.size() * 4 / 3 + 1);
        for (GroupStatus g : this.groups) {
            index.putIfAbsent(g.group(), g);
        }
        this.byName = index;
    }

    public static MonitorSnapshot empty() {
        return new MonitorSnapshot(0, List.of(), Map.of(), 0, 0, 0, null, 0);
    }

    public Optional<GroupStatus> group(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public long timeMs() {
        return timeMs;
    }

    public List<GroupStatus> groups() {
        return groups;
    }

    public Map<String, String> skipped() {
        return skipped;
    }

    public long cycles() {
        return cycles;
    }

    public long failedCycles() {
        return failedCycles;
    }

    public int consecutiveFailures() {
        return consecutiveFailures;
    }

    public String lastError() {
        return lastError;
    }

    public long lastCycleMillis() {
        return lastCycleMillis;
    }
}
