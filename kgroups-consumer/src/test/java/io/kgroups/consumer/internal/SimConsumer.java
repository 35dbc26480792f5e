package io.kgroups.consumer.internal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.OffsetMetadataTooLarge;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/**
 * The KafkaConsumer the simulated runtime gets: one member of the group, over {@link SimCluster}.
 * Like the real one it runs rebalance callbacks inside {@code poll} (eager, cooperative, lost),
 * starts a newly assigned partition at the committed offset after checking its leader epoch
 * against the log (an offset past a truncation goes back to where the log diverged), moves its
 * position past transaction markers and aborted data, answers asynchronous commits later (in a
 * later poll or commit), and throws {@code WakeupException} from a blocking call after
 * {@code wakeup()}. The simulation decides everything random, from its seed.
 *
 * <p>Each record carries a header {@code sim} with the ledger id of its entry and the generation
 * it was fetched in (an assignment of the partition, or a fetch that went back).
 */
final class SimConsumer extends MockConsumer<byte[], byte[]> {
    static final String HEADER = "sim";

    /** What the simulation is told of. */
    interface Observer {
        /** The runtime sends a commit (checked at send, whatever its answer); {@code stored}: the coordinator takes it. */
        void committing(Map<TopicPartition, OffsetAndMetadata> offsets, String how, boolean stored);

        /** A poll returns records of {@code tp}, fetched in {@code generation}. */
        void returned(TopicPartition tp, List<SimCluster.Entry> entries, long generation);

        /** The runtime called wakeup(): its next poll comes soon. */
        void wokenUp();
    }

    /** An async commit's answer, delivered in a later call. */
    private record Answer(Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback, Exception error,
            long at) {
    }

    private final SimCluster cluster;
    private final SimWorld world;
    private final Observer observer;
    private final java.util.function.LongSupplier generations;
    private final int maxPollRecords;
    private ConsumerRebalanceListener listener;
    private final Set<TopicPartition> owned = new LinkedHashSet<>();
    private final Map<TopicPartition, Long> positions = new HashMap<>();
    private final Map<TopicPartition, Long> generation = new HashMap<>();
    private final Map<TopicPartition, Long> lastReturned = new HashMap<>();
    private final Set<TopicPartition> fetched = new HashSet<>();
    private final Set<TopicPartition> unknownPosition = new HashSet<>();
    private final Set<TopicPartition> paused = new LinkedHashSet<>();
    private final Set<TopicPartition> losing = new HashSet<>();
    private final Set<TopicPartition> revoking = new HashSet<>();
    private final ArrayDeque<Runnable> rebalances = new ArrayDeque<>();
    private final ArrayDeque<Answer> answers = new ArrayDeque<>();
    final ArrayDeque<RuntimeException> syncFaults = new ArrayDeque<>();
    int committedFaults;
    /** Chance that an async commit fails (decided when it is sent). */
    double asyncFailure;
    boolean allowFencing;
    private boolean wakeupPending;
    private boolean closed;
    private int rotation;
    private long lastPollTimeoutMs;
    private boolean lastPollReturned;

    SimConsumer(SimCluster cluster, SimWorld world, Observer observer, java.util.function.LongSupplier generations,
            int maxPollRecords) {
        super("earliest");
        this.cluster = cluster;
        this.world = world;
        this.observer = observer;
        this.generations = generations;
        this.maxPollRecords = maxPollRecords;
    }

    // ---- what the simulation does to it ----

    /** A rebalance at the next poll: {@code eager} revokes everything first; otherwise only what goes. */
    void rebalance(Set<TopicPartition> target, boolean eager) {
        rebalances.add(() -> {
            Set<TopicPartition> revoked = new LinkedHashSet<>(owned);
            if (!eager) {
                revoked.removeAll(target);
            }
            if (!revoked.isEmpty()) {
                revoking.addAll(revoked);
                listener.onPartitionsRevoked(revoked);
                revoking.clear();
                release(revoked);
            }
            Set<TopicPartition> added = new LinkedHashSet<>(target);
            added.removeAll(owned);
            assign(added);
        });
    }

    /** The member is lost (session expired, removed by an admin) and gets {@code target} when it rejoins. */
    void loseAndRejoin(Set<TopicPartition> target) {
        rebalances.add(() -> {
            Set<TopicPartition> lost = new LinkedHashSet<>(owned);
            if (!lost.isEmpty()) {
                losing.addAll(lost);
                listener.onPartitionsLost(lost);
                losing.clear();
                release(lost);
            }
        });
        rebalances.add(() -> assign(new LinkedHashSet<>(target)));
    }

    /** The position of an owned partition is not known for a while (validation after a leader change). */
    void forgetPosition(TopicPartition tp) {
        if (owned.contains(tp)) {
            unknownPosition.add(tp);
        }
    }

    void knowPositions() {
        unknownPosition.clear();
    }

    /** A truncation of {@code partition} at {@code from}: a position past it goes back there (epoch validation). */
    void truncated(int partition, long from) {
        TopicPartition tp = cluster.topicPartitions.get(partition);
        Long position = positions.get(tp);
        if (position != null && position > from) {
            positions.put(tp, from);
        }
    }

    Set<TopicPartition> owned() {
        return owned;
    }

    long generation(TopicPartition tp) {
        return generation.getOrDefault(tp, -1L);
    }

    boolean closedByRuntime() {
        return closed;
    }

    /** How long the runtime asked its last poll to wait (ms), and whether that poll returned records. */
    long lastPollTimeoutMs() {
        return lastPollTimeoutMs;
    }

    boolean lastPollReturned() {
        return lastPollReturned;
    }

    private void assign(Set<TopicPartition> added) {
        for (TopicPartition tp : added) {
            owned.add(tp);
            generation.put(tp, generations.getAsLong());
            positions.put(tp, cluster.startFor(tp.partition()));
            lastReturned.remove(tp);
            fetched.remove(tp);
            if (world.chance(0.15)) {
                unknownPosition.add(tp);
                world.outside(world.millisBetween(1, 300), "position of " + tp + " known", () -> unknownPosition.remove(tp));
            }
        }
        listener.onPartitionsAssigned(added);
    }

    private void release(Collection<TopicPartition> gone) {
        for (TopicPartition tp : new ArrayList<>(gone)) {
            owned.remove(tp);
            positions.remove(tp);
            paused.remove(tp);
            unknownPosition.remove(tp);
            fetched.remove(tp);
            generation.remove(tp);
        }
    }

    // ---- the Consumer the runtime calls ----

    @Override
    public void subscribe(Collection<String> topics, ConsumerRebalanceListener callback) {
        listener = callback;
    }

    @Override
    public void subscribe(Pattern pattern, ConsumerRebalanceListener callback) {
        listener = callback;
    }

    @Override
    public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
        requireOpen();
        lastPollTimeoutMs = timeout.toMillis();
        lastPollReturned = false;
        if (takeWakeup()) {
            throw new WakeupException();
        }
        deliverAnswers();
        while (!rebalances.isEmpty()) {
            rebalances.poll().run();
        }
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> out = new LinkedHashMap<>();
        List<TopicPartition> order = new ArrayList<>(owned);
        int budget = maxPollRecords;
        for (int i = 0; i < order.size() && budget > 0; i++) {
            TopicPartition tp = order.get((i + rotation) % order.size());
            if (paused.contains(tp) || unknownPosition.contains(tp)) {
                continue;
            }
            List<SimCluster.Entry> entries = fetch(tp, world.between(1, budget));
            fetched.add(tp);
            if (entries.isEmpty()) {
                continue;
            }
            long gen = generation.get(tp);
            Long last = lastReturned.get(tp);
            if (last != null && entries.get(0).offset <= last) {
                gen = generations.getAsLong(); // the fetch went back: the runtime starts a new generation too
                generation.put(tp, gen);
            }
            lastReturned.put(tp, entries.get(entries.size() - 1).offset);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>(entries.size());
            for (SimCluster.Entry entry : entries) {
                records.add(record(entry, gen));
            }
            budget -= records.size();
            out.put(tp, records);
            observer.returned(tp, entries, gen);
        }
        rotation++;
        lastPollReturned = !out.isEmpty();
        return out.isEmpty() ? ConsumerRecords.empty() : new ConsumerRecords<>(out, Map.of());
    }

    /** Up to {@code max} records from the position on, passing markers and gaps as the fetcher does. */
    private List<SimCluster.Entry> fetch(TopicPartition tp, int max) {
        int p = tp.partition();
        long next = positions.get(tp);
        List<SimCluster.Entry> entries = new ArrayList<>();
        while (entries.size() < max && next < cluster.logEnd(p)) {
            SimCluster.Entry entry = cluster.atOrAfter(p, next);
            if (entry == null) {
                if (world.chance(0.7)) {
                    next = cluster.logEnd(p); // aborted data at the end of the log
                }
                break;
            }
            if (entry.control) {
                next = entry.offset + 1;
                continue;
            }
            entries.add(entry);
            next = entry.offset + 1;
        }
        if (world.chance(0.6)) {
            // The fetch also held what follows the last record: markers and aborted data are passed.
            while (next < cluster.logEnd(p)) {
                SimCluster.Entry entry = cluster.atOrAfter(p, next);
                if (entry == null) {
                    next = cluster.logEnd(p);
                } else if (entry.control) {
                    next = entry.offset + 1;
                    continue;
                } else {
                    next = entry.offset;
                }
                break;
            }
        }
        positions.put(tp, next);
        return entries;
    }

    private ConsumerRecord<byte[], byte[]> record(SimCluster.Entry entry, long gen) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(HEADER, (entry.id + ":" + gen).getBytes(StandardCharsets.UTF_8));
        byte[] key = entry.key == null ? null : entry.key.getBytes(StandardCharsets.UTF_8);
        byte[] value = (entry.poison ? "poison" : "v").getBytes(StandardCharsets.UTF_8);
        return new ConsumerRecord<>(SimCluster.TOPIC, entry.partition, entry.offset, 0L, TimestampType.CREATE_TIME,
                key == null ? -1 : key.length, value.length, key, value, headers, Optional.of(entry.epoch));
    }

    @Override
    public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
        requireOpen();
        if (takeWakeup()) {
            throw new WakeupException();
        }
        deliverAnswers();
        RuntimeException fault = syncFaults.poll();
        if (fault != null) {
            throw fault;
        }
        RuntimeException tooLarge = tooLarge(offsets);
        if (tooLarge != null) {
            throw tooLarge;
        }
        observer.committing(offsets, "commitSync", true);
        cluster.committed.putAll(offsets);
    }

    @Override
    public void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback) {
        requireOpen();
        Map<TopicPartition, OffsetAndMetadata> copy = new LinkedHashMap<>(offsets);
        Exception error = tooLarge(copy);
        if (error == null && world.chance(asyncFailure)) {
            int kind = world.between(0, allowFencing ? 3 : 2);
            error = switch (kind) {
                case 0 -> new RebalanceInProgressException("simulated: rebalance in progress");
                case 1 -> new TimeoutException("simulated: commit timed out");
                case 2 -> new CommitFailedException("simulated: the group moved on");
                default -> new FencedInstanceIdException("simulated: fenced");
            };
        }
        observer.committing(copy, "commitAsync", error == null);
        if (error == null) {
            cluster.committed.putAll(copy); // the coordinator takes commits in the order they are sent
        }
        answers.add(new Answer(copy, callback, error, world.nanos() + world.millisBetween(0, 200)));
    }

    private RuntimeException tooLarge(Map<TopicPartition, OffsetAndMetadata> offsets) {
        for (OffsetAndMetadata offset : offsets.values()) {
            if (offset.metadata().length() > cluster.metadataLimit) {
                return new OffsetMetadataTooLarge("simulated: metadata of " + offset.metadata().length() + " characters");
            }
        }
        return null;
    }

    private void deliverAnswers() {
        while (!answers.isEmpty() && answers.peek().at <= world.nanos()) {
            Answer answer = answers.poll();
            if (answer.callback != null) {
                answer.callback.onComplete(answer.offsets, answer.error);
            }
        }
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions, Duration timeout) {
        requireOpen();
        if (takeWakeup()) {
            throw new WakeupException();
        }
        if (committedFaults > 0) {
            committedFaults--;
            throw new TimeoutException("simulated: offsets could not be fetched in time");
        }
        Map<TopicPartition, OffsetAndMetadata> result = new HashMap<>();
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata offset = cluster.committed.get(tp);
            if (offset != null) {
                result.put(tp, offset);
            }
        }
        return result;
    }

    @Override
    public void seek(TopicPartition tp, long offset) {
        if (!owned.contains(tp)) {
            throw new IllegalStateException("No current assignment for partition " + tp);
        }
        positions.put(tp, offset);
        unknownPosition.remove(tp);
        generation.put(tp, generations.getAsLong()); // what was returned before is dropped: a new generation
        lastReturned.remove(tp);
    }

    @Override
    public long position(TopicPartition tp, Duration timeout) {
        requireOpen();
        if (!owned.contains(tp)) {
            throw new IllegalStateException("You can only check the position for partitions assigned to this consumer.");
        }
        if (unknownPosition.contains(tp)) {
            if (takeWakeup()) {
                throw new WakeupException();
            }
            throw new TimeoutException("simulated: position of " + tp + " not known yet");
        }
        return positions.get(tp);
    }

    @Override
    public long position(TopicPartition tp) {
        return position(tp, Duration.ofMinutes(1));
    }

    @Override
    public OptionalLong currentLag(TopicPartition tp) {
        if (!owned.contains(tp) || unknownPosition.contains(tp) || !fetched.contains(tp)) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(cluster.logEnd(tp.partition()) - positions.get(tp));
    }

    @Override
    public void pause(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            if (!owned.contains(tp)) {
                throw new IllegalStateException("No current assignment for partition " + tp);
            }
            paused.add(tp);
        }
    }

    @Override
    public void resume(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            if (!owned.contains(tp)) {
                throw new IllegalStateException("No current assignment for partition " + tp);
            }
            paused.remove(tp);
        }
    }

    @Override
    public Set<TopicPartition> paused() {
        return new HashSet<>(paused);
    }

    @Override
    public Set<TopicPartition> assignment() {
        return new HashSet<>(owned);
    }

    /** Whether {@code tp} is being revoked or lost right now (its rebalance callback runs). */
    boolean leaving(TopicPartition tp) {
        return revoking.contains(tp) || losing.contains(tp);
    }

    /** Whether a commit for {@code tp} now would come from its owner (the runtime never commits what it lost). */
    boolean mayCommit(TopicPartition tp) {
        return owned.contains(tp) && !losing.contains(tp);
    }

    @Override
    public void wakeup() {
        wakeupPending = true;
        observer.wokenUp();
    }

    private boolean takeWakeup() {
        if (wakeupPending) {
            wakeupPending = false;
            return true;
        }
        return false;
    }

    @Override
    public void close(CloseOptions options) {
        if (closed) {
            return;
        }
        deliverAnswers();
        if (!owned.isEmpty() && listener != null) {
            listener.onPartitionsRevoked(new LinkedHashSet<>(owned)); // leaving the group, as KafkaConsumer does
        }
        release(new ArrayList<>(owned));
        closed = true;
    }

    @Override
    public void close(Duration timeout) {
        close(CloseOptions.timeout(timeout));
    }

    @Override
    public void close() {
        close(CloseOptions.timeout(Duration.ofSeconds(30)));
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("This consumer has already been closed.");
        }
    }
}
