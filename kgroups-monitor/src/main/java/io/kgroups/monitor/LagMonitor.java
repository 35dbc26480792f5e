package io.kgroups.monitor;

import io.kgroups.admin.GroupAdmin;
import io.kgroups.admin.GroupDetail;
import io.kgroups.admin.PartitionDetail;
import io.kgroups.admin.ResetPlan;
import io.kgroups.admin.ResetPreviews;
import io.kgroups.admin.ResetTarget;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.TreeSet;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the groups of a cluster (consumer, classic consumer, streams and share groups): each
 * interval it samples every matching group's committed offsets (a share group's start offsets
 * and the broker's lag) and log-end offsets (batched Admin calls), keeps a window of commits per
 * partition, evaluates a status per partition and group, and estimates time lag. A failed cycle
 * is counted and the next one runs as usual. Read the result with {@link #snapshot()}.
 */
public final class LagMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LagMonitor.class);
    /**
     * Told when a group's status changes, on the sampler thread: a group first seen was UNKNOWN
     * before. A listener that throws is logged; the others and the sampler go on.
     */
    public interface StatusListener {
        void statusChanged(GroupStatus group, Status previous);
    }

    /** The reason of an empty group that shows no offsets (see {@link #evaluate}). */
    static final String NO_OFFSETS_VISIBLE = "no offsets visible: an empty group is kept for its offsets, so they are likely "
            + "on topics this principal may not describe (Kafka leaves those out without a word): grant Describe on them";
    private final Duration interval;
    private final Evaluator.Rules rules;
    private final LongSupplier clock;
    private final LagHistory history;
    private final ReconciliationWatch reconciliation;
    private final RebalanceWatch rebalances;
    private final List<StatusListener> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<MonitorSnapshot>> cycleListeners = new CopyOnWriteArrayList<>();
    private final Map<String, Status> lastStatus = new HashMap<>();
    private final Sampler sampler;
    private final ResetPreviews previews;
    /** Read errors of groups and partitions last logged: logged again only when they change. */
    private final Map<String, String> readErrors = new HashMap<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "kgroups-monitor-sampler");
        thread.setDaemon(true);
        return thread;
    });
    private volatile MonitorSnapshot snapshot = MonitorSnapshot.empty();
    private long cycles;
    private long failedCycles;
    private int consecutiveFailures;
    private volatile RuntimeException lastFailure;

    private LagMonitor(Builder builder) {
        this.previews = builder.admin.resetPreviews();
        this.interval = builder.interval;
        this.rules = new Evaluator.Rules(builder.window, builder.allowedLag, builder.retentionRisk.toSeconds(),
                builder.stoppedAfter.toMillis());
        this.clock = builder.clock;
        // A group-partition not seen for three windows is gone.
        this.history = new LagHistory(builder.window, 3L * builder.window * builder.interval.toMillis());
        this.reconciliation = new ReconciliationWatch(builder.reconcileThreshold.toMillis());
        this.rebalances = new RebalanceWatch(builder.stormChanges, builder.stormWindow);
        Pattern include = builder.include;
        Pattern exclude = builder.exclude;
        Set<String> only = builder.only;
        this.sampler = new Sampler(builder.admin, name -> (only == null || only.contains(name))
                && include.matcher(name).matches() && (exclude == null || !exclude.matcher(name).matches()),
                builder.exactTimeLagPartitions,
                Duration.ofMillis(Math.max(200, builder.interval.toMillis() / 2)));
    }

    public static Builder builder(GroupAdmin admin) {
        return new Builder(admin);
    }

    public void addListener(StatusListener listener) {
        listeners.add(listener);
    }

    /**
     * Told each new snapshot, a failed cycle's too, on the sampler thread at the end of the cycle
     * (before the next can start): what is derived once per cycle (the /metrics page) is made
     * there. A listener that throws is logged; the others and the sampler go on.
     */
    public void addCycleListener(Consumer<MonitorSnapshot> listener) {
        cycleListeners.add(listener);
    }

    public void removeCycleListener(Consumer<MonitorSnapshot> listener) {
        cycleListeners.remove(listener);
    }

    private void cycled(MonitorSnapshot snapshot) {
        for (Consumer<MonitorSnapshot> listener : cycleListeners) {
            try {
                listener.accept(snapshot);
            } catch (RuntimeException e) {
                LOG.atWarn().setMessage("cycle_listener_failed").addKeyValue("listener", listener.getClass().getName())
                        .addKeyValue("error", e.toString()).log();
            }
        }
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

    public MonitorSnapshot snapshot() {
        return snapshot;
    }

    /** Why the last failed cycle failed (a one-line GroupAdminException, mostly); null if none failed. */
    public RuntimeException lastFailure() {
        return lastFailure;
    }

    /** The thresholds the evaluator uses: commits per window, allowed lag, retention risk, stopped after. */
    public Evaluator.Rules rules() {
        return rules;
    }

    /** The commits and newest sample kept for a group-partition, oldest first. */
    public Window window(String group, TopicPartition tp) {
        return history.window(group, tp);
    }

    /**
     * What {@code kgroups reset} would do, by the same planner (see {@link GroupAdmin#planReset}):
     * the dashboard's reset preview. Changes nothing. Every preview reads its time spans with one
     * consumer the monitor keeps ({@link ResetPreviews}), not one of its own.
     */
    public ResetPlan planReset(String group, Map<String, Set<Integer>> topics, ResetTarget target) {
        return previews.plan(group, topics, target);
    }

    /** One sample-and-evaluate cycle (the sampler thread calls it; tests may too). */
    public synchronized void cycle() {
        long started = System.nanoTime();
        long now = clock.getAsLong();
        List<GroupDetail> groups;
        try {
            groups = sampler.sample(now);
        } catch (RuntimeException e) {
            failedCycle(e, started);
            return;
        }
        if (consecutiveFailures > 0) {
            LOG.atInfo().setMessage("monitor_cycle_recovered").addKeyValue("failed_cycles", consecutiveFailures).log();
        }
        consecutiveFailures = 0;
        lastFailure = null;
        Map<String, String> skipped = new TreeMap<>();
        List<GroupDetail> monitored = new ArrayList<>();
        for (GroupDetail group : groups) {
            if (group.error() == null && !group.hasLag()) {
                skipped.put(group.group(), "a classic group of protocol type '" + group.protocolType() + "' with "
                        + group.members().size() + " member(s): it has no consumer offsets to monitor");
            } else {
                monitored.add(group);
            }
        }
        for (GroupDetail group : monitored) {
            for (PartitionDetail p : group.partitions()) {
                Long position = position(group, p);
                if (p.error() == null && !noBrokerLag(group, p)) {
                    // Never committed: the evaluator is told how many records the log holds (it decides nothing from them).
                    history.record(group.group(), new TopicPartition(p.topic(), p.partition()), now,
                            position == null ? -1 : position, p.logEndOffset(),
                            position == null ? p.logEndOffset() - p.logStartOffset() : p.lagOrZero());
                }
            }
        }
        history.dropStale(now);

        MonitorSnapshot last = snapshot;
        Map<String, Map<TopicPartition, String>> hidden = hidden(monitored, last);
        List<GroupStatus> statuses = new ArrayList<>();
        for (GroupDetail group : monitored) {
            statuses.add(group.error() != null ? unreadable(group, last.group(group.group()).orElse(null), now)
                    : evaluate(group, hidden.getOrDefault(group.group(), Map.of()), now));
        }
        logReadErrors(monitored);
        cycles++;
        snapshot = new MonitorSnapshot(now, statuses, skipped, cycles, failedCycles, 0, null, millisSince(started));
        for (GroupStatus status : statuses) {
            Status previous = lastStatus.put(status.group(), status.status());
            Status before = previous == null ? Status.UNKNOWN : previous;
            if (before != status.status()) {
                tell(status, before);
            }
        }
        Set<String> present = statuses.stream().map(GroupStatus::group).collect(Collectors.toSet());
        lastStatus.keySet().retainAll(present);
        rebalances.retain(present);
        cycled(snapshot);
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

    /** The cluster could not be read at all: the last values stay, marked as old, and the failure is logged once. */
    private void failedCycle(RuntimeException e, long started) {
        String reason = e.getMessage();
        if (consecutiveFailures == 0 || lastFailure == null || !Objects.equals(lastFailure.getMessage(), reason)) {
            LOG.atWarn().setMessage("monitor_cycle_failed").addKeyValue("error", reason).log();
        }
        lastFailure = e;
        consecutiveFailures++;
        failedCycles++;
        cycles++;
        MonitorSnapshot last = snapshot;
        snapshot = new MonitorSnapshot(last.timeMs(), last.groups(), last.skipped(), cycles, failedCycles,
                consecutiveFailures, reason, millisSince(started));
        cycled(snapshot);
    }

    /**
     * A group whose coordinator did not answer (or that is denied): UNKNOWN with the reason; the
     * figures of its last good sample stay, with the time of that sample.
     */
    private static GroupStatus unreadable(GroupDetail group, GroupStatus last, long now) {
        List<String> reasons = List.of("cannot read the group: " + group.error());
        if (last == null) {
            return new GroupStatus(group.group(), group.type(), group.state(), 0, Status.UNKNOWN, reasons, 0, null, List.of(),
                    List.of(), null);
        }
        List<PartitionStatus> partitions = last.partitions().stream().map(p -> p.unknown(group.error())).toList();
        return new GroupStatus(group.group(), group.type(), last.state(), last.members(), Status.UNKNOWN, reasons, last.totalLag(),
                last.maxLagSeconds(), partitions, last.memberDetails(), last.lastSampleMs(), last.rebalances());
    }

    /** Read errors of groups and partitions, logged when they appear, change or clear: not once per cycle. */
    private void logReadErrors(List<GroupDetail> groups) {
        Map<String, String> now = new HashMap<>();
        for (GroupDetail g : groups) {
            if (g.error() != null) {
                now.put(g.group(), g.error());
            }
            for (PartitionDetail p : g.partitions()) {
                if (p.error() != null) {
                    now.put(g.group() + " " + p.topic() + "-" + p.partition(), p.error());
                }
            }
        }
        now.forEach((where, error) -> {
            if (!error.equals(readErrors.get(where))) {
                LOG.atWarn().setMessage("monitor_read_failed").addKeyValue("where", where).addKeyValue("error", error).log();
            }
        });
        readErrors.keySet().stream().filter(k -> !now.containsKey(k)).forEach(where ->
                LOG.atInfo().setMessage("monitor_read_recovered").addKeyValue("where", where).log());
        readErrors.clear();
        readErrors.putAll(now);
    }

    /**
     * The partitions of topics a group had in the last cycle and not in this read, that the
     * principal may not describe (Kafka leaves those out of a group's offsets without a word): per
     * group, each with why. A topic that is gone, or whose offsets were deleted, is not among them.
     */
    private Map<String, Map<TopicPartition, String>> hidden(List<GroupDetail> groups, MonitorSnapshot last) {
        Map<String, Set<TopicPartition>> vanished = new HashMap<>();
        Set<String> topics = new TreeSet<>();
        for (GroupDetail group : groups) {
            if (group.error() != null) {
                continue;
            }
            Set<String> now = new HashSet<>();
            group.partitions().forEach(p -> now.add(p.topic()));
            last.group(group.group()).ifPresent(before -> before.partitions().stream()
                    .filter(p -> !now.contains(p.topic())).forEach(p -> {
                        vanished.computeIfAbsent(group.group(), g -> new HashSet<>())
                                .add(new TopicPartition(p.topic(), p.partition()));
                        topics.add(p.topic());
                    }));
        }
        if (topics.isEmpty()) {
            return Map.of();
        }
        Map<String, String> why;
        try {
            why = sampler.hiddenTopics(topics);
        } catch (RuntimeException e) {
            return Map.of(); // the next cycle asks again
        }
        Map<String, Map<TopicPartition, String>> hidden = new HashMap<>();
        vanished.forEach((group, partitions) -> partitions.stream().filter(tp -> why.containsKey(tp.topic()))
                .forEach(tp -> hidden.computeIfAbsent(group, g -> new TreeMap<>(Comparator.comparing(TopicPartition::topic)
                        .thenComparingInt(TopicPartition::partition))).put(tp, why.get(tp.topic()))));
        return hidden;
    }

    private GroupStatus evaluate(GroupDetail group, Map<TopicPartition, String> hidden, long now) {
        Status worst = Status.OK;
        List<String> reasons = new ArrayList<>();
        List<PartitionStatus> partitions = new ArrayList<>();
        Double maxLagSeconds = null;
        long lastSample = now;
        boolean share = group.type().equals("share");
        // Who holds a partition, from the members' assignments: a share group's is held by several, so has no one owner.
        Set<TopicPartition> assigned = new HashSet<>();
        group.members().forEach(m -> assigned.addAll(m.assignment()));
        for (PartitionDetail p : group.partitions()) {
            TopicPartition tp = new TopicPartition(p.topic(), p.partition());
            Window w = history.window(group.group(), tp);
            if (p.error() != null) {
                // Only this partition is unknown; its last good sample (if any) says how old its figures are.
                long sampledAt = w.size() == 0 ? -1 : w.times()[w.size() - 1];
                reasons.add(tp + " UNKNOWN: " + p.error());
                worst = worst.worst(Status.UNKNOWN);
                lastSample = sampledAt < 0 ? lastSample : Math.min(lastSample, sampledAt);
                partitions.add(new PartitionStatus(p.topic(), p.partition(), p.committedOffset(), p.startOffset(), null, null,
                        null, null, 0, Status.UNKNOWN, p.error(), p.memberId(), sampledAt < 0 ? null : sampledAt));
                continue;
            }
            Double lagSeconds = lagSeconds(p, w, now, interval.toMillis());
            long retention = sampler.retentionMs().getOrDefault(p.topic(), -1L);
            Double retentionLeft = retention <= 0 || lagSeconds == null || p.lagOrZero() == 0 ? null
                    : retention / 1000.0 - lagSeconds;
            Evaluator.Verdict verdict = pastLogEnd(p) ? new Evaluator.Verdict(Status.WARNING, p.note())
                    : noBrokerLag(group, p) ? new Evaluator.Verdict(Status.UNKNOWN, p.note())
                    : Evaluator.evaluate(new Evaluator.Partition(w, lagSeconds, assigned.contains(tp), p.deletedUnread(),
                            retentionLeft, null, share), now, rules);
            if (verdict.status() != Status.OK) { // UNKNOWN too: "not committed yet" is worth reading
                reasons.add(tp + " " + verdict.status() + ": " + verdict.reason());
            }
            worst = worst.worst(verdict.status());
            if (lagSeconds != null) {
                maxLagSeconds = maxLagSeconds == null ? lagSeconds : Math.max(maxLagSeconds, lagSeconds);
            }
            partitions.add(new PartitionStatus(p.topic(), p.partition(), p.committedOffset(), p.startOffset(),
                    p.logEndOffset(), p.lag(), lagSeconds, retentionLeft, p.deletedUnread(), verdict.status(), verdict.reason(),
                    p.memberId(), now));
        }
        for (Map.Entry<TopicPartition, String> h : hidden.entrySet()) {
            TopicPartition tp = h.getKey();
            Window w = history.window(group.group(), tp);
            long sampledAt = w.size() == 0 ? -1 : w.times()[w.size() - 1];
            reasons.add(tp + " UNKNOWN: " + h.getValue());
            worst = worst.worst(Status.UNKNOWN);
            partitions.add(new PartitionStatus(tp.topic(), tp.partition(), null, null, null, null, null, null, 0, Status.UNKNOWN,
                    h.getValue(), null, sampledAt < 0 ? null : sampledAt));
        }
        if (partitions.isEmpty() && group.members().isEmpty() && !share) {
            // Kafka keeps an empty group for its offsets, and leaves out of them, without a word, those of topics the
            // principal may not describe: showing none, the group is not "OK with lag 0".
            worst = worst.worst(Status.UNKNOWN);
            reasons.add(NO_OFFSETS_VISIBLE);
        }
        // Consumer-protocol members still moving partitions long after the target changed.
        List<String> stuck = reconciliation.stuck(group.group(), group.members(), group.targetAssignmentEpoch(), now);
        if (!stuck.isEmpty()) {
            worst = worst.worst(Status.WARNING);
            reasons.addAll(stuck);
        }
        RebalanceWatch.Rebalances membership = rebalances.observe(group.group(), group.members(), group.groupEpoch(), now);
        if (membership.storm() != null) {
            worst = worst.worst(Status.WARNING);
            reasons.add(membership.storm());
        }
        List<GroupStatus.Member> members = group.members().stream().map(m -> new GroupStatus.Member(m.memberId(),
                m.groupInstanceId(), m.clientId(), m.host(), m.assignment().stream().collect(Collectors.groupingBy(
                        TopicPartition::topic, TreeMap::new, Collectors.mapping(TopicPartition::partition, Collectors.toList()))),
                m.tasks())).toList();
        return new GroupStatus(group.group(), group.type(), group.state(), group.members().size(), worst, reasons, group.totalLag(),
                maxLagSeconds, partitions, members, lastSample, membership);
    }

    /**
     * Where the group stands in the partition, as the window keeps it: the committed offset; a
     * share group's log-end minus the broker's lag (see {@link Window}); null when it has none.
     */
    private static Long position(GroupDetail group, PartitionDetail p) {
        if (!group.type().equals("share")) {
            return p.committedOffset();
        }
        return p.startOffset() == null || p.lag() == null || p.logEndOffset() == null ? null : p.logEndOffset() - p.lag();
    }

    /** A share group's partition with a start offset but no lag: a broker before Kafka 4.2 (the note says so). */
    private static boolean noBrokerLag(GroupDetail group, PartitionDetail p) {
        return group.type().equals("share") && p.startOffset() != null && p.lag() == null;
    }

    /**
     * The sampler's exact read where it made one; else interpolated on the history, from where the
     * first unconsumed record is: the committed offset, a share group's start offset.
     */
    private static Double lagSeconds(PartitionDetail p, Window w, long now, long intervalMs) {
        Long first = p.committedOffset() != null ? p.committedOffset() : p.startOffset();
        if (first == null || p.lag() == null) {
            return null;
        }
        if (p.lagSeconds() != null) {
            return p.lagSeconds();
        }
        return TimeLagEstimator.seconds(w.times(), w.logEnd(), first, now, intervalMs);
    }

    /** A committed offset past the log end: the group's next fetch resets it (the note says so). */
    private static boolean pastLogEnd(PartitionDetail p) {
        return p.committedOffset() != null && p.logEndOffset() != null && p.committedOffset() > p.logEndOffset();
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        previews.close();
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
        /** Every name, a newline in it included (DOTALL): Kafka allows any character in a group name. */
        private Pattern include = Pattern.compile(".*", Pattern.DOTALL);
        private Pattern exclude;
        private Set<String> only;
        private int exactTimeLagPartitions = 20;
        private Duration reconcileThreshold = Duration.ofMinutes(1);
        private int stormChanges = 10;
        private Duration stormWindow = Duration.ofMinutes(5);
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

        /**
         * Only groups whose whole name matches (default: all). A name may hold any character, a newline too:
         * compile the pattern with {@link Pattern#DOTALL} for {@code .} to match it.
         */
        public Builder include(Pattern groups) {
            this.include = groups;
            return this;
        }

        /**
         * Only the groups of these exact names (and of those, the ones {@link #include} and
         * {@link #exclude} let through): a part of the cluster's groups, e.g. a chunk of a long list.
         */
        public Builder groups(Set<String> names) {
            this.only = Set.copyOf(names);
            return this;
        }

        /** Leave out groups whose whole name matches. */
        public Builder exclude(Pattern groups) {
            this.exclude = groups;
            return this;
        }

        /**
         * New places (a partition at a group's committed offset) whose first unconsumed record is
         * read from the log each cycle, most lagging first (default 20): the exact time lag, and
         * whether only transaction markers are left. What a read found is kept while the group
         * stands there, so a cluster of stuck groups is read once, a few places a cycle.
         */
        public Builder exactTimeLagPartitions(int partitions) {
            if (partitions < 0) {
                throw new IllegalArgumentException("exact time-lag partitions must be 0 or more, was " + partitions);
            }
            this.exactTimeLagPartitions = partitions;
            return this;
        }

        /** Report consumer-protocol members still reconciling after this long (default 1 min). */
        public Builder reconcileThreshold(Duration threshold) {
            this.reconcileThreshold = threshold;
            return this;
        }

        /** The time source (tests). */
        /**
         * A rebalancing storm: at least {@code changes} membership changes of a group within
         * {@code window} (default 10 in 5 minutes: a rolling restart of N members makes up to 2N,
         * static members none) is a WARNING with who came and went and the likely cause.
         */
        public Builder rebalanceStorm(int changes, Duration window) {
            RebalanceWatch.check(changes, window);
            this.stormChanges = changes;
            this.stormWindow = window;
            return this;
        }

        public Builder clock(LongSupplier clock) {
            this.clock = clock;
            return this;
        }

        public LagMonitor build() {
            return new LagMonitor(this);
        }
    }
}
