package io.kgroups.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which partitions pause, from what their lanes hold: a table of cases, each from a fresh state and after a pause. */
class BackpressureRulesTest {
    private static final TopicPartition TP = new TopicPartition("orders", 0);
    private static final int CAPACITY = 100;
    private static final int BUDGET = 400;

    private static Backpressure.Load load(int queued, long bytes, int pending, int metadata, boolean held) {
        return new Backpressure.Load(TP, queued, bytes, pending, metadata, held);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("empty", load(0, 0, 0, 0, false), false, false),
                Arguments.of("queue full", load(100, 0, 100, 0, false), true, true),
                Arguments.of("queue between the marks", load(70, 0, 70, 0, false), false, true),
                Arguments.of("queue at half", load(50, 0, 50, 0, false), false, false),
                Arguments.of("all bytes", load(10, 1_000, 10, 0, false), true, true),
                Arguments.of("bytes between the marks", load(10, 900, 10, 0, false), false, true),
                Arguments.of("metadata over half the budget, records pending", load(0, 0, 5, 201, false), true, true),
                Arguments.of("metadata between a quarter and half", load(0, 0, 5, 150, false), false, true),
                Arguments.of("metadata at a quarter", load(0, 0, 5, 100, false), false, false),
                // Long metadata with nothing pending: only offsets inherited from a previous owner, which go as
                // the partition is fetched past them. Pausing it would stall it for good.
                Arguments.of("metadata over half, nothing pending", load(0, 0, 0, 390, false), false, false),
                Arguments.of("held (its previous generation still in a handler)", load(0, 0, 0, 0, true), true, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void pausesWithHysteresis(String name, Backpressure.Load load, boolean pausedFromFresh, boolean stillPausedAfterAPause) {
        Backpressure fresh = new Backpressure(CAPACITY, 1_000, 1_000);
        assertThat(fresh.update(List.of(load), BUDGET).paused().contains(TP)).as("from a fresh state").isEqualTo(pausedFromFresh);

        Backpressure afterPause = new Backpressure(CAPACITY, 1_000, 1_000);
        afterPause.update(List.of(load(100, 1_000, 100, 0, false)), BUDGET); // paused: queue and bytes full
        assertThat(afterPause.update(List.of(load), BUDGET).paused().contains(TP)).as("after a pause")
                .isEqualTo(stillPausedAfterAPause);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aPartitionPausedForAFullQueueAsksToBeWokenWhenItDrains(String name, Backpressure.Load load, boolean pausedFromFresh,
            boolean ignored) {
        Backpressure fresh = new Backpressure(CAPACITY, 1_000, 1_000);
        boolean full = fresh.update(List.of(load), BUDGET).pausedFull().contains(TP);
        assertThat(full).isEqualTo(pausedFromFresh && load.queued() >= CAPACITY / 2);
    }
}
