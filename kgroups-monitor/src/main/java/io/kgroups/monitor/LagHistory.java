package io.kgroups.monitor;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * The last {@code windowSize} samples of every group-partition, each in three ring buffers of
 * longs (a few hundred bytes per partition, whatever the number of cycles). Groups and partitions
 * not sampled for {@code graceMs} are dropped. Used by one sampler thread at a time; readers get
 * copies.
 */
public final class LagHistory {
    private final int windowSize;
    private final long graceMs;
    private final Map<String, Map<TopicPartition, Series>> groups = new HashMap<>();

    public LagHistory(int windowSize, long graceMs) {
        if (windowSize < 1) {
            throw new IllegalArgumentException("window must hold at least 1 sample, was " + windowSize);
        }
        this.windowSize = windowSize;
        this.graceMs = graceMs;
    }

    /** One sample; {@code committed} is -1 when the group has no committed offset. */
    public synchronized void record(String group, TopicPartition tp, long timeMs, long committed, long logEnd) {
        groups.computeIfAbsent(group, g -> new HashMap<>())
                .computeIfAbsent(tp, k -> new Series(windowSize))
                .add(timeMs, committed, logEnd);
    }

    /** The window of a group-partition, oldest first; empty when never sampled. */
    public synchronized Window window(String group, TopicPartition tp) {
        Map<TopicPartition, Series> partitions = groups.get(group);
        Series series = partitions == null ? null : partitions.get(tp);
        return series == null ? new Window(new long[0], new long[0], new long[0], -1) : series.window();
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

    /** One group-partition's ring of samples. */
    private static final class Series {
        private final long[] times;
        private final long[] committed;
        private final long[] logEnd;
        private int head;
        private int size;
        private long lastMovedMs = -1;

        Series(int capacity) {
            times = new long[capacity];
            committed = new long[capacity];
            logEnd = new long[capacity];
        }

        void add(long time, long committedOffset, long logEndOffset) {
            if (size > 0 && committed[index(size - 1)] != committedOffset) {
                lastMovedMs = time;
            }
            int i;
            if (size < times.length) {
                i = index(size);
                size++;
            } else {
                i = head;
                head = (head + 1) % times.length;
            }
            times[i] = time;
            committed[i] = committedOffset;
            logEnd[i] = logEndOffset;
        }

        long lastSampleMs() {
            return times[index(size - 1)];
        }

        Window window() {
            long[] t = new long[size];
            long[] c = new long[size];
            long[] e = new long[size];
            for (int p = 0; p < size; p++) {
                t[p] = times[index(p)];
                c[p] = committed[index(p)];
                e[p] = logEnd[index(p)];
            }
            return new Window(t, c, e, lastMovedMs);
        }

        private int index(int position) {
            return (head + position) % times.length;
        }
    }
}
