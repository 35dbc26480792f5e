package io.kgroups.monitor;

/**
 * The status of one group-partition, as a pure function of what is known about it, in the order
 * LinkedIn's Burrow evaluates, over a window of the last N commits (see {@link Window}): lag
 * within what is allowed, rewind, no progress for longer than the window spans, lag zero at some
 * point, not enough commits yet, lag growing at every commit. Retention risk, which Burrow does not know,
 * comes first: records deleted unread, or about to be, matter more than anything else.
 *
 * <p>A share group commits nothing, and its members acknowledge records out of order: a start
 * offset (the lowest offset not yet delivery-complete) held by one record in flight, locked by a
 * slow member or released and delivered again, says nothing of the records past it. Its progress
 * is the start offset plus the records delivery-complete past it, which is log-end minus the
 * broker's lag (see {@link Window}): it moves whenever a record is acknowledged, rejected or
 * archived, holds while records only arrive, and goes back only when the offsets are reset. Over
 * it the same rules apply: lag (the broker's) within the allowed is OK; no record delivered for
 * longer than the window, while records wait, is STALLED (a member holds the partition) or
 * STOPPED; a start offset that holds while the lag falls is progress; a reset back is REWIND.
 *
 * <p>Each status is a fact about the group, not about how long the monitor has watched: a
 * committed offset the monitor has not seen move, while its first unconsumed record is 27
 * minutes old, has not moved for 27 minutes, in a monitor started a minute ago as in one that saw
 * the last commit. What the evidence cannot decide is UNKNOWN.
 */
public final class Evaluator {
    /**
     * The thresholds the rules use.
     *
     * @param commits commits per window: the evaluator judges a trend once it has seen this many
     * @param allowedLag lag in records at or below which a partition is OK whatever the trend
     * @param stoppedAfterMs until the monitor has seen a partition commit twice (so knows its
     *     commit interval), no progress for longer than this is STALLED or STOPPED
     */
    public record Rules(int commits, long allowedLag, long retentionRiskSeconds, long stoppedAfterMs) {
        public Rules {
            if (commits < 2) {
                throw new IllegalArgumentException("window must hold at least 2 commits, was " + commits);
            }
            if (allowedLag < 0) {
                throw new IllegalArgumentException("allowed lag must be 0 or more records, was " + allowedLag);
            }
        }

        public static Rules defaults() {
            return new Rules(10, 0, 3_600, 15 * 60_000L);
        }
    }

    /**
     * What is known of one group-partition.
     *
     * @param timeLagSeconds age of the first unconsumed record, measured by the sampler; null
     *     when unknown
     * @param assigned whether a member of the group holds the partition
     * @param deletedUnread records retention deleted before the group read them (0 if none)
     * @param retentionSecondsLeft time before retention deletes the first unread record, or null
     *     when unknown or not applicable
     * @param failure why the newest sample of the partition failed, in words; null when it did not
     * @param share whether it is a share group's: the window's committed offsets are log-end minus
     *     the broker's lag (-1: no start offset yet), its lag the broker's
     */
    public record Partition(Window window, Double timeLagSeconds, boolean assigned, long deletedUnread,
            Double retentionSecondsLeft, String failure, boolean share) {
    }

    /** A partition's status and why, in words. */
    public record Verdict(Status status, String reason) {
    }

    private Evaluator() {
    }

    public static Verdict evaluate(Partition p, long nowMs, Rules rules) {
        Window w = p.window();
        int n = w.size();
        int last = w.newest();
        if (p.failure() != null) {
            return new Verdict(Status.UNKNOWN, "sample failed: " + p.failure());
        }
        if (p.deletedUnread() > 0) {
            return new Verdict(Status.AT_RISK, p.deletedUnread() + " records were deleted by retention before the group read them");
        }
        if (p.retentionSecondsLeft() != null && p.retentionSecondsLeft() < rules.retentionRiskSeconds() && n > 0
                && w.lag()[last] > 0) {
            return new Verdict(Status.AT_RISK, "retention deletes unread records in "
                    + Math.max(0, Math.round(p.retentionSecondsLeft())) + "s");
        }
        if (n == 0) {
            return new Verdict(Status.UNKNOWN, "not sampled yet");
        }
        long lag = w.lag()[last];
        if (w.committed()[last] < 0) {
            // Where the group reads from is unknown until it commits: auto.offset.reset may have put it at the end.
            String none = p.share() ? "no start offset yet" : "not committed yet";
            return lag <= rules.allowedLag()
                    ? new Verdict(Status.OK, none + ", " + lag + " records in the log")
                    : new Verdict(Status.UNKNOWN, none + " (" + lag + " records in the log)");
        }
        if (lag <= rules.allowedLag()) {
            return new Verdict(Status.OK, withinAllowed(p, lag, rules));
        }
        long highest = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            highest = Math.max(highest, w.committed()[i]);
        }
        for (int i = 1; i < n; i++) {
            if (w.committed()[i - 1] >= 0 && w.committed()[i] < w.committed()[i - 1] && w.committed()[last] < highest) {
                return new Verdict(Status.REWIND, p.share() ? "records delivered went back from " + highest + " to "
                        + w.committed()[last] + " (log-end minus the broker's lag): its start offset was reset"
                        : "committed offset went back from " + highest + " to " + w.committed()[last]);
            }
        }
        Verdict noProgress = noProgress(p, nowMs, lag, rules);
        if (noProgress != null) {
            return noProgress;
        }
        for (int i = 0; i < n; i++) {
            if (w.lag()[i] <= rules.allowedLag() && w.committed()[i] >= 0) {
                return new Verdict(Status.OK, rules.allowedLag() == 0 ? "lag was zero within the window"
                        : "lag was within the allowed " + rules.allowedLag() + " within the window");
            }
        }
        int points = w.commitPoints();
        String commits = p.share() ? "deliveries" : "commits";
        if (points < rules.commits()) {
            // One sample (`kgroups lag`, a monitor just started) cannot tell a group that stopped from one that
            // commits in a moment; only the age of its first unconsumed record could (above), and it was not enough.
            String oneSample = n == 1 ? "one sample: cannot tell yet, " : "";
            return new Verdict(Status.UNKNOWN, "lag " + lag + ", " + oneSample + "collecting " + commits + " (" + points
                    + " of " + rules.commits() + ")");
        }
        // Lag at the commits only: between two commits a slow committer's lag grows by design. As in Burrow, a
        // lag that holds steady is a consumer keeping pace, not falling behind.
        for (int i = 1; i < points; i++) {
            if (w.lag()[i] <= w.lag()[i - 1]) {
                return new Verdict(Status.OK, "lag " + lag + ", consumer keeping pace");
            }
        }
        return new Verdict(Status.WARNING, "lag grew at each of the last " + points + " " + commits + ", from " + w.lag()[0]
                + " to " + w.lag()[points - 1]);
    }

    private static String withinAllowed(Partition p, long lag, Rules rules) {
        Window w = p.window();
        int last = w.newest();
        String within = lag == 0 ? "caught up" : "lag " + lag + " within the allowed " + rules.allowedLag();
        if (p.share()) {
            // Log-end minus the start offset counts records acknowledged past it: it says nothing of markers.
            return within + (lag == 0 ? ": no record waits for delivery" : "");
        }
        long offsetLag = Math.max(0, w.logEnd()[last] - w.committed()[last]);
        String markers = offsetLag > lag ? " (" + (offsetLag - lag) + " offsets are transaction markers, not records)" : "";
        return within + markers;
    }

    /**
     * STALLED or STOPPED when the committed offset (a share group's delivered records) has not
     * moved for longer than the window spans: N commit intervals of this partition, or, before two
     * commits were seen, the rules' stopped after. Not seen to move, it has not moved for at least
     * as long as the monitor has watched, or as old as its first unconsumed record is.
     */
    private static Verdict noProgress(Partition p, long nowMs, long lag, Rules rules) {
        Window w = p.window();
        long interval = w.commitIntervalMs();
        long limit = interval > 0 ? (rules.commits() - 1) * interval : rules.stoppedAfterMs();
        long idle;
        String evidence;
        String noMove = p.share() ? "no record delivered (start offset held, lag not falling)" : "no commit";
        if (w.lastMovedMs() >= 0) {
            idle = nowMs - w.lastMovedMs();
            evidence = noMove + " for " + idle / 1000 + "s";
        } else {
            long watched = nowMs - w.times()[0];
            long behind = p.timeLagSeconds() == null ? -1 : Math.round(p.timeLagSeconds() * 1000);
            idle = Math.max(watched, behind);
            evidence = behind > watched ? (p.share() ? "the record at the start offset, not delivered yet, is "
                    : "committed offset not moved while its first unconsumed record is ") + behind / 1000 + "s old"
                    : (p.share() ? "no delivery seen in " : "no commit seen in ") + watched / 1000 + "s";
        }
        if (idle <= limit) {
            return null;
        }
        String window = interval > 0 ? "longer than the window (" + limit / 1000 + "s: " + (rules.commits() - 1)
                + (p.share() ? " intervals between deliveries" : " commit intervals") + " of "
                + interval / 1000 + "s)" : "longer than " + limit / 1000 + "s";
        return p.assigned()
                ? new Verdict(Status.STALLED, "a member holds it but " + evidence + ", " + window + ", with lag " + lag)
                : new Verdict(Status.STOPPED, evidence + ", " + window + ", while " + lag + " records wait");
    }
}
