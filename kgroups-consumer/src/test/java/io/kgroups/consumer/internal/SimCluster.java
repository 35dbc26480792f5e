package io.kgroups.consumer.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The simulated cluster: one topic's partition logs, the group coordinator's committed offsets,
 * and the ledger of what became of every record (handled, dead-lettered, failed), which the
 * invariants are checked against. A record is named by its offset and the leader epoch it was
 * written in: after a truncation the same offset holds another record.
 */
final class SimCluster {
    static final String TOPIC = "sim";

    /** One offset of a log: a record, or a control record (a transaction marker). */
    static final class Entry {
        final long id;
        final int partition;
        final long offset;
        final int epoch;
        final boolean control;
        final String key;
        final boolean poison;
        boolean handled;
        boolean deadLettered;
        /** Passed over by a decision outside the consumer (an admin reset forward). */
        boolean skippedByAdmin;
        int failedCalls;

        Entry(long id, int partition, long offset, int epoch, boolean control, String key, boolean poison) {
            this.id = id;
            this.partition = partition;
            this.offset = offset;
            this.epoch = epoch;
            this.control = control;
            this.key = key;
            this.poison = poison;
        }

        @Override
        public String toString() {
            return TOPIC + "-" + partition + "@" + offset + "(e" + epoch + (control ? ",marker" : "") + ")";
        }
    }

    final int partitions;
    final List<TopicPartition> topicPartitions = new ArrayList<>();
    private final List<List<Entry>> logs = new ArrayList<>();
    private final long[] logEnd;
    private final int[] epoch;
    final int[] truncations;
    /** Per partition, the leader's epoch cache: {epoch, the offset it started writing at}, in order. */
    private final List<List<long[]>> epochStarts = new ArrayList<>();
    /** Every entry ever written, by id: a record fetched and then compacted or truncated away is still accounted. */
    private final Map<Long, Entry> byId = new HashMap<>();
    private long nextId;
    final Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
    /** The brokers' offset.metadata.max.bytes. */
    int metadataLimit = 4096;

    SimCluster(int partitions) {
        this.partitions = partitions;
        this.logEnd = new long[partitions];
        this.epoch = new int[partitions];
        this.truncations = new int[partitions];
        for (int p = 0; p < partitions; p++) {
            topicPartitions.add(new TopicPartition(TOPIC, p));
            logs.add(new ArrayList<>());
            epochStarts.add(new ArrayList<>(List.of(new long[] {0, 0})));
        }
    }

    List<Entry> log(int partition) {
        return logs.get(partition);
    }

    long logEnd(int partition) {
        return logEnd[partition];
    }

    long logStart(int partition) {
        List<Entry> log = logs.get(partition);
        return log.isEmpty() ? logEnd[partition] : log.get(0).offset;
    }

    int epoch(int partition) {
        return epoch[partition];
    }

    void append(int partition, String key, boolean poison) {
        add(new Entry(nextId++, partition, logEnd[partition]++, epoch[partition], false, key, poison));
    }

    /** A transaction marker (commit or abort): an offset no consumer is given. */
    void appendMarker(int partition) {
        add(new Entry(nextId++, partition, logEnd[partition]++, epoch[partition], true, null, false));
    }

    private void add(Entry entry) {
        logs.get(entry.partition).add(entry);
        byId.put(entry.id, entry);
    }

    Entry byId(long id) {
        return byId.get(id);
    }

    /**
     * Kafka's OffsetsForLeaderEpoch: where the log of leader epoch {@code e} (or the largest one
     * below it still known) ends now; the log end for the current epoch.
     */
    long epochEnd(int partition, int e) {
        List<long[]> cache = epochStarts.get(partition);
        for (int i = cache.size() - 1; i >= 0; i--) {
            if (cache.get(i)[0] <= e) {
                return i + 1 < cache.size() ? cache.get(i + 1)[1] : logEnd[partition];
            }
        }
        return cache.get(0)[1];
    }

    /** Offsets of an aborted transaction's records: never shown under read_committed, a gap. */
    void appendAborted(int partition, int records) {
        logEnd[partition] += records;
    }

    /** Compaction: an older record of a key that has a newer one goes. */
    void compact(int partition, java.util.Random random) {
        List<Entry> log = logs.get(partition);
        if (log.size() < 3) {
            return;
        }
        int i = random.nextInt(log.size() - 1);
        Entry entry = log.get(i);
        if (entry.control || entry.key == null) {
            return;
        }
        for (int j = i + 1; j < log.size(); j++) {
            if (entry.key.equals(log.get(j).key)) {
                log.remove(i);
                return;
            }
        }
    }

    /** An unclean leader election: everything from {@code from} on is gone, a new leader epoch writes on. */
    void truncate(int partition, long from) {
        logs.get(partition).removeIf(e -> e.offset >= from);
        logEnd[partition] = from;
        epoch[partition]++;
        truncations[partition]++;
        List<long[]> cache = epochStarts.get(partition);
        cache.removeIf(entry -> entry[1] >= from && entry != cache.get(0));
        cache.add(new long[] {epoch[partition], from});
    }

    /**
     * Where a consumer of the group starts in {@code partition}: the committed offset, after Kafka's
     * check of its leader epoch (an offset past where that epoch ended, after a truncation, goes
     * back to that end), clamped to the log; the log start when nothing is committed (earliest).
     */
    long startFor(int partition) {
        OffsetAndMetadata offset = committed.get(topicPartitions.get(partition));
        if (offset == null) {
            return logStart(partition);
        }
        long start = offset.offset();
        if (offset.leaderEpoch().isPresent()) {
            start = Math.min(start, epochEnd(partition, offset.leaderEpoch().get()));
        }
        start = Math.min(start, logEnd(partition));
        return Math.max(start, logStart(partition)); // below the log start: out of range, reset to the earliest
    }

    Entry entry(int partition, long offset) {
        List<Entry> log = logs.get(partition);
        int low = 0;
        int high = log.size() - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            long value = log.get(mid).offset;
            if (value < offset) {
                low = mid + 1;
            } else if (value > offset) {
                high = mid - 1;
            } else {
                return log.get(mid);
            }
        }
        return null;
    }

    /** The record at {@code offset} if it is the one written in {@code epoch}, else null. */
    Entry record(int partition, long offset, int epoch) {
        Entry entry = entry(partition, offset);
        return entry != null && !entry.control && entry.epoch == epoch ? entry : null;
    }

    /** The first entry at or after {@code offset}, or null. */
    Entry atOrAfter(int partition, long offset) {
        List<Entry> log = logs.get(partition);
        int low = 0;
        int high = log.size();
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (log.get(mid).offset < offset) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low < log.size() ? log.get(low) : null;
    }
}
