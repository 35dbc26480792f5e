package io.kgroups.monitor;

import io.kgroups.admin.FirstRecords;
import io.kgroups.admin.GroupAdmin;
import io.kgroups.admin.GroupDetail;
import io.kgroups.admin.OffsetReadings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * The monitor's reads of the cluster, one cycle at a time: the batched offsets read of every
 * group (failures kept per group and partition), the log reads behind exact time lags and behind
 * "only control records are left", and topic retention. What a log read found never changes for
 * the same offset (a record's timestamp; no record up to the same log end), so it is remembered
 * while a group stands there, and each cycle reads at most {@code maxLogReads} new places, the
 * most lagging first: a cluster of stuck groups costs one read per place, not one per cycle.
 */
final class Sampler {
    /** Offset lags up to this are read to tell transaction markers from records. */
    static final long PHANTOM_LAG_CHECK = 10;
    /** Retention is read again after this long: a changed retention.ms shows within it. */
    static final long RETENTION_REFRESH_MS = 10 * 60_000L;

    private final GroupAdmin admin;
    private final Predicate<String> include;
    private final int maxLogReads;
    private final Duration logReadWait;
    /** tp → first unconsumed offset → its record's timestamp. */
    private final Map<TopicPartition, Map<Long, Long>> timestamps = new HashMap<>();
    /** tp → first unconsumed offset → the log end up to which it holds no record. */
    private final Map<TopicPartition, Map<Long, Long>> noRecordUpTo = new HashMap<>();
    private final Map<String, Long> retentionMs = new HashMap<>();
    /** Topics Kafka refused to fetch from (no READ), and when: not read again before RETENTION_REFRESH_MS. */
    private final Map<String, Long> deniedAtMs = new HashMap<>();
    private long retentionReadAtMs = -RETENTION_REFRESH_MS; // due at the first cycle, whatever the clock

    Sampler(GroupAdmin admin, Predicate<String> include, int maxLogReads, Duration logReadWait) {
        this.admin = admin;
        this.include = include;
        this.maxLogReads = maxLogReads;
        this.logReadWait = logReadWait;
    }

    /** One cycle's view of the groups; throws a one-line GroupAdminException when the cluster cannot be read at all. */
    List<GroupDetail> sample(long nowMs) {
        OffsetReadings readings = admin.readOffsets(include, IsolationLevel.READ_UNCOMMITTED);
        Map<TopicPartition, SortedSet<Long>> places = readings.firstUnconsumed();
        forgetAllBut(places);
        deniedAtMs.values().removeIf(at -> nowMs - at >= RETENTION_REFRESH_MS);
        readLogs(readings, places, nowMs);
        refreshRetention(readings, nowMs);
        return readings.details(known(places, readings), retentionMs, nowMs);
    }

    /** Of these topics, those the principal may not describe, with why (see {@link GroupAdmin#hiddenTopics}). */
    Map<String, String> hiddenTopics(Set<String> topics) {
        return admin.hiddenTopics(topics);
    }

    /** retention.ms of the topics sampled (read every {@link #RETENTION_REFRESH_MS}). */
    Map<String, Long> retentionMs() {
        return retentionMs;
    }

    private void readLogs(OffsetReadings readings, Map<TopicPartition, SortedSet<Long>> places, long nowMs) {
        record Place(TopicPartition tp, long offset, long offsetLag) {
        }
        List<Place> unknown = new ArrayList<>();
        places.forEach((tp, offsets) -> {
            if (deniedAtMs.containsKey(tp.topic())) {
                return; // asked again only when the refusal is old: a missing ACL costs one fetch per topic, not one per cycle
            }
            long end = readings.logEnd().get(tp);
            for (long offset : offsets) {
                boolean timed = timestamps.getOrDefault(tp, Map.of()).containsKey(offset);
                Long noRecord = noRecordUpTo.getOrDefault(tp, Map.of()).get(offset);
                if (!timed && !(noRecord != null && noRecord == end)) {
                    unknown.add(new Place(tp, offset, end - offset));
                }
            }
        });
        if (unknown.isEmpty()) {
            return;
        }
        // Phantom-lag checks first (a few offsets: cheap, and they decide a status), then the most lagging.
        unknown.sort(Comparator.comparing((Place p) -> p.offsetLag() > PHANTOM_LAG_CHECK)
                .thenComparing(Comparator.comparingLong(Place::offsetLag).reversed()));
        Map<TopicPartition, SortedSet<Long>> wanted = new HashMap<>();
        unknown.stream().limit(maxLogReads).forEach(p -> wanted.computeIfAbsent(p.tp(), k -> new TreeSet<>()).add(p.offset()));
        FirstRecords found;
        try {
            found = admin.firstRecords(wanted, readings.logEnd(), IsolationLevel.READ_UNCOMMITTED, logReadWait);
        } catch (RuntimeException e) {
            return; // interpolation still answers where it can; the reads are tried again next cycle
        }
        found.deniedTopics().forEach(topic -> deniedAtMs.put(topic, nowMs));
        wanted.forEach((tp, offsets) -> offsets.forEach(offset -> {
            Long ts = found.timestamp(tp, offset);
            if (ts != null) {
                timestamps.computeIfAbsent(tp, k -> new HashMap<>()).put(offset, ts);
            } else if (found.noRecordBeforeEnd(tp, offset)) {
                noRecordUpTo.computeIfAbsent(tp, k -> new HashMap<>()).put(offset, readings.logEnd().get(tp));
            }
        }));
    }

    /** What is known of the places groups stand at now, as the assembly takes it. */
    private FirstRecords known(Map<TopicPartition, SortedSet<Long>> places, OffsetReadings readings) {
        Map<TopicPartition, Map<Long, Long>> ts = new HashMap<>();
        Map<TopicPartition, Set<Long>> none = new HashMap<>();
        places.forEach((tp, offsets) -> {
            long end = readings.logEnd().get(tp);
            for (long offset : offsets) {
                Long t = timestamps.getOrDefault(tp, Map.of()).get(offset);
                Long upTo = noRecordUpTo.getOrDefault(tp, Map.of()).get(offset);
                if (upTo != null && upTo == end) {
                    none.computeIfAbsent(tp, k -> new HashSet<>()).add(offset);
                } else if (t != null) {
                    ts.computeIfAbsent(tp, k -> new HashMap<>()).put(offset, t);
                }
            }
        });
        return new FirstRecords(ts, none, deniedAtMs.keySet());
    }

    /** Keeps the memory to the places groups stand at now. */
    private void forgetAllBut(Map<TopicPartition, SortedSet<Long>> places) {
        for (Map<TopicPartition, Map<Long, Long>> cache : List.of(timestamps, noRecordUpTo)) {
            cache.keySet().retainAll(places.keySet());
            cache.forEach((tp, byOffset) -> byOffset.keySet().retainAll(places.get(tp)));
            cache.values().removeIf(Map::isEmpty);
        }
    }

    private void refreshRetention(OffsetReadings readings, long nowMs) {
        Set<String> topics = new HashSet<>();
        readings.logEnd().keySet().forEach(tp -> topics.add(tp.topic()));
        boolean due = nowMs - retentionReadAtMs >= RETENTION_REFRESH_MS;
        List<String> wanted = topics.stream().filter(t -> due || !retentionMs.containsKey(t)).toList();
        if (wanted.isEmpty()) {
            return;
        }
        try {
            Map<String, Long> found = admin.retentionMs(wanted);
            wanted.forEach(t -> retentionMs.put(t, found.getOrDefault(t, -1L))); // -1: compacted, no time limit
            retentionMs.keySet().retainAll(topics);
            if (due) {
                retentionReadAtMs = nowMs;
            }
        } catch (RuntimeException e) {
            // retention risk is estimated again next cycle
        }
    }
}
