package io.kgroups.monitor;

import io.kgroups.admin.GroupAdmin;
import io.kgroups.admin.GroupDetail;
import io.kgroups.admin.PartitionDetail;
import io.kgroups.admin.ResetPlan;
import io.kgroups.admin.ResetTarget;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the consumer groups of a cluster: each interval it samples every matching group's
 * committed and log-end offsets (batched Admin calls), keeps a window of commits per partition,
 * evaluates a status per partition and group, and estimates time lag. A failed cycle is counted
 * and the next one runs as usual. Read the result with {@link #snapshot()}.
 */
public final class LagMonitor implements AutoCloseable {
    /**
     * Told when a group's status changes, on the sampler thread: a group first seen was UNKNOWN
     * before. A listener that throws is logged; the others and the sampler go on.
     */
    public interface StatusListener {
        void statusChanged(GroupStatus group, Status previous);
    }

    private static final Logger LOG = LoggerFactory.getLogger(LagMonitor.class);

    private final GroupAdmin admin;
    private final Duration interval;
    private final Evaluator.Rules rules;
    private final Pattern include;
    private final Pattern exclude;
    private final int exactTimeLagPartitions;
    private final LongSupplier clock;
    private final LagHistory history;
    private final ReconciliationWatch reconciliation;
    private final List<StatusListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, Status> lastStatus = new HashMap<>();
    private final Map<String, Long> retentionMs = new HashMap<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "kgroups-monitor-sampler");
        thread.setDaemon(true);
        return thread;
    });
    private volatile MonitorSnapshot snapshot = MonitorSnapshot.empty();
    private long cycles;
    private long failedCycles;
    private volatile RuntimeException lastFailure;

    private LagMonitor(Builder builder) {
        this.admin = builder.admin;
        this.interval = builder.interval;
        this.rules = new Evaluator.Rules(builder.window, builder.allowedLag, builder.retentionRisk.toSeconds(),
                builder.stoppedAfter.toMillis());
        this.include = builder.include;
        this.exclude = builder.exclude;
        this.exactTimeLagPartitions = builder.exactTimeLagPartitions;
        this.clock = builder.clock;
        // A group-partition not seen for three windows is gone.
        this.history = new LagHistory(builder.window, 3L * builder.window * builder.interval.toMillis());
        this.reconciliation = new ReconciliationWatch(builder.reconcileThreshold.toMillis());
    }

    public static Builder builder(GroupAdmin admin) {
        return new Builder(admin);
    }

    public void addListener(StatusListener listener) {
        listeners.add(listener);
    }

    /** Starts sampling every interval, on a thread of its own. */
    public LagMonitor start() {
        scheduler.scheduleWithFixedDelay(this::cycle, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Time between samples. */
    public Duration interval() {
        return interval;
    }

    /** The thresholds the evaluator uses: commits per window, allowed lag, retention risk, stopped after. */
    public Evaluator.Rules rules() {
        return rules;
    }

    public MonitorSnapshot snapshot() {
        return snapshot;
    }

    /** Why the last failed cycle failed (a one-line GroupAdminException, mostly); null if none failed. */
    public RuntimeException lastFailure() {
        return lastFailure;
    }

    /** The commits and newest sample kept for a group-partition, oldest first. */
    public Window window(String group, TopicPartition tp) {
        return history.window(group, tp);
    }

    /**
     * What {@code kgroups reset} would do, by the same planner (see {@link GroupAdmin#planReset}):
     * the dashboard's reset preview. Changes nothing.
     */
    public ResetPlan planReset(String group, Map<String, Set<Integer>> topics, ResetTarget target) {
        return admin.planReset(group, topics, target);
    }

    /** One sample-and-evaluate cycle (the sampler thread calls it; tests may too). */
    public synchronized void cycle() {
        long started = System.nanoTime();
        long now = clock.getAsLong();
        List<GroupDetail> groups;
        try {
            groups = admin.sample(name -> include.matcher(name).matches() && (exclude == null || !exclude.matcher(name).matches()));
        } catch (RuntimeException e) {
            lastFailure = e;
            failedCycles++;
            cycles++;
            MonitorSnapshot last = snapshot;
            snapshot = new MonitorSnapshot(last.timeMs(), last.groups(), cycles, failedCycles, millisSince(started));
            return;
        }
        for (GroupDetail group : groups) {
            for (PartitionDetail p : group.partitions()) {
                // Lag in records: equal to the offset lag until the sampler counts transaction markers apart.
                history.record(group.group(), new TopicPartition(p.topic(), p.partition()), now,
                        p.committedOffset() == null ? -1 : p.committedOffset(), p.logEndOffset(), p.lag());
            }
        }
        history.dropStale(now);
        refreshRetention(groups);
        Map<TopicPartition, Map<Long, Long>> exact = exactTimestamps(groups, now);

        List<GroupStatus> statuses = new ArrayList<>();
        for (GroupDetail group : groups) {
            statuses.add(evaluate(group, now, exact));
        }
        cycles++;
        snapshot = new MonitorSnapshot(now, statuses, cycles, failedCycles, millisSince(started));
        for (GroupStatus status : statuses) {
            Status previous = lastStatus.put(status.group(), status.status());
            Status before = previous == null ? Status.UNKNOWN : previous;
            if (before != status.status()) {
                tell(status, before);
            }
        }
        lastStatus.keySet().retainAll(statuses.stream().map(GroupStatus::group).toList());
    }

    private void tell(GroupStatus status, Status previous) {
        for (StatusListener listener : listeners) {
            try {
                listener.statusChanged(status, previous);
            } catch (RuntimeException e) {
                LOG.atWarn().setMessage("status_listener_failed").addKeyValue("listener", listener.getClass().getName())
                        .addKeyValue("group", status.group()).addKeyValue("error", e.toString()).log();
            }
        }
    }

    private GroupStatus evaluate(GroupDetail group, long now, Map<TopicPartition, Map<Long, Long>> exact) {
        Status worst = Status.OK;
        List<String> reasons = new ArrayList<>();
        List<PartitionStatus> partitions = new ArrayList<>();
        Double maxLagSeconds = null;
        for (PartitionDetail p : group.partitions()) {
            TopicPartition tp = new TopicPartition(p.topic(), p.partition());
            Window w = history.window(group.group(), tp);
            Double lagSeconds = lagSeconds(p, w, now, exact.getOrDefault(tp, Map.of()), interval.toMillis());
            long retention = retentionMs.getOrDefault(p.topic(), -1L);
            Double retentionLeft = retention <= 0 || lagSeconds == null || p.lag() == 0 ? null
                    : retention / 1000.0 - lagSeconds;
            Evaluator.Verdict verdict = Evaluator.evaluate(new Evaluator.Partition(w, lagSeconds, p.memberId() != null,
                    p.deletedUnread(), retentionLeft, null), now, rules);
            if (verdict.status() != Status.OK) { // UNKNOWN too: "not committed yet" is worth reading
                reasons.add(tp + " " + verdict.status() + ": " + verdict.reason());
            }
            worst = worst.worst(verdict.status());
            if (lagSeconds != null) {
                maxLagSeconds = maxLagSeconds == null ? lagSeconds : Math.max(maxLagSeconds, lagSeconds);
            }
            partitions.add(new PartitionStatus(p.topic(), p.partition(), p.committedOffset(), p.logEndOffset(), p.lag(),
                    lagSeconds, retentionLeft, verdict.status(), verdict.reason(), p.memberId()));
        }
        // Consumer-protocol members still moving partitions long after the target changed.
        List<String> stuck = reconciliation.stuck(group.group(), group.members(), group.targetAssignmentEpoch(), now);
        if (!stuck.isEmpty()) {
            worst = worst.worst(Status.WARNING);
            reasons.addAll(stuck);
        }
        List<GroupStatus.Member> members = group.members().stream().map(m -> new GroupStatus.Member(m.memberId(),
                m.groupInstanceId(), m.clientId(), m.host(), m.assignment().stream().collect(Collectors.groupingBy(
                        TopicPartition::topic, TreeMap::new, Collectors.mapping(TopicPartition::partition, Collectors.toList())))))
                .toList();
        return new GroupStatus(group.group(), group.state(), group.members().size(), worst, reasons, group.totalLag(),
                maxLagSeconds, partitions, members);
    }

    /** Interpolated on the history; where the committed offset is older than it, the exact read. */
    private static Double lagSeconds(PartitionDetail p, Window w, long now, Map<Long, Long> exact, long intervalMs) {
        if (p.committedOffset() == null) {
            return null;
        }
        if (p.lag() == 0) {
            return 0.0;
        }
        Long written = exact.get(Math.max(p.committedOffset(), p.logStartOffset()));
        if (written != null) {
            return Math.max(0, now - written) / 1000.0;
        }
        return TimeLagEstimator.seconds(w.times(), w.logEnd(), p.committedOffset(), now, intervalMs);
    }

    /**
     * Exact timestamps of the first unconsumed records where interpolation cannot answer (the
     * committed offset is older than the history) and for the most lagging partitions.
     */
    private Map<TopicPartition, Map<Long, Long>> exactTimestamps(List<GroupDetail> groups, long now) {
        record Candidate(TopicPartition tp, long offset, long lag) {
        }
        List<Candidate> candidates = new ArrayList<>();
        Map<TopicPartition, SortedSet<Long>> wanted = new HashMap<>();
        for (GroupDetail group : groups) {
            for (PartitionDetail p : group.partitions()) {
                if (p.committedOffset() == null || p.lag() == 0) {
                    continue;
                }
                TopicPartition tp = new TopicPartition(p.topic(), p.partition());
                long first = Math.max(p.committedOffset(), p.logStartOffset());
                Window w = history.window(group.group(), tp);
                if (TimeLagEstimator.seconds(w.times(), w.logEnd(), p.committedOffset(), now, interval.toMillis()) == null) {
                    wanted.computeIfAbsent(tp, k -> new TreeSet<>()).add(first);
                } else {
                    candidates.add(new Candidate(tp, first, p.lag()));
                }
            }
        }
        candidates.stream().sorted(Comparator.comparingLong(Candidate::lag).reversed()).limit(exactTimeLagPartitions)
                .forEach(c -> wanted.computeIfAbsent(c.tp(), k -> new TreeSet<>()).add(c.offset()));
        if (wanted.isEmpty()) {
            return Map.of();
        }
        try {
            return admin.recordTimestamps(wanted, Duration.ofMillis(Math.max(200, interval.toMillis() / 2)));
        } catch (RuntimeException e) {
            return Map.of(); // interpolation still answers where it can
        }
    }

    private void refreshRetention(List<GroupDetail> groups) {
        List<String> unknown = groups.stream().flatMap(g -> g.partitions().stream()).map(PartitionDetail::topic).distinct()
                .filter(t -> !retentionMs.containsKey(t)).toList();
        if (unknown.isEmpty()) {
            return;
        }
        try {
            Map<String, Long> found = admin.retentionMs(unknown);
            unknown.forEach(t -> retentionMs.put(t, found.getOrDefault(t, -1L))); // -1: compacted, no time limit
        } catch (RuntimeException e) {
            // retention risk is estimated again next cycle
        }
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    /** Settings of a monitor; all have defaults (the evaluator's from {@link Evaluator.Rules#defaults()}). */
    public static final class Builder {
        private static final Evaluator.Rules DEFAULTS = Evaluator.Rules.defaults();
        private final GroupAdmin admin;
        private Duration interval = Duration.ofSeconds(5);
        private int window = DEFAULTS.commits();
        private long allowedLag = DEFAULTS.allowedLag();
        private Duration stoppedAfter = Duration.ofMillis(DEFAULTS.stoppedAfterMs());
        private Duration retentionRisk = Duration.ofSeconds(DEFAULTS.retentionRiskSeconds());
        private Pattern include = Pattern.compile(".*");
        private Pattern exclude;
        private int exactTimeLagPartitions = 20;
        private Duration reconcileThreshold = Duration.ofMinutes(1);
        private LongSupplier clock = System::currentTimeMillis;

        private Builder(GroupAdmin admin) {
            this.admin = Objects.requireNonNull(admin, "admin");
        }

        /** Time between samples (default 5 s). */
        public Builder interval(Duration interval) {
            if (interval.isZero() || interval.isNegative()) {
                throw new IllegalArgumentException("interval must be positive, was " + interval);
            }
            this.interval = interval;
            return this;
        }

        /**
         * Commits per window (default 10): a partition's window is its last N commits plus the
         * newest sample, so it spans N commit intervals however often the group commits; the
         * evaluator judges a trend once it has seen N.
         */
        public Builder window(int commits) {
            if (commits < 2) {
                throw new IllegalArgumentException("window must hold at least 2 commits, was " + commits);
            }
            this.window = commits;
            return this;
        }

        /** Lag in records at or below this is OK whatever the trend (default 0). */
        public Builder allowedLag(long records) {
            if (records < 0) {
                throw new IllegalArgumentException("allowed lag must be 0 or more records, was " + records);
            }
            this.allowedLag = records;
            return this;
        }

        /**
         * Until the monitor has seen a partition commit twice (and so knows how often the group
         * commits), no progress for longer than this is STALLED or STOPPED (default 15 min: longer
         * than the commit interval of Connect sinks, 1 min, and of most Flink checkpoints).
         */
        public Builder stoppedAfter(Duration noProgress) {
            if (noProgress.isZero() || noProgress.isNegative()) {
                throw new IllegalArgumentException("stopped-after must be positive, was " + noProgress);
            }
            this.stoppedAfter = noProgress;
            return this;
        }

        /** AT_RISK when retention deletes unread records within this (default 1 h). */
        public Builder retentionRisk(Duration threshold) {
            this.retentionRisk = threshold;
            return this;
        }

        /** Only groups whose whole name matches (default: all). */
        public Builder include(Pattern groups) {
            this.include = groups;
            return this;
        }

        /** Leave out groups whose whole name matches. */
        public Builder exclude(Pattern groups) {
            this.exclude = groups;
            return this;
        }

        /** Partitions whose time lag is read exactly each cycle, most lagging first (default 20). */
        public Builder exactTimeLagPartitions(int partitions) {
            this.exactTimeLagPartitions = partitions;
            return this;
        }

        /** Report consumer-protocol members still reconciling after this long (default 1 min). */
        public Builder reconcileThreshold(Duration threshold) {
            this.reconcileThreshold = threshold;
            return this;
        }

        /** The time source (tests). */
        public Builder clock(LongSupplier clock) {
            this.clock = clock;
            return this;
        }

        public LagMonitor build() {
            return new LagMonitor(this);
        }
    }
}
