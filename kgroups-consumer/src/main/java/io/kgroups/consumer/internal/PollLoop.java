package io.kgroups.consumer.internal;

import io.kgroups.consumer.CommitPolicy;
import io.kgroups.consumer.ConsumerState;
import io.kgroups.consumer.ConsumerStats;
import io.kgroups.consumer.Health;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.NoOffsetForPartitionException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns the {@link KafkaConsumer}: polls, hands records to the partition
 * lanes, pauses and resumes partitions for backpressure, commits what is done, and handles
 * rebalances. It never waits on a handler except, bounded, while partitions are revoked.
 */
public final class PollLoop<K, V> implements Runnable, ConsumerRebalanceListener, LaneEvents {
    private static final Logger LOG = LoggerFactory.getLogger(PollLoop.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    private static final long LAG_REFRESH_NANOS = 1_000_000_000L;

    private final Settings<K, V> settings;
    private final ConsumerMetrics metrics;
    private final RecordProcessor<K, V> processor;
    private final DeadLetterPublisher deadLetters;
    private final Slots slots;
    private final ScheduledExecutorService scheduler;
    private final Map<TopicPartition, PartitionLane> lanes = new ConcurrentHashMap<>();
    private final AtomicBoolean attentionRequested = new AtomicBoolean();
    private final AtomicLong doneSinceCommit = new AtomicLong();
    private final ArrayDeque<Map<TopicPartition, Long>> pollBatches = new ArrayDeque<>();
    private final Set<TopicPartition> paused = new HashSet<>();

    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile Committer committer;
    private volatile ConsumerState state = ConsumerState.CREATED;
    private volatile boolean stopRequested;
    private volatile long stopDeadlineNanos;
    private volatile String failure;
    private volatile Throwable failureCause;
    private volatile boolean member;
    private volatile long lastPollNanos = System.nanoTime();
    private volatile int pausedCount;
    private long lastLagRefresh;
    private boolean globallyFull;

    public PollLoop(Settings<K, V> settings, Executor executor, ScheduledExecutorService scheduler) {
        this.settings = settings;
        this.scheduler = scheduler;
        // PARTITION order has one chain per partition; otherwise one partition may use up to 3/4 of the slots.
        int perPartition = settings.ordering() == io.kgroups.consumer.Ordering.PARTITION
                ? 1 : Math.max(1, (settings.concurrency() * 3 + 3) / 4);
        this.slots = new Slots(executor, settings.concurrency(), perPartition);
        this.metrics = new ConsumerMetrics(settings.meterRegistry(), settings.groupId());
        this.deadLetters = new DeadLetterPublisher(settings.deadLetterProducerProperties(), settings.groupId(),
                settings.commitTimeout());
        this.processor = new RecordProcessor<>(settings, metrics, deadLetters);
        metrics.gauge("in_flight", this, loop -> loop.inFlight(), "Records fetched and not yet done");
        metrics.gauge("paused.partitions", this, loop -> loop.pausedCount, "Partitions paused for backpressure");
    }

    public void starting() {
        state = ConsumerState.STARTING;
    }

    /** Asks the loop to stop: stop fetching, finish what handlers have, commit, leave. */
    public void requestStop(Duration timeout) {
        if (!stopRequested) {
            stopDeadlineNanos = System.nanoTime() + timeout.toNanos();
            stopRequested = true;
        }
        wakeUp();
    }

    @Override
    public void run() {
        try {
            consumer = new KafkaConsumer<>(settings.consumerProperties(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
            committer = new Committer(consumer, metrics, settings.listener(), settings.groupId(), settings.metadataBudget());
            if (settings.topicPattern() != null) {
                consumer.subscribe(settings.topicPattern(), this);
            } else {
                consumer.subscribe(settings.topics(), this);
            }
            while (!stopRequested && failure == null) {
                pollOnce();
                backpressure();
                maybeCommit();
                refreshLag();
            }
        } catch (RuntimeException | Error e) {
            failed("poll loop crashed: " + e, e);
        } finally {
            shutdown();
        }
    }

    private void pollOnce() {
        ConsumerRecords<byte[], byte[]> records;
        // A handler asked for attention since the last poll (a commit, a drained queue): do not wait.
        boolean asked = attentionRequested.getAndSet(false);
        try {
            records = consumer.poll(asked ? Duration.ZERO : POLL_TIMEOUT);
        } catch (WakeupException e) {
            records = ConsumerRecords.empty();
        } catch (NoOffsetForPartitionException e) {
            failed(noOffsetMessage(e.partitions()), e);
            return;
        }
        lastPollNanos = System.nanoTime();
        if (records.isEmpty()) {
            return;
        }
        Map<TopicPartition, Long> batchEnds = settings.commitPolicy().kind() == CommitPolicy.Kind.PER_BATCH
                ? new HashMap<>() : null;
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> partitionRecords = records.records(tp);
            lane(tp).enqueue(partitionRecords);
            metrics.topic(tp.topic()).consumed.add(partitionRecords.size());
            if (batchEnds != null) {
                batchEnds.put(tp, partitionRecords.get(partitionRecords.size() - 1).offset() + 1);
            }
        }
        if (batchEnds != null) {
            pollBatches.add(batchEnds);
        }
    }

    private PartitionLane lane(TopicPartition tp) {
        // Records of a partition always get a lane: skipping them would let later offsets be committed.
        return lanes.computeIfAbsent(tp, this::newLane);
    }

    private PartitionLane newLane(TopicPartition tp) {
        PartitionLane lane = new PartitionLane(tp, processor, slots, scheduler, this, settings.ordering(),
                settings.maxBatchSize(), settings.batchHandler() != null,
                settings.commitPolicy().kind() == CommitPolicy.Kind.PER_RECORD);
        metrics.addLag(lane);
        return lane;
    }

    /** Pauses partitions whose queue is full (or all, when the runtime holds too much), resumes drained ones. */
    private void backpressure() {
        long totalQueued = 0;
        long totalBytes = 0;
        for (PartitionLane lane : lanes.values()) {
            totalQueued += lane.queued();
            totalBytes += lane.queuedBytes();
        }
        if (totalQueued >= settings.maxInFlightRecords() || totalBytes >= settings.maxInFlightBytes()) {
            globallyFull = true;
        } else if (totalQueued <= settings.maxInFlightRecords() * 8L / 10 && totalBytes <= settings.maxInFlightBytes() * 8 / 10) {
            globallyFull = false;
        }
        int capacity = settings.partitionQueueRecords();
        for (PartitionLane lane : lanes.values()) {
            TopicPartition tp = lane.partition();
            int queued = lane.queued();
            // Out-of-order completions grow the commit metadata: slow intake well before it overflows.
            boolean metadataFull = lane.metadataLength() > settings.metadataBudget() / 2;
            if (globallyFull || queued >= capacity || metadataFull) {
                if (paused.add(tp)) {
                    lane.wakeWhenDrainedTo(capacity / 2);
                }
            } else if (queued <= capacity / 2 && lane.metadataLength() <= settings.metadataBudget() / 4) {
                if (paused.remove(tp)) {
                    lane.wakeWhenDrainedTo(-1);
                }
            }
        }
        paused.retainAll(lanes.keySet());
        Set<TopicPartition> actual = consumer.paused();
        if (!actual.equals(paused)) {
            Set<TopicPartition> toResume = new HashSet<>(actual);
            toResume.removeAll(paused);
            Set<TopicPartition> toPause = new HashSet<>(paused);
            toPause.retainAll(consumer.assignment());
            toPause.removeAll(actual);
            if (!toResume.isEmpty()) {
                consumer.resume(toResume);
            }
            if (!toPause.isEmpty()) {
                consumer.pause(toPause);
            }
        }
        pausedCount = paused.size();
    }

    private void maybeCommit() {
        CommitPolicy policy = settings.commitPolicy();
        switch (policy.kind()) {
            case PER_RECORD -> committer.commitSync(lanes.values(), lanes, settings.commitTimeout(), false);
            case PER_BATCH -> {
                boolean batchDone = false;
                while (!pollBatches.isEmpty() && isDone(pollBatches.peek())) {
                    pollBatches.poll();
                    batchDone = true;
                }
                if (batchDone) {
                    commit(policy.mode());
                }
            }
            case PERIODIC -> {
                long done = doneSinceCommit.get();
                if (committer.nanosSinceLastCommit() >= policy.interval().toNanos() || done >= policy.maxRecords()) {
                    doneSinceCommit.addAndGet(-done); // records done meanwhile count toward the next commit
                    commit(CommitPolicy.Mode.ASYNC);
                }
            }
        }
    }

    private boolean isDone(Map<TopicPartition, Long> batchEnds) {
        for (Map.Entry<TopicPartition, Long> end : batchEnds.entrySet()) {
            PartitionLane lane = lanes.get(end.getKey());
            if (lane != null && lane.offsets().committable() < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    private void commit(CommitPolicy.Mode mode) {
        if (mode == CommitPolicy.Mode.SYNC) {
            committer.commitSync(lanes.values(), lanes, settings.commitTimeout(), false);
        } else {
            committer.commitAsync(lanes.values(), lanes);
        }
    }

    private void refreshLag() {
        long now = System.nanoTime();
        if (now - lastLagRefresh < LAG_REFRESH_NANOS) {
            return;
        }
        lastLagRefresh = now;
        for (PartitionLane lane : lanes.values()) {
            var behind = consumer.currentLag(lane.partition());
            if (behind.isPresent()) {
                long position = consumer.position(lane.partition());
                long logEnd = position + behind.getAsLong();
                lane.lag(Math.max(0, logEnd - lane.offsets().lowestNotDone(position)));
            }
        }
    }

    // ---- rebalance callbacks (poll thread, inside poll) ----

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        member = true;
        for (TopicPartition tp : partitions) {
            lane(tp);
        }
        readDoneOffsets(partitions);
        if (!partitions.isEmpty()) {
            metrics.assigned.increment();
        }
        if (!stopRequested && failure == null) {
            state = ConsumerState.RUNNING;
        }
        LOG.atInfo().setMessage("partitions_assigned").addKeyValue("group", settings.groupId())
                .addKeyValue("partitions", partitions).log();
        settings.listener().onAssigned(partitions);
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        List<PartitionLane> revoked = lanesOf(partitions);
        if (revoked.isEmpty()) {
            return;
        }
        ConsumerState before = state;
        if (before == ConsumerState.RUNNING) {
            state = ConsumerState.REBALANCING;
        }
        long deadline = System.nanoTime() + settings.revokeTimeout().toNanos();
        boolean finished = closeAndAwait(revoked, deadline);
        boolean committed = committer.commitSync(revoked, lanes, settings.commitTimeout(), true);
        drop(revoked);
        metrics.revoked.increment();
        LOG.atInfo().setMessage("partitions_revoked").addKeyValue("group", settings.groupId())
                .addKeyValue("partitions", partitions).addKeyValue("in_flight_finished", finished)
                .addKeyValue("committed", committed).log();
        if (state == ConsumerState.REBALANCING) {
            state = ConsumerState.RUNNING;
        }
        settings.listener().onRevoked(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        List<PartitionLane> lost = lanesOf(partitions);
        for (PartitionLane lane : lost) {
            lane.close();
        }
        drop(lost);
        member = false;
        metrics.lost.increment();
        LOG.atWarn().setMessage("partitions_lost").addKeyValue("group", settings.groupId())
                .addKeyValue("partitions", partitions).log();
        settings.listener().onLost(partitions);
    }

    /** Offsets a previous owner recorded as done above the committed offset are not handled again. */
    private void readDoneOffsets(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> committed;
        try {
            committed = consumer.committed(new HashSet<>(partitions), settings.commitTimeout());
        } catch (WakeupException e) {
            committed = consumer.committed(new HashSet<>(partitions), settings.commitTimeout());
        } catch (RuntimeException e) {
            // Only an optimisation is lost: those records are handled again, at least once as always.
            LOG.atWarn().setMessage("offset_metadata_unread").addKeyValue("group", settings.groupId())
                    .addKeyValue("error", e.toString()).log();
            return;
        }
        for (Map.Entry<TopicPartition, OffsetAndMetadata> entry : committed.entrySet()) {
            OffsetAndMetadata offset = entry.getValue();
            if (offset == null || offset.metadata() == null || offset.metadata().isEmpty()) {
                continue;
            }
            try {
                lane(entry.getKey()).alreadyDone(DoneOffsetsCodec.decode(offset.metadata(), offset.offset()));
            } catch (IllegalArgumentException e) {
                LOG.atWarn().setMessage("offset_metadata_ignored").addKeyValue("group", settings.groupId())
                        .addKeyValue("partition", entry.getKey())
                        .addKeyValue("reason", DoneOffsetsCodec.isOurs(offset.metadata()) ? e.getMessage()
                                : "written by another tool").log();
            }
        }
    }

    private List<PartitionLane> lanesOf(Collection<TopicPartition> partitions) {
        List<PartitionLane> found = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            PartitionLane lane = lanes.get(tp);
            if (lane != null) {
                found.add(lane);
            }
        }
        return found;
    }

    /** Closes the lanes and waits (until the deadline) for their handler calls to finish. */
    private boolean closeAndAwait(Collection<PartitionLane> closing, long deadlineNanos) {
        for (PartitionLane lane : closing) {
            lane.close();
        }
        boolean all = true;
        for (PartitionLane lane : closing) {
            try {
                all &= lane.awaitIdle(deadlineNanos);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return all;
    }

    private void drop(Collection<PartitionLane> gone) {
        List<TopicPartition> partitions = new ArrayList<>(gone.size());
        for (PartitionLane lane : gone) {
            lanes.remove(lane.partition());
            metrics.removeLag(lane.partition());
            partitions.add(lane.partition());
        }
        paused.removeAll(partitions);
        committer.forget(partitions);
    }

    // ---- shutdown ----

    private void shutdown() {
        if (state != ConsumerState.FAILED && failure == null) {
            state = ConsumerState.STOPPING;
        }
        long deadline = stopRequested ? stopDeadlineNanos : System.nanoTime() + settings.revokeTimeout().toNanos();
        try {
            if (consumer != null) {
                List<PartitionLane> all = new ArrayList<>(lanes.values());
                boolean finished = closeAndAwait(all, deadline);
                if (committer != null) {
                    committer.commitSync(all, lanes, settings.commitTimeout(), true);
                }
                drop(all);
                long left = Math.max(0, deadline - System.nanoTime());
                consumer.close(CloseOptions.timeout(Duration.ofNanos(Math.max(left, 1_000_000_000L))));
                LOG.atInfo().setMessage("consumer_closed").addKeyValue("group", settings.groupId())
                        .addKeyValue("in_flight_finished", finished).addKeyValue("failure", failure).log();
            }
        } catch (RuntimeException e) {
            LOG.atWarn().setMessage("consumer_closed").addKeyValue("group", settings.groupId())
                    .addKeyValue("error", e.toString()).log();
        } finally {
            deadLetters.close();
            member = false;
            state = failure != null ? ConsumerState.FAILED : ConsumerState.STOPPED;
        }
    }

    // ---- LaneEvents (handler threads) ----

    @Override
    public void recordsDone(PartitionLane lane, int count) {
        CommitPolicy policy = settings.commitPolicy();
        if (policy.kind() == CommitPolicy.Kind.PERIODIC) {
            long done = doneSinceCommit.addAndGet(count);
            if (done >= policy.maxRecords() && done - count < policy.maxRecords()) {
                wakeUp();
            }
        }
    }

    @Override
    public void alreadyDone(PartitionLane lane, int count) {
        metrics.topic(lane.partition().topic()).alreadyDone.add(count);
        recordsDone(lane, count);
    }

    @Override
    public void laneIdle(PartitionLane lane) {
        if (settings.commitPolicy().kind() == CommitPolicy.Kind.PER_BATCH) {
            wakeUp();
        }
    }

    @Override
    public void laneDrained(PartitionLane lane) {
        wakeUp(); // a paused partition can be resumed: do not let it wait for the poll timeout
    }

    @Override
    public void commitNow() {
        wakeUp();
    }

    @Override
    public void failed(String reason, Throwable cause) {
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
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null && attentionRequested.compareAndSet(false, true)) {
            c.wakeup();
        }
    }

    private String noOffsetMessage(Set<TopicPartition> partitions) {
        String topics = partitions.stream().map(TopicPartition::topic).distinct().sorted()
                .map(t -> "--topic " + t).collect(Collectors.joining(" "));
        return "group " + settings.groupId() + " has no committed offset for "
                + partitions.stream().map(TopicPartition::toString).sorted().collect(Collectors.joining(", "))
                + " and offset reset is 'none': choose where it starts with `kgroups reset " + settings.groupId() + " "
                + topics + " --to-earliest --execute` (or --to-latest, --to-datetime ...), or set offsetReset";
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

    long inFlight() {
        long total = 0;
        for (PartitionLane lane : lanes.values()) {
            total += lane.inFlight();
        }
        return total;
    }

    public Health health() {
        long now = System.nanoTime();
        long oldestBusy = 0;
        String oldestRecord = null;
        long totalLag = 0;
        for (PartitionLane lane : lanes.values()) {
            long[] busy = lane.oldestBusy();
            if (busy != null && now - busy[0] > oldestBusy) {
                oldestBusy = now - busy[0];
                oldestRecord = lane.partition() + "@" + busy[1];
            }
            totalLag += Math.max(0, lane.lagRecords());
        }
        Committer c = committer;
        return HealthCheck.evaluate(new HealthCheck.Signals(state, failure, (now - lastPollNanos) / 1_000_000,
                settings.maxPollIntervalMs(), member, lanes.size(), oldestBusy / 1_000_000, oldestRecord,
                settings.stuckThreshold().toMillis(), c == null ? 0 : c.consecutiveFailures(),
                settings.commitFailureThreshold(), totalLag, settings.lagThreshold()));
    }

    public ConsumerStats stats() {
        Map<TopicPartition, Long> lag = new HashMap<>();
        for (PartitionLane lane : lanes.values()) {
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
                inFlight(), pausedCount, c == null ? Map.of() : new HashMap<>(c.acked()), lag);
    }
}
