package io.kgroups.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A steady producer of 10 records/s, sampled every 10 s: log-end 0, 100, 200, 300 at 0, 10, 20, 30 s. */
class TimeLagEstimatorTest {
    private static final long[] TIMES = {0, 10_000, 20_000, 30_000};
    private static final long[] LOG_END = {0, 100, 200, 300};

    @ParameterizedTest(name = "committed {0} at {1} ms: {2} s")
    @CsvSource({
        "150, 30000, 14.9",   // record 150 written at 15.1 s
        "0, 30000, 29.9",     // record 0 written at 0.1 s
        "299, 30000, 0.0",    // the last record, written at 30 s
        "300, 30000, 0.0",    // caught up
        "250, 35000, 9.9",    // time goes on between samples
    })
    void interpolatesBetweenSamples(long committed, long now, double seconds) {
        assertThat(TimeLagEstimator.seconds(TIMES, LOG_END, committed, now, 5_000)).isCloseTo(seconds, org.assertj.core.data.Offset.offset(0.001));
    }

    @ParameterizedTest(name = "committed {0}")
    @CsvSource({"-5", "-1"})
    void neverExtrapolatesBeforeTheHistory(long committed) {
        long[] logEnd = {1_000, 1_100, 1_200, 1_300};
        assertThat(TimeLagEstimator.seconds(TIMES, logEnd, 1_000 + committed, 30_000, 5_000)).isNull();
    }

    @org.junit.jupiter.api.Test
    void neverInterpolatesBetweenSamplesMoreThanTwoIntervalsApart() {
        // Two commits 10 minutes apart: the record may have been written at any time between them.
        long[] times = {0, 600_000, 605_000};
        long[] logEnd = {100, 700, 705};
        assertThat(TimeLagEstimator.seconds(times, logEnd, 400, 605_000, 5_000)).isNull();
        assertThat(TimeLagEstimator.seconds(times, logEnd, 702, 605_000, 5_000)).isCloseTo(2.0,
                org.assertj.core.data.Offset.offset(0.001));
    }

    @org.junit.jupiter.api.Test
    void noHistoryNoEstimate() {
        assertThat(TimeLagEstimator.seconds(new long[0], new long[0], 5, 1_000, 5_000)).isNull();
    }
}
