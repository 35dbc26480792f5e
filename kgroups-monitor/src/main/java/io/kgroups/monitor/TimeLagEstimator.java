package io.kgroups.monitor;

/**
 * Seconds behind, from a history of (time, log-end offset) samples: the time at which the log
 * end passed the committed offset, interpolated between the two samples around it. It never
 * extrapolates: a committed offset older than the history gives null, and the caller reads the
 * timestamp of the record itself instead. Nor does it interpolate between two samples more than
 * two sampling intervals apart: the window keeps commits, and between two commits far apart the
 * log end may have moved in bursts that a straight line would misdate.
 */
public final class TimeLagEstimator {
    private TimeLagEstimator() {
    }

    /**
     * @param times sample times (epoch ms), oldest first
     * @param logEnd log-end offsets at those times (never decreasing)
     * @param intervalMs the time between two samples of the monitor
     * @return seconds behind at {@code nowMs}; 0 when caught up; null when the committed offset is
     *     older than the history, or was passed between two samples too far apart
     */
    public static Double seconds(long[] times, long[] logEnd, long committed, long nowMs, long intervalMs) {
        int n = times.length;
        if (n == 0) {
            return null;
        }
        if (committed >= logEnd[n - 1]) {
            return 0.0;
        }
        // The first unconsumed record (offset = committed) was written when the log end went past it.
        long target = committed + 1;
        if (logEnd[0] >= target) {
            return null; // written before the first sample: not in the history
        }
        for (int i = 1; i < n; i++) {
            if (logEnd[i] >= target) {
                if (times[i] - times[i - 1] > 2 * intervalMs) {
                    return null;
                }
                double fraction = (double) (target - logEnd[i - 1]) / (logEnd[i] - logEnd[i - 1]);
                double writtenAt = times[i - 1] + fraction * (times[i] - times[i - 1]);
                return Math.max(0, (nowMs - writtenAt) / 1000.0);
            }
        }
        return null;
    }
}
