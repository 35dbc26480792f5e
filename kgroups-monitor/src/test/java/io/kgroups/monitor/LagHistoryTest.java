package io.kgroups.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class LagHistoryTest {
    private static final TopicPartition TP = new TopicPartition("orders", 0);

    private static void sample(LagHistory history, long time, long committed, long logEnd) {
        history.record("loader", TP, time, committed, logEnd, logEnd - committed);
    }

    @Test
    void aGroupThatCommitsEverySampleKeepsItsLastCommitsOldestFirst() {
        LagHistory history = new LagHistory(3, 60_000);
        for (int i = 0; i < 5; i++) {
            sample(history, 1_000L * i, 10L * i, 100L + i);
        }

        Window w = history.window("loader", TP);

        assertThat(w.times()).containsExactly(2_000, 3_000, 4_000);
        assertThat(w.committed()).containsExactly(20, 30, 40);
        assertThat(w.logEnd()).containsExactly(102, 103, 104);
        assertThat(w.lag()).containsExactly(82, 73, 64);
        assertThat(w.lastMovedMs()).isEqualTo(4_000);
        assertThat(w.commitIntervalMs()).isEqualTo(1_000);
    }

    @Test
    void samplesBetweenTwoCommitsLeaveOnlyTheNewest() {
        LagHistory history = new LagHistory(3, Long.MAX_VALUE);
        // Commits every 60 s, sampled every 5 s for 10 minutes: the window spans its last 3 commits, not 15 s.
        for (long t = 0; t <= 600_000; t += 5_000) {
            sample(history, t, t / 60_000 * 600, t / 100);
        }
        sample(history, 605_000, 6_000, 6_050);

        Window w = history.window("loader", TP);

        assertThat(w.times()).containsExactly(480_000, 540_000, 600_000, 605_000);
        assertThat(w.committed()).containsExactly(4_800, 5_400, 6_000, 6_000);
        assertThat(w.logEnd()).containsExactly(4_800, 5_400, 6_000, 6_050);
        assertThat(w.commitPoints()).isEqualTo(3);
        assertThat(w.lastMovedMs()).isEqualTo(600_000);
        assertThat(w.commitIntervalMs()).isEqualTo(60_000);
    }

    @Test
    void theFirstSampleIsNotACommitTheMonitorSawHappen() {
        LagHistory history = new LagHistory(10, Long.MAX_VALUE);
        sample(history, 0, 5, 10);
        sample(history, 1_000, 5, 12);

        assertThat(history.window("loader", TP).lastMovedMs()).isEqualTo(-1);
        assertThat(history.window("loader", TP).commitIntervalMs()).isEqualTo(-1);

        // One commit seen: when it moved is known, how often it commits is not yet.
        sample(history, 2_000, 7, 14);
        assertThat(history.window("loader", TP).lastMovedMs()).isEqualTo(2_000);
        assertThat(history.window("loader", TP).commitIntervalMs()).isEqualTo(-1);

        sample(history, 5_000, 9, 14);
        assertThat(history.window("loader", TP).commitIntervalMs()).isEqualTo(3_000);
        assertThat(history.window("loader", TP).times()).containsExactly(0, 2_000, 5_000);
    }

    @Test
    void neverCommittedIsMinusOneAndTheFirstCommitIsAMove() {
        LagHistory history = new LagHistory(10, Long.MAX_VALUE);
        history.record("loader", TP, 0, -1, 500, 500);
        history.record("loader", TP, 5_000, -1, 520, 520);
        history.record("loader", TP, 10_000, 450, 540, 90);

        Window w = history.window("loader", TP);

        assertThat(w.committed()).containsExactly(-1, 450);
        assertThat(w.lastMovedMs()).isEqualTo(10_000);
    }

    @Test
    void dropsWhatIsNoLongerSampledAfterTheGrace() {
        LagHistory history = new LagHistory(5, 10_000);
        history.record("gone", TP, 0, 1, 1, 0);
        sample(history, 0, 1, 1);
        sample(history, 9_000, 2, 2);

        history.dropStale(15_000);

        assertThat(history.groupCount()).isEqualTo(1);
        assertThat(history.window("gone", TP).size()).isZero();
        assertThat(history.window("loader", TP).size()).isEqualTo(2);
    }
}
