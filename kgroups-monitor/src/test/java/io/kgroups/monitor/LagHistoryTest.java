package io.kgroups.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class LagHistoryTest {
    private static final TopicPartition TP = new TopicPartition("orders", 0);

    @Test
    void keepsTheLastWindowOfSamplesOldestFirst() {
        LagHistory history = new LagHistory(3, 60_000);
        for (int i = 0; i < 5; i++) {
            history.record("loader", TP, 1_000L * i, 10L * i, 100L + i);
        }

        Window w = history.window("loader", TP);

        assertThat(w.times()).containsExactly(2_000, 3_000, 4_000);
        assertThat(w.committed()).containsExactly(20, 30, 40);
        assertThat(w.logEnd()).containsExactly(102, 103, 104);
        assertThat(w.lastMovedMs()).isEqualTo(4_000);
    }

    @Test
    void remembersWhenTheCommittedOffsetLastMovedBeyondTheWindow() {
        LagHistory history = new LagHistory(2, 60_000);
        history.record("loader", TP, 0, 5, 10);
        history.record("loader", TP, 1_000, 7, 10);
        history.record("loader", TP, 2_000, 7, 12);
        history.record("loader", TP, 3_000, 7, 14);

        assertThat(history.window("loader", TP).lastMovedMs()).isEqualTo(1_000);
        assertThat(history.window("loader", TP).times()).containsExactly(2_000, 3_000);
    }

    @Test
    void dropsWhatIsNoLongerSampledAfterTheGrace() {
        LagHistory history = new LagHistory(5, 10_000);
        history.record("gone", TP, 0, 1, 1);
        history.record("loader", TP, 0, 1, 1);
        history.record("loader", TP, 9_000, 2, 2);

        history.dropStale(15_000);

        assertThat(history.groupCount()).isEqualTo(1);
        assertThat(history.window("gone", TP).size()).isZero();
        assertThat(history.window("loader", TP).size()).isEqualTo(2);
    }
}
