package io.kgroups.consumer.internal;

import io.kgroups.consumer.Backoff;
import io.kgroups.consumer.BatchHandler;
import io.kgroups.consumer.CommitPolicy;
import io.kgroups.consumer.ErrorPolicy;
import io.kgroups.consumer.GroupListener;
import io.kgroups.consumer.Ordering;
import io.kgroups.consumer.RecordHandler;
import io.kgroups.consumer.internal.DoneOffsetsCodec.DoneOffsets;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * One seeded run of the whole runtime: the real {@link PollLoop}, {@link Dispatcher},
 * {@link OffsetTracker}, {@link Committer} and {@link Backpressure}, driven by
 * {@link SimConsumer} over {@link SimCluster}, with handler threads and time under the
 * simulation's control ({@link SimThreads}, {@link SimWorld}). Everything random (settings,
 * records, handler times and failures, rebalances, lost partitions re-assigned, commit failures,
 * wakeups, unknown positions, transaction markers, aborted data, compaction, truncation, other
 * members' and admins' commits, restarts) comes from the seed, so a failing seed replays exactly.
 *
 * <p>A chaos phase, then a drain (faults off, handlers succeed) until everything is committed,
 * then a clean close. Checked after every event, or where it happens:
 * <ol>
 * <li>at most one record of a partition in a handler (PARTITION), one of a key (KEY), and never the
 *     same record twice at once (any ordering);</li>
 * <li>a record starts only once every earlier record of its partition (PARTITION) or key (KEY) is done;</li>
 * <li>a commit never passes a record that is not done (handled, dead-lettered, skipped by policy),
 *     its metadata never claims one, it comes from the partition's owner, and it never goes back
 *     within a generation;</li>
 * <li>a partition with records starts within the bound the fair scheduler promises;</li>
 * <li>no throwable escapes the runtime, and it fails only for the reasons it should;</li>
 * <li>the drain ends: everything is committed, up to the log end (past trailing markers), in
 *     bounded time; at the close every record in the logs is done.</li>
 * </ol>
 */
final class Simulation implements SimConsumer.Observer {
    /** How a run ended. */
    record Result(long seed, String setup, String violation, String trace, String summary) {
        boolean passed() {
            return violation == null;
        }
    }

    static Result run(long seed, boolean fullTrace) {
        return new Simulation(seed, fullTrace).run();
    }

    /** A handler call in progress. */
    private static final class Call {
        final int incarnation;
        final TopicPartition tp;
        final List<SimCluster.Entry> entries;
        final long generation;
        final SimThreads.Worker worker;
        final Throwable error;
        final long duration;

        Call(int incarnation, TopicPartition tp, List<SimCluster.Entry> entries, long generation,
                SimThreads.Worker worker, Throwable error, long duration) {
            this.duration = duration;
            this.incarnation = incarnation;
            this.tp = tp;
            this.entries = entries;
            this.generation = generation;
            this.worker = worker;
            this.error = error;
        }

        @Override
        public String toString() {
            return entries + " (gen " + generation + ")";
        }
    }

    /** A partition's first records of a generation, waiting for their first handler. */
    private static final class Waiting {
        final long generation;
        long needSince = -1;
        boolean started;
        long heldUntil;
        boolean held;
        /** The longest handler call in progress or started while this partition waited. */
        long longestCall;

        Waiting(long generation) {
            this.generation = generation;
        }
    }

    private final long seed;
    private final SimWorld world;
    private final SimCluster cluster;
    private final SimThreads threads;
    // settings drawn from the seed
    private final int partitions;
    private final int concurrency;
    private final Ordering ordering;
    private final boolean batch;
    private final int maxBatchSize;
    private final CommitPolicy commitPolicy;
    private final ErrorPolicy errorPolicy;
    private final long revokeTimeoutMs;
    private final long commitTimeoutMs;
    private final long maxHandlerMs;
    private final long chaosMs;
    private final int keys;
    private final boolean fatalErrors;
    private final double dltFailure;
    private final double refusal;
    private final Settings<String, String> settings;
    private final String setup;
    // the runtime
    private PollLoop<String, String> loop;
    private SimConsumer consumer;
    private int incarnation;
    private long stepToken;
    private long nextStepAt = Long.MAX_VALUE;
    private long generations;
    private boolean draining;
    private boolean finalClose;
    private long drainStart;
    // what happened
    private final List<Call> inHandler = new ArrayList<>();
    private final Map<TopicPartition, long[]> lastCommit = new HashMap<>();
    private final Map<TopicPartition, Waiting> waiting = new HashMap<>();
    private final long heldExtraNanos;
    private final boolean backlog;
    private String violation;
    private int produced;
    private int calls;
    private int rebalances;
    private int losses;
    private int restarts;
    private int failures;
    private int truncations;
    private int commits;
    private int deadLetters;

    private Simulation(long seed, boolean fullTrace) {
        this.seed = seed;
        this.world = new SimWorld(seed, fullTrace);
        // Some seeds start on a backlog: hundreds of records per partition, more partitions than slots,
        // short handlers (the starvation case: a lane that kept its slot would starve the others).
        this.backlog = world.chance(0.15);
        this.partitions = backlog ? world.between(3, 6) : world.between(1, 6);
        this.cluster = new SimCluster(partitions);
        this.threads = new SimThreads(world, "sim" + seed);
        this.ordering = world.pick(List.of(Ordering.PARTITION, Ordering.PARTITION, Ordering.KEY, Ordering.KEY, Ordering.UNORDERED));
        this.batch = world.chance(0.25);
        this.maxBatchSize = batch ? world.between(1, 8) : 1;
        this.concurrency = backlog ? world.between(1, partitions - 1) : world.between(1, 8);
        this.keys = world.between(1, 12);
        int policy = world.between(0, ordering == Ordering.PARTITION ? 3 : 2);
        this.commitPolicy = switch (policy) {
            case 0 -> CommitPolicy.periodic(Duration.ofMillis(world.between(20, 1_000)), world.between(1, 50));
            case 1 -> CommitPolicy.perBatch(CommitPolicy.Mode.ASYNC);
            case 2 -> CommitPolicy.perBatch(CommitPolicy.Mode.SYNC);
            default -> CommitPolicy.perRecord();
        };
        ErrorPolicy.Retry retry = ErrorPolicy.retry(world.between(0, 3), Backoff.fixed(Duration.ofMillis(world.between(1, 300))));
        ErrorPolicy chosen = switch (world.between(0, 2)) {
            case 0 -> retry.thenDeadLetter();
            case 1 -> retry.thenSkip();
            default -> retry.thenFail();
        };
        this.errorPolicy = world.chance(0.5) ? chosen
                : chosen.unreadable(world.pick(List.of(ErrorPolicy.Action.DEAD_LETTER, ErrorPolicy.Action.SKIP, ErrorPolicy.Action.FAIL)));
        this.revokeTimeoutMs = world.between(50, 2_000);
        this.commitTimeoutMs = world.between(100, 3_000);
        this.maxHandlerMs = world.chance(0.3) ? revokeTimeoutMs * 2 : world.between(5, 200);
        this.chaosMs = world.between(1_000, 6_000);
        this.fatalErrors = world.chance(0.2);
        this.dltFailure = world.chance(0.3) ? 0.05 : 0;
        this.refusal = world.chance(0.1) ? 0.01 : 0;
        int queueRecords = world.between(2, 60);
        int maxInFlight = world.between(5, 300);
        int budget = world.chance(0.3) ? world.between(20, 300) : 4_000;
        cluster.metadataLimit = world.chance(0.2) ? world.between(30, 400) : 4_096;
        if (backlog) {
            queueRecords = 1_000;
            maxInFlight = 10_000;
        }
        this.settings = settings(queueRecords, maxInFlight, budget);
        // A held lane starts on the poll loop's turn after its predecessor ends; the loop may then be inside a revoke.
        this.heldExtraNanos = (revokeTimeoutMs + commitTimeoutMs * 2 + 200) * 1_000_000;
        this.setup = "partitions=" + partitions + " ordering=" + ordering + " handler=" + (batch ? "batch(" + maxBatchSize + ")" : "record")
                + " concurrency=" + concurrency + " keys=" + keys + " commit=" + commitPolicy + " errors=" + errorPolicy
                + " revokeTimeout=" + revokeTimeoutMs + "ms commitTimeout=" + commitTimeoutMs + "ms maxHandler=" + maxHandlerMs
                + "ms queue=" + queueRecords + " maxInFlight=" + maxInFlight + " metadataBudget=" + budget
                + " brokerMetadataLimit=" + cluster.metadataLimit + " fatal=" + fatalErrors + " dltFailure=" + dltFailure
                + " refusal=" + refusal + " chaos=" + chaosMs + "ms" + (backlog ? " backlog" : "");
    }

    /**
     * The fair scheduler's promise: a lane waiting for a slot is served within ceil(lanes / slots)
     * + 1 turns of the slots, each held at most a quantum plus one work item (a batch handled one by
     * one: each of its records), counting the longest handler call seen while it waited.
     */
    private long startBound(long longestCall) {
        long work = longestCall * (batch ? maxBatchSize + 1 : 1) + 1_000_000;
        long turns = (partitions + concurrency - 1) / concurrency + 1;
        return PollLoop.POLL_TIMEOUT.toNanos() + turns * (Lane.QUANTUM_NANOS + work) + 10_000_000;
    }

    private Settings<String, String> settings(int queueRecords, int maxInFlight, int budget) {
        Properties properties = new Properties();
        properties.put("group.id", "sim");
        RecordHandler<String, String> recordHandler = batch ? null : record -> handle(List.of(record));
        BatchHandler<String, String> batchHandler = batch ? this::handle : null;
        return new Settings<>(properties, "sim", List.of(SimCluster.TOPIC), null, new Reader(true), new Reader(false),
                recordHandler, batchHandler, maxBatchSize, ordering, concurrency, null, commitPolicy, errorPolicy, null,
                new GroupListener() { }, Duration.ofMillis(revokeTimeoutMs), Duration.ofMillis(commitTimeoutMs), queueRecords,
                maxInFlight, 64L * 1024 * 1024, Duration.ofMinutes(1), Long.MAX_VALUE, 3, 300_000, budget, new Properties());
    }

    // ---- the run ----

    private Result run() {
        world.afterEvent = this::checkProgress;
        try {
            world.note("setup " + setup);
            scheduleChaos();
            startLoop();
            long limit = (chaosMs + 600_000) * 1_000_000L;
            while (violation == null) {
                if (!draining && world.nanos() >= chaosMs * 1_000_000L) {
                    startDrain();
                }
                if (draining && drained()) {
                    break;
                }
                if (world.nanos() > limit || world.events() > 3_000_000) {
                    violate("stall: not everything committed " + (world.nanos() - drainStart) / 1_000_000 + " ms into the drain; "
                            + describeCommits());
                    break;
                }
                if (!world.runNext()) {
                    violate("nothing left to happen, yet not drained; " + describeCommits());
                    break;
                }
            }
            if (violation == null) {
                closeForGood();
            }
        } catch (Throwable e) {
            violate("the simulation stopped on " + e + "\n" + stack(e));
        }
        int parked = violation == null ? threads.shutdown() : 0;
        if (violation == null && parked > 0) {
            violate(parked + " handler threads still parked after the close");
        }
        String summary = "records " + produced + ", handler calls " + calls + ", rebalances " + rebalances + ", losses "
                + losses + ", restarts " + restarts + ", failures " + failures + ", truncations " + truncations + ", commits "
                + commits + ", dead letters " + deadLetters + ", events " + world.events() + ", virtual " + world.millis() + " ms";
        return new Result(seed, setup, violation, violation == null ? "" : world.trace(), summary);
    }

    private void startLoop() {
        incarnation++;
        waiting.clear();
        SimConsumer made = new SimConsumer(cluster, world, this, () -> ++generations, world.between(1, 40));
        made.asyncFailure = draining ? 0 : world.chance(0.5) ? 0.1 : 0;
        made.allowFencing = !draining && world.chance(0.1);
        consumer = made;
        loop = new PollLoop<>(settings, new Environment(properties -> made, new RefusingExecutor(), world, new DeadLetters()));
        loop.starting();
        loop.open();
        made.rebalance(draining || world.chance(0.5) ? new LinkedHashSet<>(cluster.topicPartitions) : someOf(cluster.topicPartitions), true);
        rebalances++;
        world.note("incarnation " + incarnation + " starts");
        scheduleStep(0);
    }

    private void scheduleStep(long delayNanos) {
        long token = ++stepToken;
        nextStepAt = world.nanos() + delayNanos;
        world.outside(delayNanos, "poll loop turn", () -> step(token));
    }

    /** The next turn soon (a wakeup, new records): as the real poll returns early. */
    private void pollSoon() {
        if (loop != null && nextStepAt > world.nanos() + 500_000) {
            scheduleStep(world.random.nextInt(200_000));
        }
    }

    private void step(long token) {
        if (token != stepToken || loop == null) {
            return;
        }
        boolean more;
        try {
            more = loop.step();
        } catch (Throwable e) {
            violate("the poll loop threw " + e + " (the real loop would crash)\n" + stack(e));
            return;
        }
        if (!more) {
            shutdownLoop();
            return;
        }
        boolean soon = consumer.lastPollReturned() || consumer.lastPollTimeoutMs() == 0;
        scheduleStep(soon ? world.random.nextInt(300_000) : consumer.lastPollTimeoutMs() * 1_000_000);
    }

    private void shutdownLoop() {
        PollLoop<String, String> stopping = loop;
        stepToken++;
        try {
            stopping.shutdown();
        } catch (Throwable e) {
            violate("shutdown threw " + e + "\n" + stack(e));
            return;
        }
        loop = null;
        String failure = stopping.failure();
        if (failure != null) {
            failures++;
            boolean expected = failure.contains("(error policy: fail)") || failure.contains("to dead-letter topic")
                    || failure.contains("OutOfMemoryError") || failure.contains("group.instance.id")
                    || failure.contains("refused to run records");
            if (!expected) {
                violate("the consumer failed for no expected reason: " + failure + "\n" + stack(stopping.failureCause()));
            }
            world.note("incarnation " + incarnation + " failed: " + failure);
        }
        if (!finalClose) {
            restarts++;
            world.outside(world.millisBetween(50, 500), "restart", this::restart);
        }
    }

    private void restart() {
        if (!inHandler.isEmpty()) {
            world.outside(20_000_000, "restart (waiting for the old handlers)", this::restart); // the old process exits first
            return;
        }
        startLoop();
    }

    private void startDrain() {
        draining = true;
        drainStart = world.nanos();
        world.note("drain: faults off, handlers succeed");
        if (consumer != null) {
            consumer.knowPositions();
            consumer.syncFaults.clear();
            consumer.committedFaults = 0;
            consumer.asyncFailure = 0;
            consumer.allowFencing = false;
            if (loop != null) {
                consumer.rebalance(new LinkedHashSet<>(cluster.topicPartitions), false);
                pollSoon();
            }
        }
    }

    private boolean drained() {
        if (loop == null || !inHandler.isEmpty() || !consumer.owned().containsAll(cluster.topicPartitions)) {
            return false;
        }
        for (TopicPartition tp : cluster.topicPartitions) {
            if (!committedToTheEnd(tp)) {
                return false;
            }
        }
        return true;
    }

    /** Committed at the log end, as the next owner would see it (after Kafka's leader-epoch check). */
    private boolean committedToTheEnd(TopicPartition tp) {
        int p = tp.partition();
        OffsetAndMetadata committed = cluster.committed.get(tp);
        if (committed == null) {
            return cluster.logEnd(p) == 0;
        }
        return committed.offset() == cluster.logEnd(p) && cluster.startFor(p) == cluster.logEnd(p);
    }

    private void closeForGood() {
        finalClose = true;
        loop.requestStop(Duration.ofSeconds(30));
        long token = ++stepToken;
        step(token);
        if (violation != null) {
            return;
        }
        for (TopicPartition tp : cluster.topicPartitions) {
            int p = tp.partition();
            for (SimCluster.Entry entry : cluster.log(p)) {
                if (!entry.control && !done(entry)) {
                    violate("at the close, " + entry + " was never done");
                    return;
                }
            }
            if (!committedToTheEnd(tp)) {
                OffsetAndMetadata committed = cluster.committed.get(tp);
                violate("at the close, " + tp + " is committed at " + committed + ", its log ends at " + cluster.logEnd(p));
                return;
            }
        }
    }

    // ---- chaos ----

    private void scheduleChaos() {
        if (backlog) {
            for (int p = 0; p < partitions; p++) {
                for (int i = world.between(200, 600); i > 0; i--) {
                    cluster.append(p, "k" + world.random.nextInt(keys), false);
                    produced++;
                }
            }
        }
        int bursts = world.between(5, 25);
        for (int i = 0; i < bursts; i++) {
            world.outside(world.millisBetween(0, chaosMs), "produce", this::produce);
        }
        fault(world.between(0, 4), "rebalance (eager)", () -> rebalance(true));
        fault(world.between(0, 4), "rebalance (cooperative)", () -> rebalance(false));
        fault(world.between(0, 3), "partitions lost, assigned again", this::lose);
        fault(world.between(0, 3), "another member works on a partition", this::otherMember);
        fault(world.between(0, 2), "an admin resets a partition", this::adminReset);
        fault(world.between(0, 2), "offsets copied with metadata that does not hold here", this::foreignMetadata);
        fault(world.between(0, 4), "commits fail", this::commitFaults);
        fault(world.between(0, 2), "committed offsets cannot be read", () -> { if (consumer != null) consumer.committedFaults += world.between(1, 3); });
        fault(world.between(0, 6), "spurious wakeup", () -> { if (consumer != null && loop != null) consumer.wakeup(); });
        fault(world.between(0, 3), "a position is not known for a while", this::forgetPosition);
        fault(world.chance(0.3) ? world.between(1, 2) : 0, "unclean leader election: truncation", this::truncate);
        fault(world.chance(0.3) ? 1 : 0, "clean restart", () -> { if (loop != null) { loop.requestStop(Duration.ofSeconds(5)); pollSoon(); } });
    }

    private void fault(int times, String what, Runnable action) {
        for (int i = 0; i < times; i++) {
            world.outside(world.millisBetween(0, chaosMs), what, () -> {
                if (!draining) {
                    action.run();
                }
            });
        }
    }

    private void produce() {
        int n = world.between(1, 30);
        for (int i = 0; i < n; i++) {
            int p = world.random.nextInt(partitions);
            String key = world.chance(0.1) ? null : "k" + world.random.nextInt(keys);
            cluster.append(p, key, world.chance(0.03));
            produced++;
            if (world.chance(0.1)) {
                cluster.appendMarker(p); // a transaction committed
            }
            if (world.chance(0.03)) {
                cluster.appendAborted(p, world.between(1, 5));
                cluster.appendMarker(p);
            }
            if (world.chance(0.05)) {
                cluster.compact(p, world.random);
            }
        }
        pollSoon();
    }

    private void rebalance(boolean eager) {
        if (consumer != null && loop != null) {
            consumer.rebalance(world.chance(0.4) ? new LinkedHashSet<>(cluster.topicPartitions) : someOf(cluster.topicPartitions), eager);
            rebalances++;
            pollSoon();
        }
    }

    private void lose() {
        if (consumer != null && loop != null) {
            // Most often the same partitions come back to the same member (a static member removed and rejoined).
            Set<TopicPartition> back = world.chance(0.7) ? new LinkedHashSet<>(consumer.owned()) : someOf(cluster.topicPartitions);
            consumer.loseAndRejoin(back);
            losses++;
            pollSoon();
        }
    }

    /** A partition this member does not own is worked on by another: records handled, an offset committed. */
    private void otherMember() {
        TopicPartition tp = notOwned();
        if (tp == null) {
            return;
        }
        int p = tp.partition();
        long from = cluster.startFor(p);
        int n = world.between(0, 10);
        long base = from;
        int baseEpoch = cluster.epoch(p);
        for (SimCluster.Entry entry : cluster.log(p)) {
            if (entry.offset < from) {
                continue;
            }
            if (n-- <= 0) {
                break;
            }
            if (!entry.control) {
                entry.handled = true;
            }
            base = entry.offset + 1;
            baseEpoch = entry.epoch;
        }
        // and a few above, out of order, recorded in the metadata as kgroups does
        List<SimCluster.Entry> above = new ArrayList<>();
        for (SimCluster.Entry entry : cluster.log(p)) {
            if (entry.offset > base && !entry.control && world.chance(0.3)) {
                entry.handled = true;
                above.add(entry);
            }
        }
        String metadata = DoneOffsetsCodec.encode(base, baseEpoch, above.stream().mapToLong(e -> e.offset).toArray(),
                above.stream().mapToInt(e -> e.epoch).toArray());
        cluster.committed.put(tp, new OffsetAndMetadata(base, Optional.of(baseEpoch), metadata));
        world.note("another member committed " + tp + " at " + base + " with " + above.size() + " done above");
    }

    private void adminReset() {
        TopicPartition tp = notOwned();
        if (tp == null) {
            return;
        }
        int p = tp.partition();
        long target = cluster.logStart(p) + (long) (world.random.nextDouble() * (cluster.logEnd(p) - cluster.logStart(p) + 1));
        long current = cluster.startFor(p);
        for (SimCluster.Entry entry : cluster.log(p)) {
            if (entry.offset >= current && entry.offset < target) {
                entry.skippedByAdmin = true; // --to-offset forward: the operator chose to skip these
            }
        }
        cluster.committed.put(tp, new OffsetAndMetadata(target)); // tools commit no epoch and no metadata
        world.note("admin reset " + tp + " from " + current + " to " + target);
    }

    /**
     * Offsets with kgroups metadata that is not true here: translated by MirrorMaker 2 (no leader
     * epoch), or with per-record epochs of another log. The runtime must handle those records.
     */
    private void foreignMetadata() {
        TopicPartition tp = notOwned();
        if (tp == null) {
            return;
        }
        int p = tp.partition();
        long base = cluster.startFor(p);
        List<SimCluster.Entry> claimed = new ArrayList<>();
        for (SimCluster.Entry entry : cluster.log(p)) {
            if (entry.offset > base && !entry.control && !done(entry) && world.chance(0.5)) {
                claimed.add(entry);
            }
        }
        if (claimed.isEmpty()) {
            return;
        }
        boolean translated = world.chance(0.5);
        int epoch = cluster.epoch(p);
        String metadata = DoneOffsetsCodec.encode(base, epoch, claimed.stream().mapToLong(e -> e.offset).toArray(),
                claimed.stream().mapToInt(e -> translated ? e.epoch : e.epoch + 1_000).toArray()); // epochs of another log
        cluster.committed.put(tp, translated ? new OffsetAndMetadata(base, metadata)
                : new OffsetAndMetadata(base, Optional.of(epoch), metadata));
        world.note("foreign metadata on " + tp + " at " + base + " claims " + claimed + (translated ? " (no epoch)" : " (other epochs)"));
    }

    private void commitFaults() {
        if (consumer == null) {
            return;
        }
        int n = world.between(1, 3);
        for (int i = 0; i < n; i++) {
            consumer.syncFaults.add(switch (world.between(0, consumer.allowFencing ? 3 : 2)) {
                case 0 -> new RebalanceInProgressException("simulated: rebalance in progress");
                case 1 -> new TimeoutException("simulated: commit timed out");
                case 2 -> new CommitFailedException("simulated: the group moved on");
                default -> new FencedInstanceIdException("simulated: fenced");
            });
        }
    }

    private void forgetPosition() {
        if (consumer != null && !consumer.owned().isEmpty()) {
            TopicPartition tp = world.pick(new ArrayList<>(consumer.owned()));
            consumer.forgetPosition(tp);
            SimConsumer current = consumer;
            world.outside(world.millisBetween(1, 500), "position of " + tp + " known again", current::knowPositions);
        }
    }

    private void truncate() {
        int p = world.random.nextInt(partitions);
        long start = cluster.logStart(p);
        long end = cluster.logEnd(p);
        if (end <= start) {
            return;
        }
        long from = start + (long) (world.random.nextDouble() * (end - start));
        OffsetAndMetadata committed = cluster.committed.get(cluster.topicPartitions.get(p));
        if (committed != null && committed.leaderEpoch().isEmpty()) {
            // Kafka cannot check an offset committed without a leader epoch (by a tool, or translated by
            // MirrorMaker 2) against a truncated log: records rewritten below it are skipped by any consumer.
            from = Math.max(from, Math.min(committed.offset(), end));
            if (from >= end) {
                return;
            }
        }
        cluster.truncate(p, from);
        if (consumer != null) {
            consumer.truncated(p, from);
        }
        truncations++;
        world.note("truncated " + SimCluster.TOPIC + "-" + p + " at " + from + " (was " + end + "), epoch now " + cluster.epoch(p));
        for (int i = world.between(0, 10); i > 0; i--) {
            cluster.append(p, "k" + world.random.nextInt(keys), false);
            produced++;
        }
        pollSoon();
    }

    private TopicPartition notOwned() {
        List<TopicPartition> free = new ArrayList<>();
        for (TopicPartition tp : cluster.topicPartitions) {
            if (consumer == null || !consumer.owned().contains(tp)) {
                free.add(tp);
            }
        }
        return free.isEmpty() ? null : world.pick(free);
    }

    private Set<TopicPartition> someOf(List<TopicPartition> all) {
        Set<TopicPartition> some = new LinkedHashSet<>();
        for (TopicPartition tp : all) {
            if (world.chance(0.6)) {
                some.add(tp);
            }
        }
        return some;
    }

    // ---- the handler, deserializers and dead letters the runtime calls (handler threads) ----

    private void handle(List<ConsumerRecord<String, String>> records) throws Exception {
        Call call = enter(records);
        threads.park();
        exit(call);
        if (call.error instanceof Error error) {
            throw error;
        }
        if (call.error != null) {
            throw (Exception) call.error;
        }
    }

    private Call enter(List<ConsumerRecord<String, String>> records) {
        List<SimCluster.Entry> entries = new ArrayList<>(records.size());
        for (ConsumerRecord<String, String> record : records) {
            entries.add(entry(record.headers()));
        }
        long generation = generation(records.get(0).headers());
        TopicPartition tp = new TopicPartition(SimCluster.TOPIC, entries.get(0).partition);
        for (Call other : inHandler) {
            if (!other.tp.equals(tp)) {
                continue;
            }
            if (ordering == Ordering.PARTITION) {
                violate("two records of " + tp + " in handlers at once: " + other + " and " + entries);
            }
            for (SimCluster.Entry entry : entries) {
                for (SimCluster.Entry busy : other.entries) {
                    if (busy.id == entry.id) {
                        violate(entry + " in two handlers at once (generations " + other.generation + " and " + generation + ")");
                    } else if (ordering == Ordering.KEY && Objects.equals(busy.key, entry.key)) {
                        violate("two records of key " + entry.key + " in handlers at once: " + busy + " and " + entry);
                    }
                }
            }
        }
        if (ordering != Ordering.UNORDERED) {
            for (SimCluster.Entry entry : entries) {
                if (cluster.record(entry.partition, entry.offset, entry.epoch) != entry) {
                    continue; // truncated away since it was fetched: the log no longer orders it
                }
                for (SimCluster.Entry earlier : cluster.log(entry.partition)) {
                    if (earlier.offset >= entry.offset) {
                        break;
                    }
                    if (!earlier.control && !done(earlier) && !entries.contains(earlier)
                            && (ordering == Ordering.PARTITION || Objects.equals(earlier.key, entry.key))) {
                        violate(entry + " started while the earlier " + earlier + " of its "
                                + (ordering == Ordering.PARTITION ? "partition" : "key") + " was not done");
                    }
                }
            }
        }
        long duration = duration();
        Call call = new Call(incarnation, tp, entries, generation, SimThreads.current(), outcome(), duration);
        inHandler.add(call);
        calls++;
        for (Waiting w : waiting.values()) {
            w.longestCall = Math.max(w.longestCall, duration);
        }
        world.inside(duration, "handler returns " + call + (call.error == null ? "" : " throwing " + call.error), () -> threads.resume(call.worker));
        return call;
    }

    private void exit(Call call) {
        inHandler.remove(call);
        for (SimCluster.Entry entry : call.entries) {
            if (call.error == null) {
                entry.handled = true;
            } else {
                entry.failedCalls++;
            }
        }
        Waiting w = waiting.get(call.tp);
        if (w != null && w.generation != call.generation) {
            w.heldUntil = Math.max(w.heldUntil, world.nanos());
        }
    }

    private long duration() {
        if (draining || backlog) {
            return world.millisBetween(0, 3);
        }
        double roll = world.random.nextDouble();
        if (roll < 0.80) {
            return world.millisBetween(0, Math.min(5, maxHandlerMs));
        } else if (roll < 0.95) {
            return world.millisBetween(0, Math.min(50, maxHandlerMs));
        }
        return world.millisBetween(0, maxHandlerMs);
    }

    private Throwable outcome() {
        if (draining) {
            return null;
        }
        double roll = world.random.nextDouble();
        if (roll < 0.07) {
            return new IllegalStateException("simulated: the database said no");
        } else if (roll < 0.085) {
            return new NoClassDefFoundError("simulated/MissingClass");
        } else if (roll < 0.10) {
            return new StackOverflowError("simulated: deeply nested payload");
        } else if (fatalErrors && roll < 0.103) {
            return new OutOfMemoryError("simulated: Java heap space");
        }
        return null;
    }

    private SimCluster.Entry entry(Headers headers) {
        String[] parts = new String(headers.lastHeader(SimConsumer.HEADER).value(), StandardCharsets.UTF_8).split(":");
        return cluster.byId(Long.parseLong(parts[0]));
    }

    private static long generation(Headers headers) {
        String[] parts = new String(headers.lastHeader(SimConsumer.HEADER).value(), StandardCharsets.UTF_8).split(":");
        return Long.parseLong(parts[1]);
    }

    /**
     * Keys and values. Reading a key is the first thing the runtime does with a record in its slot,
     * so it marks the partition as started; a poison pill's value does not deserialize (until the
     * drain, when a fixed version is deployed).
     */
    private final class Reader implements Deserializer<String> {
        private final boolean keys;

        Reader(boolean keys) {
            this.keys = keys;
        }

        @Override
        public String deserialize(String topic, byte[] data) {
            throw new UnsupportedOperationException("the runtime passes the headers");
        }

        @Override
        public String deserialize(String topic, Headers headers, byte[] data) {
            SimCluster.Entry entry = entry(headers);
            if (keys) {
                Waiting w = waiting.get(new TopicPartition(SimCluster.TOPIC, entry.partition));
                if (w != null && w.generation == generation(headers)) {
                    w.started = true;
                }
            } else if (entry.poison && !draining) {
                if (world.chance(0.2)) {
                    throw new StackOverflowError("simulated: a deeply nested payload");
                }
                throw new SerializationException("simulated: not an order event");
            }
            return data == null ? null : new String(data, StandardCharsets.UTF_8);
        }
    }

    private final class DeadLetters implements DeadLetterSink {
        @Override
        public void publish(String topic, ConsumerRecord<byte[], byte[]> record, Throwable error, int attempts) {
            if (!draining && world.chance(dltFailure)) {
                throw new TimeoutException("simulated: the dead-letter topic is not available");
            }
            entry(record.headers()).deadLettered = true;
            deadLetters++;
        }

        @Override
        public void close() {
        }
    }

    /** The handler threads, which now and then refuse a task (a user executor shut down or full). */
    private final class RefusingExecutor implements java.util.concurrent.Executor {
        @Override
        public void execute(Runnable task) {
            if (!draining && world.chance(refusal)) {
                throw new RejectedExecutionException("simulated: the executor is full");
            }
            threads.execute(task);
        }
    }

    // ---- what the consumer tells ----

    @Override
    public void committing(Map<TopicPartition, OffsetAndMetadata> offsets, String how, boolean stored) {
        commits++;
        for (Map.Entry<TopicPartition, OffsetAndMetadata> commit : offsets.entrySet()) {
            TopicPartition tp = commit.getKey();
            OffsetAndMetadata offset = commit.getValue();
            int p = tp.partition();
            if (!consumer.mayCommit(tp)) {
                violate(how + " of " + tp + " at " + offset.offset() + " by a member that does not own it");
            }
            // What the next owner starts from: Kafka checks the commit's leader epoch against the log first.
            long effective = offset.offset();
            if (offset.leaderEpoch().isPresent()) {
                effective = Math.min(effective, cluster.epochEnd(p, offset.leaderEpoch().get()));
            }
            for (SimCluster.Entry entry : cluster.log(p)) {
                if (entry.offset >= effective) {
                    break;
                }
                if (!entry.control && !done(entry)) {
                    violate(how + " of " + tp + " at " + offset.offset() + " passes " + entry + ", which is not done");
                    return;
                }
            }
            if (!offset.metadata().isEmpty()) {
                try {
                    DoneOffsets done = DoneOffsetsCodec.decode(offset.metadata(), offset.offset(), offset.leaderEpoch());
                    for (int i = 0; i < done.size(); i++) {
                        SimCluster.Entry entry = cluster.record(p, done.offsets()[i], done.epochs()[i]);
                        if (entry != null && !done(entry)) {
                            violate(how + " of " + tp + " at " + offset.offset() + " records " + entry + " as done; it is not");
                            return;
                        }
                    }
                } catch (IllegalArgumentException e) {
                    violate(how + " of " + tp + " carries metadata the runtime cannot read back: " + e.getMessage());
                }
            }
            // The coordinator's offset never goes back within a generation (an assignment, a fetch that went back,
            // a truncation). A commit past where its leader epoch ended is stale (the next owner corrects it), and
            // one the coordinator refused was never there: neither sets the mark.
            long generation = consumer.generation(tp) * 1_000 + cluster.truncations[p];
            long[] last = lastCommit.get(tp);
            if (last != null && last[0] == generation && offset.offset() < last[1]) {
                violate(how + " of " + tp + " went back from " + last[1] + " to " + offset.offset() + " within generation "
                        + consumer.generation(tp));
            }
            if (stored && effective == offset.offset()) {
                lastCommit.put(tp, new long[] {generation, last != null && last[0] == generation
                        ? Math.max(last[1], offset.offset()) : offset.offset()});
            }
        }
        world.note(how + " " + offsets + (stored ? "" : " (refused)"));
    }

    @Override
    public void returned(TopicPartition tp, List<SimCluster.Entry> entries, long generation) {
        Waiting w = waiting.get(tp);
        if (w == null || w.generation != generation) {
            w = new Waiting(generation);
            waiting.put(tp, w);
        }
        if (w.needSince < 0 && !w.started) {
            for (SimCluster.Entry entry : entries) {
                if (!done(entry)) {
                    w.needSince = world.nanos();
                    for (Call call : inHandler) {
                        w.longestCall = Math.max(w.longestCall, call.duration);
                    }
                    break;
                }
            }
        }
        world.note("poll returns " + entries + " (gen " + generation + ")");
    }

    @Override
    public void wokenUp() {
        pollSoon();
    }

    // ---- invariants ----

    /** Done for good: handled, dead-lettered, skipped by policy, or passed over by an operator. */
    private boolean done(SimCluster.Entry entry) {
        if (entry.handled || entry.deadLettered || entry.skippedByAdmin) {
            return true;
        }
        if (entry.poison && errorPolicy.unreadableAction() == ErrorPolicy.Action.SKIP) {
            return true;
        }
        return errorPolicy.action() == ErrorPolicy.Action.SKIP && entry.failedCalls > 0;
    }

    /** After every event: the fair scheduler's bound, and throwables that escaped the runtime. */
    private void checkProgress() {
        if (threads.escaped != null) {
            violate("a throwable escaped the runtime on a handler thread: " + threads.escaped + "\n" + stack(threads.escaped));
            return;
        }
        if (loop == null || loop.stopped() || loop.failure() != null || consumer.closedByRuntime()
                || loop.state() == io.kgroups.consumer.ConsumerState.STOPPING) {
            return; // failing or shutting down: records are not started any more
        }
        long now = world.nanos();
        for (Map.Entry<TopicPartition, Waiting> entry : waiting.entrySet()) {
            Waiting w = entry.getValue();
            TopicPartition tp = entry.getKey();
            if (w.needSince < 0 || w.started || consumer.generation(tp) != w.generation || consumer.leaving(tp)) {
                continue;
            }
            boolean held = false;
            for (Call call : inHandler) {
                if (call.tp.equals(tp) && call.generation != w.generation) {
                    held = true;
                    w.held = true;
                }
            }
            if (held) {
                continue;
            }
            long from = Math.max(w.needSince, w.heldUntil);
            long bound = startBound(w.longestCall) + (w.held ? heldExtraNanos : 0);
            if (now - from > bound) {
                violate(tp + " has had records for " + (now - from) / 1_000_000 + " ms without a handler starting (bound "
                        + bound / 1_000_000 + " ms" + (w.held ? ", after being held" : "") + ")");
            }
        }
    }

    private String describeCommits() {
        StringBuilder text = new StringBuilder();
        for (TopicPartition tp : cluster.topicPartitions) {
            OffsetAndMetadata committed = cluster.committed.get(tp);
            text.append(tp).append(": committed ").append(committed == null ? "-" : committed.offset())
                    .append(", log end ").append(cluster.logEnd(tp.partition()))
                    .append(consumer != null && consumer.owned().contains(tp) ? ", owned" : ", not owned").append("; ");
        }
        text.append("loop ").append(loop == null ? "none" : loop.state()).append(", in handlers ").append(inHandler);
        return text.toString();
    }

    private void violate(String what) {
        if (violation == null) {
            violation = what;
            world.note("VIOLATION " + what);
        }
    }

    private static String stack(Throwable error) {
        if (error == null) {
            return "";
        }
        java.io.StringWriter text = new java.io.StringWriter();
        error.printStackTrace(new java.io.PrintWriter(text));
        return text.toString();
    }
}
