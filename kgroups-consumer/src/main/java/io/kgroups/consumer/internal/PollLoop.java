package io.kgroups.consumer.internal;

import io.kgroups.consumer.ConsumerState;
import io.kgroups.consumer.ConsumerStats;
import io.kgroups.consumer.Health;
import io.kgroups.consumer.internal.DoneOffsetsCodec.DoneOffsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.InvalidOffsetException;
import org.apache.kafka.clients.consumer.NoOffsetForPartitionException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns the KafkaConsumer, and only the loop: poll, hand the records to the
 * {@link Dispatcher}, let held partitions start, apply {@link Backpressure}, let the
 * {@link Committer} commit, refresh the lag. On a rebalance it closes the revoked partitions'
 * lanes, waits (bounded) for their handlers, and has the committer commit what is done. It never
 * waits on a handler otherwise.
 *
 * <p>{@link #run()} is {@link #open()}, {@link #step()} until it says stop, {@link #shutdown()};
 * the simulation calls those itself, one step at a time.
 */
public final class PollLoop<K, V> implements Runnable, ConsumerRebalanceListener, LaneEvents {
    private static final Logger LOG = LoggerFactory.getLogger(PollLoop.class);
    static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    private static final long LAG_REFRESH_NANOS = 1_000_000_000L;

    private final Settings<K, V> settings;
    private final Environment environment;
    private final Clock clock;
    private final ConsumerMetrics metrics;
    private final Dispatcher dispatcher;
    private final Backpressure backpressure;
    private final DeadLetterLog deadLetterLog;
    private final AtomicBoolean attentionRequested = new AtomicBoolean();

    private volatile Consumer<byte[], byte[]> consumer;
    private volatile Committer committer;
    private ConsumerQueries queries;
    private volatile ConsumerState state = ConsumerState.CREATED;
    private volatile boolean stopRequested;
    private volatile long stopDeadlineNanos;
    private volatile boolean halted;
    private volatile String failure;
    private volatile Throwable failureCause;
    private volatile boolean member;
    private volatile long lastPollNanos;
    private volatile int pausedCount;
    private long lastLagRefresh;

    public PollLoop(Settings<K, V> settings, Environment environment) {
        this.settings = settings;
        this.environment = environment;
        this.clock = environment.clock();
        this.lastPollNanos = clock.nanos();
        this.lastLagRefresh = clock.nanos() - LAG_REFRESH_NANOS;
        this.metrics = new ConsumerMetrics(settings.meterRegistry(), settings.groupId());
        this.deadLetterLog = new DeadLetterLog(settings.groupId(), clock::nanos);
        RecordProcessor<K, V> processor = new RecordProcessor<>(settings.handling(), metrics, environment.deadLetters(), deadLetterLog);
        this.dispatcher = new Dispatcher(settings, environment.handlers(), processor, clock, this);
        this.backpressure = new Backpressure(settings.partitionQueueRecords(), settings.maxInFlightRecords(),
                settings.maxInFlightBytes());
        metrics.gauge("in_flight", dispatcher, Dispatcher::inFlight, "Records fetched and not yet done");
        metrics.gauge("paused.partitions", this, loop -> loop.pausedCount, "Partitions paused for backpressure");
    }

    public void starting() {
        state = ConsumerState.STARTING;
    }

    /** Asks the loop to stop: stop fetching, finish what handlers have, commit, leave. */
    public void requestStop(Duration timeout) {
        if (!stopRequested) {
            stopDeadlineNanos = clock.nanos() + timeout.toNanos();
            stopRequested = true;
        }
        wakeUp();
    }

    @Override
    public void run() {
        try {
            open();
            while (step()) {
                // the loop
            }
        } catch (Throwable e) {
            failed("poll loop crashed: " + e, e);
        } finally {
            shutdown();
        }
    }

    /** Makes the consumer and subscribes. */
    void open() {
        Consumer<byte[], byte[]> made = environment.consumers().apply(settings.consumerProperties());
        queries = new ConsumerQueries(made, clock, settings.groupId());
        committer = new Committer(made, queries, metrics, settings.listener(), this, clock, settings.groupId(),
                settings.commitPolicy(), settings.metadataBudget());
        consumer = made;
        if (settings.topicPattern() != null) {
            made.subscribe(settings.topicPattern(), this);
        } else {
            made.subscribe(settings.topics(), this);
        }
    }

    /** One turn of the loop; false once it is to stop (asked to, or failed). */
    boolean step() {
        if (stopRequested || failure != null) {
            return false;
        }
        pollOnce();
        dispatcher.releaseHeld();
        applyBackpressure();
        committer.maybeCommit(dispatcher.lanes(), settings.commitTimeout());
        refreshLag();
        deadLetterLog.flushDue();
        return true;
    }

    private void pollOnce() {
        ConsumerRecords<byte[], byte[]> records;
        // A handler asked for attention since the last poll (a commit, a drained queue): do not wait.
        boolean asked = attentionRequested.getAndSet(false);
        try {
            records = consumer.poll(asked ? Duration.ZERO : POLL_TIMEOUT);
        } catch (WakeupException e) {
            records = ConsumerRecords.empty();
        } catch (InvalidOffsetException e) {
            failed(invalidOffsetMessage(e), e);
            return;
        } catch (FencedInstanceIdException e) {
            failed(fenced(e), e);
            return;
        }
        lastPollNanos = clock.nanos();
        if (records.isEmpty()) {
            return;
        }
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> partitionRecords = records.records(tp);
            metrics.topic(tp.topic()).consumed.add(partitionRecords.size());
            long back = dispatcher.enqueue(tp, partitionRecords);
            if (back >= 0) {
                consumer.seek(tp, back); // records below these are not done yet: fetched again from there
                continue;
            }
            committer.batchFetched(dispatcher.lane(tp), partitionRecords.get(partitionRecords.size() - 1).offset() + 1);
        }
    }

    private void applyBackpressure() {
        Collection<Lane> lanes = dispatcher.lanes();
        List<Backpressure.Load> loads = new ArrayList<>(lanes.size());
        for (Lane lane : lanes) {
            loads.add(new Backpressure.Load(lane.partition(), lane.queued(), lane.queuedBytes(), lane.inFlight(),
                    committer.metadataLength(lane.partition()), lane.held()));
        }
        Backpressure.Decision decision = backpressure.update(loads, committer.budget());
        for (TopicPartition tp : decision.pausedFull()) {
            Lane lane = dispatcher.lane(tp);
            if (lane != null) {
                lane.wakeWhenDrainedTo(settings.partitionQueueRecords() / 2);
            }
        }
        for (TopicPartition tp : decision.resumed()) {
            Lane lane = dispatcher.lane(tp);
            if (lane != null) {
                lane.wakeWhenDrainedTo(-1);
            }
        }
        Set<TopicPartition> wanted = decision.paused();
        Set<TopicPartition> actual = consumer.paused();
        if (!actual.equals(wanted)) {
            Set<TopicPartition> toResume = new HashSet<>(actual);
            toResume.removeAll(wanted);
            Set<TopicPartition> toPause = new HashSet<>(wanted);
            toPause.retainAll(consumer.assignment());
            toPause.removeAll(actual);
            if (!toResume.isEmpty()) {
                consumer.resume(toResume);
            }
            if (!toPause.isEmpty()) {
                consumer.pause(toPause);
            }
        }
        pausedCount = wanted.size();
    }

    private void refreshLag() {
        long now = clock.nanos();
        if (now - lastLagRefresh < LAG_REFRESH_NANOS) {
            return;
        }
        lastLagRefresh = now;
        readUnknownStarts();
        for (Lane lane : List.copyOf(dispatcher.lanes())) {
            long position = queries.position(lane.partition());
            if (position >= 0 && lane.tracker().pending() == 0 && position < lane.tracker().standing(-1)) {
                // Nothing pending and the position went back (a truncation, an offset reset): the group
                // stands past records that are not there any more. A new generation starts where the log is.
                lane = dispatcher.rewound(lane.partition(), position);
            }
            long logEnd = queries.logEnd(lane.partition(), position);
            if (logEnd >= 0) {
                lane.lag(Math.max(0, logEnd - lane.tracker().standing(position)));
            }
        }
    }

    /**
     * Lanes whose group offset could not be read when they were assigned, and that have handed
     * nothing out since: read it again, and start them properly (with its leader epoch and the
     * done offsets in its metadata). Until then they commit nothing.
     */
    private void readUnknownStarts() {
        Set<TopicPartition> unknown = new HashSet<>();
        for (Lane lane : dispatcher.lanes()) {
            if (lane.tracker().startUnknown()) {
                unknown.add(lane.partition());
            }
        }
        if (unknown.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> committed = queries.committed(unknown, settings.commitTimeout());
        if (committed == null) {
            return;
        }
        for (TopicPartition tp : unknown) {
            Lane lane = dispatcher.lane(tp);
            if (lane != null && lane.tracker().startUnknown()) {
                OffsetAndMetadata offset = committed.get(tp);
                committer.assigned(dispatcher.assign(tp, tracker(tp, offset)), offset == null ? -1 : offset.offset());
            }
        }
    }

    // ---- rebalance callbacks (poll thread, inside poll) ----

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        member = true;
        Map<TopicPartition, OffsetAndMetadata> committed = partitions.isEmpty() ? Map.of()
                : queries.committed(new HashSet<>(partitions), settings.commitTimeout());
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata offset = committed == null ? null : committed.get(tp);
            Lane lane = dispatcher.assign(tp, committed == null ? OffsetTracker.unknown() : tracker(tp, offset));
            committer.assigned(lane, offset == null ? -1 : offset.offset());
            metrics.addLag(tp, dispatcher, Dispatcher::lag);
        }
        if (!partitions.isEmpty()) {
            metrics.assigned.increment();
        }
        if (!stopRequested && failure == null) {
            state = ConsumerState.RUNNING;
        }
        LOG.atInfo().setMessage("partitions_assigned").addKeyValue("group", settings.groupId())
                .addKeyValue("partitions", partitions).log();
        tell("onAssigned", () -> settings.listener().onAssigned(partitions));
    }

    /** A generation that starts at the committed offset, knowing what a previous owner recorded as done above it. */
    private OffsetTracker tracker(TopicPartition tp, OffsetAndMetadata committed) {
        if (committed == null) {
            return OffsetTracker.fresh();
        }
        DoneOffsets done = DoneOffsets.NONE;
        String metadata = committed.metadata();
        if (metadata != null && !metadata.isEmpty()) {
            try {
                done = DoneOffsetsCodec.decode(metadata, committed.offset(), committed.leaderEpoch());
            } catch (IllegalArgumentException e) {
                // Only an optimisation is lost: those records are handled again, at least once as always.
                LOG.atWarn().setMessage("offset_metadata_ignored").addKeyValue("group", settings.groupId())
                        .addKeyValue("partition", tp).addKeyValue("reason", DoneOffsetsCodec.isOurs(metadata)
                                ? e.getMessage() : "written by another tool").log();
            }
        }
        return new OffsetTracker(committed.offset(), committed.leaderEpoch().orElse(OffsetTracker.NO_EPOCH), done);
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        List<Lane> revoked = dispatcher.close(partitions);
        if (revoked.isEmpty()) {
            return;
        }
        if (state == ConsumerState.RUNNING) {
            state = ConsumerState.REBALANCING;
        }
        boolean finished = dispatcher.awaitIdle(revoked, clock.nanos() + settings.revokeTimeout().toNanos());
        boolean committed = committer.commitSync(revoked, true, settings.commitTimeout());
        forget(revoked);
        metrics.revoked.increment();
        LOG.atInfo().setMessage("partitions_revoked").addKeyValue("group", settings.groupId())
                .addKeyValue("partitions", partitions).addKeyValue("in_flight_finished", finished)
                .addKeyValue("committed", committed).log();
        if (state == ConsumerState.REBALANCING) {
            state = ConsumerState.RUNNING;
        }
        tell("onRevoked", () -> settings.listener().onRevoked(partitions));
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        forget(dispatcher.close(partitions)); // nothing is committed: the partitions may already be another member's
        member = false;
        metrics.lost.increment();
        LOG.atWarn().setMessage("partitions_lost").addKeyValue("group", settings.groupId())
                .addKeyValue("partitions", partitions).log();
        tell("onLost", () -> settings.listener().onLost(partitions));
    }

    private void forget(List<Lane> gone) {
        committer.forget(gone);
        for (Lane lane : gone) {
            if (dispatcher.lane(lane.partition()) == null) {
                metrics.removeLag(lane.partition());
            }
        }
    }

    /** A listener is told, never trusted: what it throws is logged, and the loop goes on. */
    private void tell(String callback, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException | LinkageError | AssertionError e) {
            LOG.atWarn().setMessage("listener_failed").addKeyValue("group", settings.groupId())
                    .addKeyValue("callback", callback).addKeyValue("error", e.toString()).log();
        }
    }

    // ---- shutdown ----

    /** Closes every lane, waits (bounded) for their handlers, commits what is done, and leaves. */
    void shutdown() {
        if (failure == null) {
            state = ConsumerState.STOPPING;
        }
        long deadline = stopRequested ? stopDeadlineNanos : clock.nanos() + settings.revokeTimeout().toNanos();
        try {
            if (consumer != null) {
                List<Lane> all = dispatcher.closeAll();
                boolean finished = dispatcher.awaitIdle(all, deadline);
                committer.commitSync(all, true, settings.commitTimeout());
                forget(all);
                long left = Math.max(0, deadline - clock.nanos());
                consumer.close(CloseOptions.timeout(Duration.ofNanos(Math.max(left, 1_000_000_000L))));
                LOG.atInfo().setMessage("consumer_closed").addKeyValue("group", settings.groupId())
                        .addKeyValue("in_flight_finished", finished).addKeyValue("failure", failure).log();
            }
        } catch (Throwable e) {
            LOG.atWarn().setMessage("consumer_closed").addKeyValue("group", settings.groupId())
                    .addKeyValue("error", e.toString()).log();
        } finally {
            deadLetterLog.flush();
            environment.deadLetters().close();
            member = false;
            state = failure != null ? ConsumerState.FAILED : ConsumerState.STOPPED;
        }
    }

    // ---- LaneEvents (handler threads) ----

    @Override
    public void recordsDone(Lane lane, int count) {
        Committer c = committer;
        if (c != null && c.recordsDone(count)) {
            wakeUp();
        }
    }

    @Override
    public void alreadyDone(Lane lane, int count) {
        metrics.topic(lane.partition().topic()).alreadyDone.add(count);
        recordsDone(lane, count);
    }

    @Override
    public void laneIdle(Lane lane) {
        if (settings.commitPolicy().kind() == io.kgroups.consumer.CommitPolicy.Kind.PER_BATCH) {
            wakeUp();
        }
    }

    @Override
    public void laneDrained(Lane lane) {
        wakeUp(); // a paused partition can be resumed: do not let it wait for the poll timeout
    }

    @Override
    public void laneRetired(Lane lane) {
        wakeUp(); // a held lane of its partition may start
    }

    @Override
    public void commitNow() {
        wakeUp();
    }

    @Override
    public boolean stopped() {
        return halted;
    }

    @Override
    public void failed(String reason, Throwable cause) {
        // Before anything else: from here on no record starts, so none is handled after the one that failed.
        halted = true;
        if (failure == null) {
            synchronized (this) {
                if (failure == null) {
                    failureCause = cause;
                    failure = reason;
                    state = ConsumerState.FAILED;
                    LOG.atError().setMessage("consumer_failed").addKeyValue("group", settings.groupId())
                            .addKeyValue("reason", reason).setCause(cause).log();
                }
            }
        }
        wakeUp();
    }

    private void wakeUp() {
        Consumer<byte[], byte[]> c = consumer;
        if (c != null && attentionRequested.compareAndSet(false, true)) {
            c.wakeup();
        }
    }

    /** Why a fenced static member stops (a poll or a commit found out). */
    static String fenced(FencedInstanceIdException e) {
        return "another member joined with this member's group.instance.id (" + e.getMessage()
                + "): this one is fenced and stopped; give every instance its own group.instance.id";
    }

    private String invalidOffsetMessage(InvalidOffsetException e) {
        Set<TopicPartition> partitions = e.partitions();
        String topics = partitions.stream().map(TopicPartition::topic).distinct().sorted()
                .map(t -> "--topic " + t).collect(Collectors.joining(" "));
        String which = partitions.stream().map(TopicPartition::toString).sorted().collect(Collectors.joining(", "));
        String why = e instanceof NoOffsetForPartitionException
                ? "has no committed offset for " + which
                : "has an offset out of range for " + which + " (records deleted by retention, or the log truncated)";
        return "group " + settings.groupId() + " " + why + " and offset reset is 'none': choose where it starts with `kgroups reset "
                + settings.groupId() + " " + topics + " --to-earliest --execute` (or --to-latest, --to-datetime ...), or set offsetReset";
    }

    // ---- what the public side reads ----

    public ConsumerState state() {
        return state;
    }

    public String failure() {
        return failure;
    }

    public Throwable failureCause() {
        return failureCause;
    }

    public Health health() {
        long now = clock.nanos();
        Dispatcher.Busy busy = dispatcher.oldestBusy();
        Lane held = dispatcher.longestHeld();
        long heldSince = held == null ? 0 : held.heldSinceNanos();
        long totalLag = 0;
        for (Lane lane : dispatcher.lanes()) {
            totalLag += Math.max(0, lane.lagRecords());
        }
        Committer c = committer;
        return HealthCheck.evaluate(new HealthCheck.Signals(state, failure, (now - lastPollNanos) / 1_000_000,
                settings.maxPollIntervalMs(), member, dispatcher.lanes().size(),
                busy == null ? 0 : (now - busy.sinceNanos()) / 1_000_000, busy == null ? null : busy.record(),
                settings.stuckThreshold().toMillis(), c == null ? 0 : c.consecutiveFailures(),
                settings.commitFailureThreshold(), totalLag, settings.lagThreshold(),
                held == null || heldSince == 0 ? null : held.partition().toString(),
                held == null || heldSince == 0 ? 0 : (now - heldSince) / 1_000_000, settings.revokeTimeout().toMillis()));
    }

    public ConsumerStats stats() {
        Map<TopicPartition, Long> lag = new HashMap<>();
        for (Lane lane : dispatcher.lanes()) {
            if (lane.lagRecords() >= 0) {
                lag.put(lane.partition(), lane.lagRecords());
            }
        }
        Committer c = committer;
        return new ConsumerStats(state,
                metrics.sum(t -> t.consumed), metrics.sum(t -> t.processed), metrics.sum(t -> t.failed),
                metrics.sum(t -> t.retried), metrics.sum(t -> t.deadLettered), metrics.sum(t -> t.skipped),
                metrics.sum(t -> t.alreadyDone),
                metrics.commits.sum(), metrics.commitFailures.sum(),
                metrics.assigned.sum() + metrics.revoked.sum() + metrics.lost.sum(),
                dispatcher.inFlight(), pausedCount, c == null ? Map.of() : c.acked(), lag);
    }
}
