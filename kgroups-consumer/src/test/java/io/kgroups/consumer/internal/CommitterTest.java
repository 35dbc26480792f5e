package io.kgroups.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.kgroups.consumer.GroupListener;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Commit faults a real broker does not produce on demand (an async commit answered late, with a
 * failure, after a newer one was sent), on Kafka's MockConsumer with answers held back.
 */
class CommitterTest {
    private static final TopicPartition TP = new TopicPartition("orders", 0);

    /** A MockConsumer whose async commits are answered when the test says, and whose commits can fail. */
    static final class HeldCommitsConsumer extends MockConsumer<byte[], byte[]> {
        private final ArrayDeque<Map.Entry<Map<TopicPartition, OffsetAndMetadata>, OffsetCommitCallback>> held = new ArrayDeque<>();
        RuntimeException failSync;

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
            super.commitSync(offsets, timeout);
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

    private HeldCommitsConsumer consumer;
    private Committer committer;
    private PartitionLane lane;

    @BeforeEach
    void setUp() {
        consumer = new HeldCommitsConsumer();
        consumer.assign(List.of(TP));
        committer = new Committer(consumer, new ConsumerMetrics(null, "g"), new GroupListener() { }, "g", 4_000);
        lane = new PartitionLane(TP, null, null, null, null, io.kgroups.consumer.Ordering.PARTITION, 1, false, false);
    }

    @Test
    void aLateFailedAsyncCommitNeitherMovesTheOffsetBackNorHidesTheNewerOne() {
        lane.offsets().dispatched(0, 7);
        lane.offsets().dispatched(1, 7);
        lane.offsets().done(0);
        committer.commitAsync(List.of(lane), Map.of(TP, lane));       // offset 1, held
        lane.offsets().done(1);
        committer.commitAsync(List.of(lane), Map.of(TP, lane));       // offset 2, held

        consumer.answerOldest(new RebalanceInProgressException("late")); // the commit of 1 fails after 2 was sent
        assertThat(committer.pending(List.of(lane), false)).as("2 is still on its way: nothing to resend").isNull();

        consumer.answerOldest(null);
        assertThat(committer.acked()).containsEntry(TP, 2L);
        assertThat(consumer.committed(Set.of(TP)).get(TP)).isEqualTo(new OffsetAndMetadata(2, Optional.of(7), ""));
    }

    @Test
    void aFailedAsyncCommitIsSentAgainByTheNextCommit() {
        lane.offsets().dispatched(0, 7);
        lane.offsets().done(0);
        committer.commitAsync(List.of(lane), Map.of(TP, lane));
        consumer.answerOldest(new TimeoutException("coordinator moved"));

        assertThat(committer.consecutiveFailures()).isEqualTo(1);
        assertThat(committer.pending(List.of(lane), false).offsets()).containsKey(TP);
        assertThat(committer.commitSync(List.of(lane), Map.of(TP, lane), Duration.ofSeconds(1), false)).isTrue();
        assertThat(committer.acked()).containsEntry(TP, 1L);
        assertThat(committer.consecutiveFailures()).isZero();
    }

    @Test
    void aSyncCommitRetriesUntilItsTimeoutThenReportsFailure() {
        lane.offsets().dispatched(0, 7);
        lane.offsets().done(0);
        consumer.failSync = new RebalanceInProgressException("rebalancing");

        assertThat(committer.commitSync(List.of(lane), Map.of(TP, lane), Duration.ofMillis(350), false)).isFalse();
        assertThat(committer.acked()).doesNotContainKey(TP);
        assertThat(committer.pending(List.of(lane), false).offsets()).containsKey(TP);
    }

    @Test
    void aFinalCommitDoesNotTrustAnUnansweredAsyncCommit() {
        lane.offsets().dispatched(0, 7);
        lane.offsets().done(0);
        committer.commitAsync(List.of(lane), Map.of(TP, lane));       // held: may still fail

        assertThat(committer.pending(List.of(lane), false)).isNull();
        assertThat(committer.pending(List.of(lane), true).offsets()).containsKey(TP);
        assertThat(committer.commitSync(List.of(lane), Map.of(TP, lane), Duration.ofSeconds(1), true)).isTrue();
        assertThat(committer.acked()).containsEntry(TP, 1L);
    }
}
