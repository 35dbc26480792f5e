package io.kgroups.admin.internal;

import io.kgroups.admin.FirstRecords;
import io.kgroups.admin.GroupAdminException;
import io.kgroups.admin.OffsetReadings;
import io.kgroups.admin.ResetPlan;
import io.kgroups.admin.ResetTarget;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Computes a reset plan: for each partition in scope, the current committed offset and the
 * target, clamped to [log-start, log-end], with what it means in records and in time. Nothing is
 * changed here, and every input is checked before a plan is returned.
 */
public final class ResetPlanner {
    private final Admin admin;
    private final Calls calls;
    private final SpanReader spans;

    /**
     * Reads the first records at the offsets that bound each partition's time span (see
     * {@link FirstRecordReader#read(KafkaConsumer, Map, Map, Duration)}).
     */
    public interface SpanReader {
        FirstRecords read(Map<TopicPartition, SortedSet<Long>> wanted, Map<TopicPartition, Long> logEnd, Duration maxWait);
    }

    /** A planner whose every plan reads the time spans with a consumer of its own. */
    public ResetPlanner(Admin admin, Calls calls, Properties clientProperties) {
        this(admin, calls, (wanted, logEnd, maxWait) -> FirstRecordReader.read(clientProperties,
                IsolationLevel.READ_UNCOMMITTED, wanted, logEnd, maxWait));
    }

    public ResetPlanner(Admin admin, Calls calls, SpanReader spans) {
        this.admin = admin;
        this.calls = calls;
        this.spans = spans;
    }

    /**
     * A plan, and what it was made from.
     *
     * @param committed the group's committed offsets the plan starts from (what a backup holds)
     * @param members the group's members then, as client@host
     * @param store where the group's offsets are written
     */
    public record Planned(ResetPlan plan, Map<TopicPartition, OffsetAndMetadata> committed, List<String> members,
            OffsetStore store) {
    }

    /**
     * @param topics topic name to partitions (empty: all partitions); null: every topic the
     *     group has committed offsets for
     */
    public ResetPlan plan(String group, Map<String, Set<Integer>> topics, ResetTarget target) {
        return planned(group, topics, target).plan();
    }

    /** As {@link #plan}, with the offsets and members it was made from. */
    public Planned planned(String group, Map<String, Set<Integer>> topics, ResetTarget target) {
        OffsetReadings.Listed listed = new GroupReads(admin, calls).list().get(group);
        String fileType = target instanceof ResetTarget.FromOffsets file ? file.groupType() : null;
        OffsetStore store = OffsetStore.of(listed, fileType, admin, calls, "resets");
        if (fileType != null && !fileType.equals(store.type())) {
            throw new GroupAdminException("the offsets file holds a " + fileType + " group's offsets, and group '" + group
                    + "' is a " + store.type() + " group: restore it to a " + fileType + " group, or to a new group name; "
                    + "nothing was changed");
        }
        store.check(group, target);
        OffsetStore.Group description = store.describe(group); // null: a group that does not exist yet can be given offsets
        Map<TopicPartition, OffsetAndMetadata> committed = store.offsets(group);
        Map<TopicPartition, Long> undelivered = store.undelivered(group);
        SortedSet<TopicPartition> scope = scope(group, topics, committed.keySet(), target,
                description == null ? null : description.inputTopics());
        Map<TopicPartition, Long> logStart = offsets(scope, OffsetSpec.earliest());
        Map<TopicPartition, Long> logEnd = offsets(scope, OffsetSpec.latest());
        Map<TopicPartition, Long> requested = requested(scope, target, committed, logEnd);
        List<String> members = description == null ? List.of() : description.members().stream()
                .map(OffsetStore.Member::name).distinct().toList();

        List<String> warnings = new ArrayList<>();
        if (target instanceof ResetTarget.FromOffsets file) {
            warnings.addAll(file.skipped());
        }
        List<ResetPlan.Partition> partitions = new ArrayList<>();
        Map<TopicPartition, SortedSet<Long>> timestampsWanted = new HashMap<>();
        Map<TopicPartition, long[]> chosen = new HashMap<>();
        for (TopicPartition tp : scope) {
            OffsetAndMetadata current = committed.get(tp);
            if (requested.get(tp) == null) { // the committed offset is deleted
                chosen.put(tp, new long[] {current == null ? -1 : current.offset(), -1, 0});
                continue;
            }
            long want = requested.get(tp);
            long start = logStart.get(tp);
            long end = logEnd.get(tp);
            long clampedTarget = Math.max(start, Math.min(end, want));
            if (clampedTarget != want) {
                warnings.add(tp + ": target " + want + " is outside [" + start + ", " + end + "], using " + clampedTarget);
            }
            chosen.put(tp, new long[] {current == null ? -1 : current.offset(), clampedTarget, want == clampedTarget ? 0 : 1});
            if (current != null && current.offset() != clampedTarget) {
                SortedSet<Long> at = timestampsWanted.computeIfAbsent(tp, k -> new TreeSet<>());
                // the first record read again (or skipped), and the first one after that range
                long low = Math.max(start, Math.min(current.offset(), clampedTarget));
                long high = Math.max(current.offset(), clampedTarget);
                at.add(low);
                if (high < end) {
                    at.add(high);
                }
            }
        }
        Map<TopicPartition, Map<Long, Long>> timestamps = timestampsWanted.isEmpty() ? Map.of()
                : spans.read(timestampsWanted, logEnd, Duration.ofSeconds(3)).timestamps();
        long now = System.currentTimeMillis();
        for (TopicPartition tp : scope) {
            long[] c = chosen.get(tp);
            Long current = c[0] < 0 ? null : c[0];
            Long targetOffset = c[1] < 0 ? null : c[1];
            Long span = null;
            Long delta = current == null || targetOffset == null ? null : targetOffset - current;
            if (undelivered.containsKey(tp) && targetOffset != null) {
                // What a share group is given to read again (or skips) is the change in records left to deliver.
                delta = undelivered.get(tp) - (logEnd.get(tp) - targetOffset);
            } else if (current != null && targetOffset != null && current != c[1]) {
                long low = Math.max(logStart.get(tp), Math.min(current, c[1]));
                long high = Math.max(current, c[1]);
                Map<Long, Long> ts = timestamps.getOrDefault(tp, Map.of());
                Long from = ts.get(low);
                Long to = high < logEnd.get(tp) ? ts.get(high) : Long.valueOf(now);
                if (from != null && to != null) {
                    span = Math.max(0, to - from);
                }
            }
            partitions.add(new ResetPlan.Partition(tp.topic(), tp.partition(), current, targetOffset,
                    delta, c[2] == 1, span));
        }
        String state = description == null ? "Dead" : description.state();
        int memberCount = description == null ? 0 : description.members().size();
        return new Planned(new ResetPlan(group, store.type(), state, memberCount, partitions, warnings), committed, members,
                store);
    }

    /**
     * @param inputTopics of a streams group, the topics a reset may move (all of them, by default);
     *     null: any topic, and by default those with committed offsets
     */
    private SortedSet<TopicPartition> scope(String group, Map<String, Set<Integer>> topics, Set<TopicPartition> committed,
            ResetTarget target, Set<String> inputTopics) {
        SortedSet<TopicPartition> scope = new TreeSet<>(Comparator.comparing(TopicPartition::topic)
                .thenComparingInt(TopicPartition::partition));
        if (target instanceof ResetTarget.FromOffsets file && topics == null) {
            scope.addAll(file.partitions());
        } else if (topics == null && inputTopics != null) {
            if (inputTopics.isEmpty()) {
                throw new GroupAdminException("streams group '" + group + "' has no input topics in its topology (it has "
                        + "not run yet): name the topics with --topic");
            }
            Map<String, Set<Integer>> all = new HashMap<>();
            inputTopics.forEach(topic -> all.put(topic, Set.of()));
            return scope(group, all, committed, target, inputTopics);
        } else if (topics == null) {
            if (committed.isEmpty()) {
                throw new GroupAdminException("group '" + group + "' has no committed offsets, so --all-topics names "
                        + "nothing: name the topics with --topic");
            }
            scope.addAll(committed);
        } else {
            Map<String, TopicDescription> described = calls.await(admin.describeTopics(topics.keySet()).allTopicNames(),
                    "describe topics " + topics.keySet());
            for (Map.Entry<String, Set<Integer>> topic : topics.entrySet()) {
                int count = described.get(topic.getKey()).partitions().size();
                Collection<Integer> wanted = topic.getValue().isEmpty()
                        ? java.util.stream.IntStream.range(0, count).boxed().toList() : topic.getValue();
                for (int p : wanted) {
                    if (p < 0 || p >= count) {
                        throw new GroupAdminException("topic " + topic.getKey() + " has partitions 0 to " + (count - 1)
                                + ", not " + p);
                    }
                    scope.add(new TopicPartition(topic.getKey(), p));
                }
            }
        }
        if (inputTopics != null) {
            for (TopicPartition tp : scope) {
                if (!inputTopics.contains(tp.topic())) {
                    throw new GroupAdminException("topic '" + tp.topic() + "' is not an input topic of streams group '" + group
                            + "' (its input topics: " + String.join(", ", inputTopics) + "): a reset moves input topics "
                            + "only, as the app's own repartition topics must move with what it wrote to them; "
                            + "nothing was changed");
                }
            }
        }
        if (target instanceof ResetTarget.FromOffsets file) {
            Set<TopicPartition> missing = new HashSet<>(scope);
            missing.removeAll(file.partitions());
            if (!missing.isEmpty()) {
                throw new GroupAdminException("the offsets file has no offset for " + missing
                        + ": add them, or limit the reset with --topic");
            }
        }
        return scope;
    }

    private Map<TopicPartition, Long> requested(Set<TopicPartition> scope, ResetTarget target,
            Map<TopicPartition, OffsetAndMetadata> committed, Map<TopicPartition, Long> logEnd) {
        Map<TopicPartition, Long> requested = new HashMap<>();
        if (target instanceof ResetTarget.Earliest) {
            requested.putAll(offsets(scope, OffsetSpec.earliest()));
        } else if (target instanceof ResetTarget.Latest) {
            scope.forEach(tp -> requested.put(tp, logEnd.get(tp)));
        } else if (target instanceof ResetTarget.Current) {
            scope.forEach(tp -> requested.put(tp, committed.containsKey(tp) ? committed.get(tp).offset() : logEnd.get(tp)));
        } else if (target instanceof ResetTarget.ToOffset o) {
            scope.forEach(tp -> requested.put(tp, o.offset()));
        } else if (target instanceof ResetTarget.ShiftBy s) {
            for (TopicPartition tp : scope) {
                OffsetAndMetadata current = committed.get(tp);
                if (current == null) {
                    throw new GroupAdminException("cannot shift " + tp + ": the group has no committed offset there; "
                            + "use --to-earliest, --to-latest or --to-offset for it");
                }
                requested.put(tp, current.offset() + s.shift());
            }
        } else if (target instanceof ResetTarget.ToDatetime d) {
            requested.putAll(byTime(scope, d.time(), logEnd));
        } else if (target instanceof ResetTarget.ByDuration d) {
            requested.putAll(byTime(scope, Instant.now().minus(d.age()), logEnd));
        } else if (target instanceof ResetTarget.FromOffsets f) {
            // a partition the file names without an offset gets none: it is deleted
            scope.forEach(tp -> requested.put(tp, f.offsets().containsKey(tp) ? f.offsets().get(tp).offset() : null));
        }
        return requested;
    }

    private Map<TopicPartition, Long> byTime(Set<TopicPartition> scope, Instant time, Map<TopicPartition, Long> logEnd) {
        Map<TopicPartition, Long> found = offsets(scope, OffsetSpec.forTimestamp(time.toEpochMilli()));
        Map<TopicPartition, Long> result = new HashMap<>();
        // No record at or after the time: the log end, as Kafka's tool does.
        scope.forEach(tp -> result.put(tp, found.getOrDefault(tp, -1L) < 0 ? logEnd.get(tp) : found.get(tp)));
        return result;
    }

    private Map<TopicPartition, Long> offsets(Set<TopicPartition> partitions, OffsetSpec spec) {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> answer =
                calls.await(admin.listOffsets(request).all(), "read offsets of " + partitions.size() + " partitions");
        Map<TopicPartition, Long> result = new HashMap<>();
        answer.forEach((tp, info) -> result.put(tp, info.offset()));
        return result;
    }
}
