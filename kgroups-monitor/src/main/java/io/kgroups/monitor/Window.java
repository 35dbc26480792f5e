package io.kgroups.monitor;

/**
 * The samples of one group-partition, oldest first, in primitive arrays: sample i was taken at
 * {@code times[i]} (epoch ms) and saw {@code committed[i]} (-1 when the group had no committed
 * offset) and {@code logEnd[i]}.
 *
 * @param lastMovedMs when the committed offset last changed, as far as the monitor knows (it may
 *     be before the first sample); -1 when never seen to move
 */
public record Window(long[] times, long[] committed, long[] logEnd, long lastMovedMs) {
    public Window {
        if (times.length != committed.length || times.length != logEnd.length) {
            throw new IllegalArgumentException("window arrays differ in length");
        }
    }

    public int size() {
        return times.length;
    }

    /** Lag of sample i: log-end minus committed (0 when nothing is committed: see the sampler). */
    public long lag(int i) {
        return committed[i] < 0 ? 0 : Math.max(0, logEnd[i] - committed[i]);
    }
}
