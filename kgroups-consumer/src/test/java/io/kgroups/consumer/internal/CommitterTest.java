package io.kgroups.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.kgroups.consumer.CommitPolicy;
import io.kgroups.consumer.GroupListener;
import io.kgroups.consumer.Ordering;
import io.kgroups.consumer.internal.DoneOffsetsCodec.DoneOffsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.OffsetMetadataTooLarge;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Commit faults a real broker does not produce on demand (an async commit answered late, with a
 * failure, after a newer one was sent; metadata over a limit set per test), on Kafka's
 * MockConsumer with answers held back.
 */
class CommitterTest {
    private static final TopicPartition TP = new TopicPartition("orders", 0);
    private static final TopicPartition TP1 = new TopicPartition("orders", 1);

    /** A MockConsumer whose async commits are answered when the test says, and whose commits can fail. */
    static final class HeldCommitsConsumer extends MockConsumer<byte[], byte[]> {
        private final ArrayDeque<Map.Entry<Map<TopicPartition, OffsetAndMetadata>, OffsetCommitCallback>> held = new ArrayDeque<>();
        final List<Map<TopicPartition, OffsetAndMetadata>> syncCommits = new ArrayList<>();
        final Map<TopicPartition, Long> positions = new HashMap<>();
        RuntimeException failSync;
        int metadataLimit = Integer.MAX_VALUE;

        HeldCommitsConsumer() {
            super("earliest");
        }

        @Override
        public synchronized void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback) {
            if (callback == null) {
                super.commitAsync(offsets, null); // MockConsumer's commitSync stores through here
            } else {
                held.add(Map.entry(Map.copyOf(offsets), callback));
            }
        }

        @Override
        public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
            if (failSync != null) {
                throw failSync;
            }
            for (OffsetAndMetadata offset : offsets.values()) {
                if (offset.metadata().length() > metadataLimit) {
                    throw new OffsetMetadataTooLarge("metadata of " + offset.metadata().length() + " characters");
                }
            }
            syncCommits.add(Map.copyOf(offsets));
            super.commitSync(offsets, timeout);
        }

        @Override
        public synchronized long position(TopicPartition partition, Duration timeout) {
            Long position = positions.get(partition);
            if (position == null) {
                throw new TimeoutException("position of " + partition + " not known yet");
            }
            return position;
        }

        /** Answers the oldest held async commit: stored and acknowledged, or failed. */
        void answerOldest(Exception error) {
            var commit = held.poll();
            if (error == null) {
                super.commitSync(commit.getKey());
            }
            commit.getValue().onComplete(commit.getKey(), error);
        }
    }

    /** A clock that moves only when told; waits and sleeps just move it. */
    static final class ManualClock implements Clock {
        long now;

        @Override
        public long nanos() {
            return now;
        }

        @Override
        public void schedule(long delayMs, Runnable task) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean await(BooleanSupplier ready, long deadlineNanos) {
            now = Math.max(now, deadlineNanos);
            return ready.getAsBoolean();
        }

        @Override
        public void signal() {
        }

        @Override
        public void sleep(long millis) {
            now += millis * 1_000_000;
        }
    }

    /** Lane events that only remember a failure. */
    static final class Failures implements LaneEvents {
        String reason;

        @Override public void recordsDone(Lane lane, int count) { }
        @Override public void alreadyDone(Lane lane, int count) { }
        @Override public void laneDrained(Lane lane) { }
        @Override public void laneIdle(Lane lane) { }
        @Override public void laneRetired(Lane lane) { }
        @Override public void commitNow() { }
        @Override public void failed(String reason, Throwable cause) {
            this.reason = reason;
        }
        @Override public boolean stopped() {
            return reason != null;
        }
    }

    private HeldCommitsConsumer consumer;
    private ManualClock clock;
    private Failures failures;
    private Committer committer;
    private Lane lane;

    @BeforeEach
    void setUp() {
        consumer = new HeldCommitsConsumer();
        consumer.assign(List.of(TP, TP1));
        clock = new ManualClock();
        failures = new Failures();
        committer = committer(CommitPolicy.periodic(Duration.ofSeconds(1), 10_000), 4_000);
        lane = lane(TP, OffsetTracker.fresh());
    }

    private Committer committer(CommitPolicy policy, int budget) {
        return new Committer(consumer, new ConsumerQueries(consumer, clock, "g"), new ConsumerMetrics(null, "g"),
                new GroupListener() { }, failures, clock, "g", policy, budget);
    }

    private Lane lane(TopicPartition tp, OffsetTracker tracker) {
        return new Lane(tp, 1, tracker, false, null, null, clock, failures, Ordering.PARTITION, 1, false, false);
    }

    private OffsetAndMetadata stored(TopicPartition tp) {
        return consumer.committed(Set.of(tp)).get(tp);
    }

    @Test
    void aLateFailedAsyncCommitNeitherMovesTheOffsetBackNorHidesTheNewerOne() {
        lane.tracker().dispatch(0, 7);
        lane.tracker().dispatch(1, 7);
        lane.tracker().done(0);
        committer.commitAsync(List.of(lane));       // offset 1, held
        lane.tracker().done(1);
        committer.commitAsync(List.of(lane));       // offset 2, held

        consumer.answerOldest(new RebalanceInProgressException("late")); // the commit of 1 fails after 2 was sent
        committer.commitAsync(List.of(lane));
        assertThat(consumer.held).as("2 is still on its way: nothing to resend").hasSize(1);

        consumer.answerOldest(null);
        assertThat(committer.acked()).containsEntry(TP, 2L);
        assertThat(stored(TP)).isEqualTo(new OffsetAndMetadata(2, Optional.of(7), ""));
    }

    @Test
    void aFailedAsyncCommitIsSentAgainByTheNextCommit() {
        lane.tracker().dispatch(0, 7);
        lane.tracker().done(0);
        committer.commitAsync(List.of(lane));
        consumer.answerOldest(new TimeoutException("coordinator moved"));

        assertThat(committer.consecutiveFailures()).isEqualTo(1);
        assertThat(committer.commitSync(List.of(lane), false, Duration.ofSeconds(1))).isTrue();
        assertThat(consumer.syncCommits).hasSize(1);
        assertThat(committer.acked()).containsEntry(TP, 1L);
        assertThat(committer.consecutiveFailures()).isZero();
    }

    @Test
    void aFinalSyncCommitRetriesUntilItsTimeoutThenReportsFailure() {
        lane.tracker().dispatch(0, 7);
        lane.tracker().done(0);
        consumer.failSync = new RebalanceInProgressException("rebalancing");

        assertThat(committer.commitSync(List.of(lane), true, Duration.ofMillis(350))).isFalse();
        assertThat(committer.consecutiveFailures()).as("tried at 0, 100, 200 and 300 ms").isEqualTo(4);
        assertThat(committer.acked()).doesNotContainKey(TP);

        consumer.failSync = null;
        assertThat(committer.commitSync(List.of(lane), false, Duration.ofSeconds(1))).isTrue();
        assertThat(stored(TP).offset()).isEqualTo(1);
    }

    @Test
    void aTurnOfTheLoopTriesASyncCommitOnceAndGoesBackToPolling() {
        lane.tracker().dispatch(0, 7);
        lane.tracker().done(0);
        consumer.failSync = new RebalanceInProgressException("rebalancing");
        long before = clock.now;

        assertThat(committer.commitSync(List.of(lane), false, Duration.ofSeconds(30))).isFalse();
        assertThat(committer.consecutiveFailures()).isEqualTo(1);
        assertThat(clock.now).as("no pause on the poll thread").isEqualTo(before);
    }

    @Test
    void aFinalCommitDoesNotTrustAnUnansweredAsyncCommit() {
        lane.tracker().dispatch(0, 7);
        lane.tracker().done(0);
        committer.commitAsync(List.of(lane));       // held: may still fail

        assertThat(committer.commitSync(List.of(lane), false, Duration.ofSeconds(1))).isTrue();
        assertThat(consumer.syncCommits).as("an ordinary commit trusts the one on its way").isEmpty();
        assertThat(committer.commitSync(List.of(lane), true, Duration.ofSeconds(1))).isTrue();
        assertThat(consumer.syncCommits).hasSize(1);
        assertThat(committer.acked()).containsEntry(TP, 1L);
    }

    @Test
    void metadataOverTheBrokersLimitShrinksTheBudgetInsteadOfFailingEveryCommit() {
        // offsetMetadataBudget 4,000 against brokers whose offset.metadata.max.bytes is 100: every
        // done offset out of order used to make every commit fail, for good.
        consumer.metadataLimit = 100;
        lane.tracker().dispatch(0, 7);
        for (int i = 1; i <= 400; i++) {
            lane.tracker().dispatch(i * 3L, 7);
            lane.tracker().done(i * 3L); // 3, 6, 9, ... done while 0 waits: runs of 1 done, 2 not
        }
        assertThat(committer.commitSync(List.of(lane), false, Duration.ofSeconds(5))).isTrue();

        assertThat(committer.budget()).as("halved below what was refused").isLessThan(4_000);
        OffsetAndMetadata committed = stored(TP);
        assertThat(committed.offset()).isZero();
        assertThat(committed.metadata().length()).isLessThanOrEqualTo(100);

        lane.tracker().dispatch(1_500, 7);
        lane.tracker().done(1_500);
        assertThat(committer.commitSync(List.of(lane), false, Duration.ofSeconds(5))).as("the next one at once").isTrue();
        assertThat(committer.consecutiveFailures()).isZero();
    }

    @Test
    void perBatchCommitsAPartitionWhoseBatchIsDoneWhileAnotherWaits() {
        committer = committer(CommitPolicy.perBatch(CommitPolicy.Mode.SYNC), 4_000);
        Lane slow = lane(TP1, OffsetTracker.fresh());
        for (long offset = 0; offset < 3; offset++) {
            lane.tracker().dispatch(offset, 7);
            slow.tracker().dispatch(offset, 7);
        }
        committer.batchFetched(lane, 3);
        committer.batchFetched(slow, 3);
        for (long offset = 0; offset < 3; offset++) {
            lane.tracker().done(offset);
        }
        slow.tracker().done(0); // 1 retries for minutes

        committer.maybeCommit(List.of(lane, slow), Duration.ofSeconds(1));

        assertThat(stored(TP).offset()).isEqualTo(3);
        assertThat(stored(TP1)).as("its batch is not done").isNull();
    }

    @Test
    void aBatchOfAnEarlierGenerationDoesNotHoldBackTheNext() {
        committer = committer(CommitPolicy.perBatch(CommitPolicy.Mode.SYNC), 4_000);
        lane.tracker().dispatch(0, 7);
        committer.batchFetched(lane, 1); // never done: the partition is revoked
        committer.forget(List.of(lane));

        Lane again = lane(TP, new OffsetTracker(0, 7, DoneOffsets.NONE));
        committer.assigned(again, 0);
        again.tracker().dispatch(0, 7);
        again.tracker().dispatch(1, 7);
        committer.batchFetched(again, 2);
        again.tracker().done(0);
        again.tracker().done(1);

        committer.maybeCommit(List.of(again), Duration.ofSeconds(1));
        assertThat(stored(TP).offset()).isEqualTo(2);
    }

    @Test
    void nothingPendingCommitsThePositionPastATransactionMarker() {
        lane.tracker().dispatch(9, 7);
        lane.tracker().done(9);
        consumer.positions.put(TP, 11L); // the commit marker at 10 was passed by the consumer

        assertThat(committer.commitSync(List.of(lane), false, Duration.ofSeconds(1))).isTrue();
        assertThat(stored(TP)).isEqualTo(new OffsetAndMetadata(11, Optional.of(7), ""));
    }

    @Test
    void aPositionNotKnownYetFallsBackToOnePastTheLastDone() {
        lane.tracker().dispatch(9, 7);
        lane.tracker().done(9);

        assertThat(committer.commitSync(List.of(lane), false, Duration.ofSeconds(1))).isTrue();
        assertThat(stored(TP).offset()).isEqualTo(10);
    }

    @Test
    void aFreshlyAssignedPartitionIsNotCommittedAgainUntilItMoves() {
        Lane assigned = lane(TP, new OffsetTracker(40, 7,
                new DoneOffsets(new long[] {42}, new int[] {7})));
        committer.assigned(assigned, 40);
        consumer.positions.put(TP, 40L);

        assertThat(committer.commitSync(List.of(assigned), false, Duration.ofSeconds(1))).isTrue();
        assertThat(consumer.syncCommits).isEmpty();
    }

    @Test
    void aFencedStaticMemberStopsTheConsumer() {
        lane.tracker().dispatch(0, 7);
        lane.tracker().done(0);
        consumer.failSync = new FencedInstanceIdException("instance loader-1 was fenced");

        assertThat(committer.commitSync(List.of(lane), true, Duration.ofSeconds(1))).isFalse();
        assertThat(failures.reason).contains("group.instance.id").contains("fenced");
    }
}
