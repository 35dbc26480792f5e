package io.kgroups.monitor;

/**
 * The status of one group-partition, as a pure function of its window of samples, in the order
 * LinkedIn's Burrow evaluates: not enough samples, lag within what is allowed, stopped, rewind,
 * caught up at some point, stalled, lag never shrinking. Retention risk, which Burrow does not
 * know, comes first: records deleted unread, or about to be, matter more than anything else.
 */
public final class Evaluator {
    /** The thresholds the rules use. */
    public record Rules(int minSamples, long allowedLag, long retentionRiskSeconds) {
        public static Rules defaults(int windowSize) {
            return new Rules(windowSize, 0, 3_600);
        }
    }

    /** A partition's status and why, in words. */
    public record Verdict(Status status, String reason) {
    }

    private Evaluator() {
    }

    /**
     * @param deletedUnread records retention deleted before the group read them (0 if none)
     * @param retentionSecondsLeft time before retention deletes the first unread record, or null
     *     when unknown or not applicable
     */
    public static Verdict evaluate(Window w, long nowMs, long deletedUnread, Double retentionSecondsLeft, Rules rules) {
        if (deletedUnread > 0) {
            return new Verdict(Status.AT_RISK, deletedUnread + " records were deleted by retention before the group read them");
        }
        if (retentionSecondsLeft != null && retentionSecondsLeft < rules.retentionRiskSeconds() && w.size() > 0
                && w.lag(w.size() - 1) > 0) {
            return new Verdict(Status.AT_RISK, "retention deletes unread records in "
                    + Math.max(0, Math.round(retentionSecondsLeft)) + "s");
        }
        int n = w.size();
        if (n == 0 || n < rules.minSamples()) {
            return new Verdict(Status.OK, "window not full yet (" + n + " of " + rules.minSamples() + " samples)");
        }
        int last = n - 1;
        long lag = w.lag(last);
        if (lag <= rules.allowedLag()) {
            return new Verdict(Status.OK, lag == 0 ? "caught up" : "lag " + lag + " within the allowed " + rules.allowedLag());
        }
        long span = w.times()[last] - w.times()[0];
        long sinceMoved = w.lastMovedMs() < 0 ? nowMs - w.times()[0] : nowMs - w.lastMovedMs();
        if (sinceMoved > span && w.logEnd()[last] > w.committed()[last]) {
            return new Verdict(Status.STOPPED, "no commit for " + sinceMoved / 1000 + "s, longer than the window ("
                    + span / 1000 + "s), while " + lag + " records wait");
        }
        long highest = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            highest = Math.max(highest, w.committed()[i]);
        }
        for (int i = 1; i < n; i++) {
            if (w.committed()[i] >= 0 && w.committed()[i] < w.committed()[i - 1] && w.committed()[last] < highest) {
                return new Verdict(Status.REWIND, "committed offset went back from " + highest + " to " + w.committed()[last]);
            }
        }
        for (int i = 0; i < n; i++) {
            if (w.lag(i) == 0) {
                return new Verdict(Status.OK, "lag was zero within the window");
            }
        }
        if (w.committed()[0] == w.committed()[last] && allEqual(w.committed())) {
            return new Verdict(Status.STALLED, "committed offset stuck at " + w.committed()[last] + " with lag " + lag);
        }
        boolean neverDecreased = true;
        for (int i = 1; i < n; i++) {
            if (w.lag(i) < w.lag(i - 1)) {
                neverDecreased = false;
                break;
            }
        }
        if (neverDecreased) {
            return new Verdict(Status.WARNING, "lag grew from " + w.lag(0) + " to " + lag + " and never shrank");
        }
        return new Verdict(Status.OK, "lag " + lag + ", consumer making progress");
    }

    private static boolean allEqual(long[] values) {
        for (long v : values) {
            if (v != values[0]) {
                return false;
            }
        }
        return true;
    }
}
