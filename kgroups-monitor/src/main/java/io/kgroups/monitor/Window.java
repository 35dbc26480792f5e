package io.kgroups.monitor;

/**
 * What the monitor keeps of one group-partition, oldest first, in primitive arrays: the last N
 * commits (the first sample that saw each new committed offset) and, last, the newest sample
 * when the committed offset has not moved since. Sample i was taken at {@code times[i]} (epoch
 * ms) and saw {@code committed[i]} (-1: the group has no committed offset), {@code logEnd[i]}
 * and {@code lag[i]}, the lag in records (control records such as transaction markers left
 * out, so it may be below log-end minus committed; with nothing committed, the records in the
 * log). A share group commits nothing: its {@code committed[i]} is log-end minus the broker's
 * lag, the start offset plus the records delivery-complete past it (the offset the group would
 * stand at had its members acknowledged in order), which moves whenever a record is delivered;
 * -1 before it has a start offset.
 *
 * @param oldestIsCommit whether the oldest entry is a commit the monitor saw happen; false while
 *     it is the monitor's first sample of the partition (committed at some unknown time before)
 */
public record Window(long[] times, long[] committed, long[] logEnd, long[] lag, boolean oldestIsCommit) {
    private static final Window EMPTY = new Window(new long[0], new long[0], new long[0], new long[0], false);

    public Window {
        if (times.length != committed.length || times.length != logEnd.length || times.length != lag.length) {
            throw new IllegalArgumentException("window arrays differ in length");
        }
    }

    public static Window empty() {
        return EMPTY;
    }

    public int size() {
        return times.length;
    }

    public int newest() {
        return times.length - 1;
    }

    /** The entries that are commits (or the first sample): all but a newest sample that saw no new commit. */
    public int commitPoints() {
        int n = size();
        return n >= 2 && committed[n - 1] == committed[n - 2] ? n - 1 : n;
    }

    /** When the committed offset last moved, as the monitor saw it; -1 when it never saw it move. */
    public long lastMovedMs() {
        int last = commitPoints() - 1;
        return last > 0 || (last == 0 && oldestIsCommit) ? times[last] : -1;
    }

    /**
     * The mean time between the commits the monitor saw (to within one sampling interval); -1
     * with fewer than two seen.
     */
    public long commitIntervalMs() {
        int first = oldestIsCommit ? 0 : 1;
        int last = commitPoints() - 1;
        return last - first < 1 ? -1 : (times[last] - times[first]) / (last - first);
    }
}
