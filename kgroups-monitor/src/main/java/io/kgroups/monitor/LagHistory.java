package io.kgroups.monitor;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * The {@link Window} of every group-partition: its last {@code commits} commits plus the newest
 * sample, in four rings of longs (about 450 bytes per partition with the default 10, whatever
 * the number of cycles and however rarely the group commits). Keeping commits rather than
 * samples is Burrow's window: a consumer that commits once a minute, sampled every 5 s, is
 * judged over its last N commits, not over the last N samples between two of them. Groups and
 * partitions not sampled for {@code graceMs} are dropped. Used by one sampler thread at a time;
 * readers get copies.
 */
public final class LagHistory {
    private final int commits;
    private final long graceMs;
    private final Map<String, Map<TopicPartition, Series>> groups = new HashMap<>();

    public LagHistory(int commits, long graceMs) {
        if (commits < 1) {
            throw new IllegalArgumentException("window must hold at least 1 commit, was " + commits);
        }
        this.commits = commits;
        this.graceMs = graceMs;
    }

    /**
     * One sample; {@code committed} is -1 when the group has no committed offset, {@code lag} the
     * lag in records (see {@link Window}).
     */
    public synchronized void record(String group, TopicPartition tp, long timeMs, long committed, long logEnd, long lag) {
        groups.computeIfAbsent(group, g -> new HashMap<>())
                .computeIfAbsent(tp, k -> new Series(commits))
                .add(timeMs, committed, logEnd, lag);
    }

    /** The window of a group-partition, oldest first; empty when never sampled. */
    public synchronized Window window(String group, TopicPartition tp) {
        Map<TopicPartition, Series> partitions = groups.get(group);
        Series series = partitions == null ? null : partitions.get(tp);
        return series == null ? Window.empty() : series.window();
    }

    /** Forgets groups and partitions that were not sampled since {@code nowMs - grace}. */
    public synchronized void dropStale(long nowMs) {
        groups.values().forEach(partitions -> partitions.values().removeIf(s -> nowMs - s.lastSampleMs() > graceMs));
        groups.values().removeIf(Map::isEmpty);
    }

    public synchronized int groupCount() {
        return groups.size();
    }

    public synchronized int partitionCount() {
        return groups.values().stream().mapToInt(Map::size).sum();
    }

    /** One group-partition's ring: up to {@code commits} commit points, then the newest sample if it is not one. */
    private static final class Series {
        private final int commits;
        private final long[] times;
        private final long[] committed;
        private final long[] logEnd;
        private final long[] lag;
        private int head;
        private int size;
        /** Whether the last entry is a commit point (else it is the newest sample, overwritten by the next). */
        private boolean newestIsCommit;
        private boolean oldestIsCommit;

        Series(int commits) {
            this.commits = commits;
            times = new long[commits + 1];
            committed = new long[commits + 1];
            logEnd = new long[commits + 1];
            lag = new long[commits + 1];
        }

        void add(long time, long committedOffset, long logEndOffset, long lagRecords) {
            boolean moved = size > 0 && committed[index(size - 1)] != committedOffset;
            if (size > 0 && !newestIsCommit) {
                size--; // the previous newest sample gives way: it was not a commit
            }
            int i = index(size);
            size++;
            times[i] = time;
            committed[i] = committedOffset;
            logEnd[i] = logEndOffset;
            lag[i] = lagRecords;
            newestIsCommit = size == 1 || moved;
            int points = newestIsCommit ? size : size - 1;
            if (points > commits) {
                head = (head + 1) % times.length;
                size--;
                oldestIsCommit = true; // every commit point after the first sample is a commit seen happening
            }
        }

        long lastSampleMs() {
            return times[index(size - 1)];
        }

        Window window() {
            long[] t = new long[size];
            long[] c = new long[size];
            long[] e = new long[size];
            long[] l = new long[size];
            for (int p = 0; p < size; p++) {
                t[p] = times[index(p)];
                c[p] = committed[index(p)];
                e[p] = logEnd[index(p)];
                l[p] = lag[index(p)];
            }
            return new Window(t, c, e, l, oldestIsCommit);
        }

        private int index(int position) {
            return (head + position) % times.length;
        }
    }
}
