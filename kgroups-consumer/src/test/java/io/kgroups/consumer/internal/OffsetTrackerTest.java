package io.kgroups.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kgroups.consumer.internal.DoneOffsetsCodec.DoneOffsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OffsetTrackerTest {

    @ParameterizedTest(name = "dispatched {0}, done {1}, position {2} -> stands at {3}")
    @CsvSource(delimiter = '|', value = {
        "''          | ''      | -1 | -1",
        "5,6,7       | ''      | -1 | 5",
        "5,6,7       | 5       | -1 | 6",
        "5,6,7       | 6       | -1 | 5",
        "5,6,7       | 6,5     | -1 | 7",
        "5,6,7       | 7,6,5   | -1 | 8",
        "5,9,12      | 5,9     | -1 | 12",   // gaps (compaction, aborted data): the next one not done
        "5,9,12      | 12,9,5  | -1 | 13",
        "5,6,7       | 6,6,5   | -1 | 7",    // done twice is harmless
        "5,6,7       | 42      | -1 | 5",    // unknown offsets are ignored
        // Nothing pending: the consumer's position, past a transaction's commit marker (or aborted data).
        "0,1,2,3     | 0,1,2,3 | 5  | 5",
        "0,1,2,3     | 0,1,2,3 | 4  | 4",
        // Something pending: the position says nothing about it.
        "0,1,2,3     | 0,1,3   | 5  | 2",
        // A position behind what was handed out is stale (not this generation's): not trusted.
        "0,1,2,3     | 0,1,2,3 | 2  | 4",
        // Nothing handed out yet, the position known.
        "''          | ''      | 7  | 7",
    })
    void standsAtTheLowestOffsetNotDoneElseThePosition(String dispatched, String done, long position, long standing) {
        OffsetTracker tracker = OffsetTracker.fresh();
        for (long offset : longs(dispatched)) {
            tracker.dispatch(offset, 3);
        }
        for (long offset : longs(done)) {
            tracker.done(offset);
        }
        assertThat(tracker.standing(position)).isEqualTo(standing);
        OffsetTracker.CommitPoint point = tracker.commitPoint(position);
        assertThat(point == null ? -1 : point.offset()).isEqualTo(standing);
    }

    @Test
    void aTransactionalTopicReadToItsEndIsCommittedPastItsLastMarker() {
        // 5 transactions of 10 records: records at 0-9, 11-20, ..., 44-53, markers at 10, 21, ..., 54; log end 55.
        OffsetTracker tracker = new OffsetTracker(0, 0, DoneOffsets.NONE);
        for (int txn = 0; txn < 5; txn++) {
            for (int i = 0; i < 10; i++) {
                long offset = txn * 11L + i;
                tracker.dispatch(offset, 0);
                tracker.done(offset);
            }
        }
        assertThat(tracker.standing(-1)).as("what the records alone say").isEqualTo(54);
        OffsetTracker.CommitPoint point = tracker.commitPoint(55);
        assertThat(point.offset()).isEqualTo(55);
        assertThat(point.epoch()).isEqualTo(0);
    }

    @Test
    void offsetsMustIncreaseFromTheStart() {
        OffsetTracker tracker = new OffsetTracker(10, 4, DoneOffsets.NONE);
        assertThat(tracker.accepts(9)).as("below the committed offset it started from").isFalse();
        assertThat(tracker.accepts(10)).isTrue();
        tracker.dispatch(12, 4);
        assertThat(tracker.accepts(12)).isFalse();
        assertThat(tracker.accepts(11)).isFalse();
        assertThatThrownBy(() -> tracker.dispatch(12, 4)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aRecordAPreviousOwnerDidIsDoneOnlyWithTheSameLeaderEpoch() {
        // The previous owner committed 100 (epoch 4) with 102 and 104 done, both written in epoch 4.
        OffsetTracker tracker = new OffsetTracker(100, 4,
                new DoneOffsets(new long[] {102, 104}, new int[] {4, 4}));
        assertThat(tracker.dispatch(100, 4)).isFalse();
        assertThat(tracker.dispatch(101, 4)).isFalse();
        assertThat(tracker.dispatch(102, 4)).as("the same record: done").isTrue();
        assertThat(tracker.dispatch(103, 5)).isFalse();
        // After an unclean election 104 is a record of epoch 5: not the one that was done.
        assertThat(tracker.dispatch(104, 5)).isFalse();
        assertThat(tracker.pending()).isEqualTo(5);
        tracker.done(100);
        tracker.done(101);
        assertThat(tracker.standing(-1)).isEqualTo(103);
    }

    @Test
    void theFirstCommitKeepsThePreviousOwnersDoneOffsetsAndTheCommittedEpoch() {
        OffsetTracker tracker = new OffsetTracker(100, 4,
                new DoneOffsets(new long[] {103, 150, 151}, new int[] {4, 4, 5}));
        tracker.dispatch(100, 4); // in a handler, slow
        tracker.dispatch(101, 4);
        tracker.done(101);

        OffsetTracker.CommitPoint point = tracker.commitPoint(-1);
        assertThat(point.offset()).isEqualTo(100);
        assertThat(point.epoch()).as("the epoch the committed offset carried, not none").isEqualTo(4);
        assertThat(point.doneAbove().offsets()).containsExactly(101, 103, 150, 151);
        assertThat(point.doneAbove().epochs()).containsExactly(4, 4, 4, 5);
    }

    @Test
    void previousOwnersDoneOffsetsThePositionPassedAreDropped() {
        OffsetTracker tracker = new OffsetTracker(100, 4, new DoneOffsets(new long[] {103, 150}, new int[] {4, 4}));
        // Nothing fetched yet, and the position already at 120 (the records in between compacted away).
        OffsetTracker.CommitPoint point = tracker.commitPoint(120);
        assertThat(point.offset()).isEqualTo(120);
        assertThat(point.doneAbove().offsets()).containsExactly(150);
    }

    @Test
    void aGenerationThatCouldNotReadTheCommittedOffsetCommitsNoPositionBeforeItsFirstRecord() {
        // Committing the position then would repeat the group's offset without its leader epoch.
        OffsetTracker tracker = OffsetTracker.unknown();
        assertThat(tracker.commitPoint(92)).isNull();
        tracker.dispatch(92, 1);
        tracker.done(92);
        assertThat(tracker.commitPoint(94).offset()).isEqualTo(94);
        assertThat(tracker.commitPoint(94).epoch()).isEqualTo(1);
    }

    @Test
    void aPositionCommittedOnceIsPassedEvenWhenItIsNotKnownNextTime() {
        OffsetTracker tracker = OffsetTracker.fresh();
        tracker.dispatch(4, 0);
        tracker.done(4);
        assertThat(tracker.commitPoint(9).offset()).isEqualTo(9); // markers 5-8 passed
        assertThat(tracker.commitPoint(-1).offset()).as("never back to 5").isEqualTo(9);
        assertThat(tracker.accepts(7)).as("a fetch below it went back").isFalse();
        assertThat(tracker.accepts(9)).isTrue();
    }

    @Test
    void theVersionChangesWithEveryRecordDone() {
        OffsetTracker tracker = OffsetTracker.fresh();
        tracker.dispatch(1, 0);
        tracker.dispatch(2, 0);
        long before = tracker.version();
        tracker.done(2);
        assertThat(tracker.version()).isGreaterThan(before);
        assertThat(tracker.standing(-1)).as("2 done above 1: the standing does not move").isEqualTo(1);
    }

    private static long[] longs(String csv) {
        return csv.isBlank() ? new long[0] : java.util.Arrays.stream(csv.split(",")).mapToLong(Long::parseLong).toArray();
    }
}
