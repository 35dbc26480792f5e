package io.kgroups.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The evaluator, case by case: a window of samples 60 s apart, evaluated at the last sample. */
class EvaluatorTest {
    private static final long STEP = 60_000;
    /** The first sample's time. */
    private static final long T0 = 1_700_000_000_000L;
    private static final Evaluator.Rules RULES = new Evaluator.Rules(5, 0, 3_600);

    /** A window from committed and log-end offsets; lastMoved from the data, or given. */
    private static Window window(long[] committed, long[] logEnd, long lastMoved) {
        long[] times = new long[committed.length];
        for (int i = 0; i < times.length; i++) {
            times[i] = T0 + i * STEP;
        }
        return new Window(times, committed, logEnd, lastMoved);
    }

    private static Window window(long[] committed, long[] logEnd) {
        long lastMoved = T0;
        for (int i = 1; i < committed.length; i++) {
            if (committed[i] != committed[i - 1]) {
                lastMoved = T0 + i * STEP;
            }
        }
        return window(committed, logEnd, lastMoved);
    }

    private static long[] l(long... values) {
        return values;
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("empty window", window(l(), l()), 0L, null, Status.OK, "window not full yet (0 of 5"),
                Arguments.of("partial window", window(l(1, 2, 3), l(10, 20, 30)), 0L, null, Status.OK, "(3 of 5 samples)"),
                Arguments.of("caught up: offsets equal to log-end", window(l(10, 20, 30, 40, 50), l(10, 20, 30, 40, 50)),
                        0L, null, Status.OK, "caught up"),
                Arguments.of("stopped: no move for longer than the window", window(l(40, 40, 40, 40, 40),
                        l(50, 60, 70, 80, 90), T0 - 6 * STEP), 0L, null, Status.STOPPED, "no commit for 600s, longer than the window (240s)"),
                Arguments.of("never seen to move counts from the first sample", window(l(40, 40, 40, 40, 40),
                        l(50, 60, 70, 80, 90), -1), 0L, null, Status.STALLED, "committed offset stuck at 40"),
                Arguments.of("stalled: stuck since the window began", window(l(40, 40, 40, 40, 40), l(90, 90, 90, 90, 90), T0),
                        0L, null, Status.STALLED, "committed offset stuck at 40 with lag 50"),
                Arguments.of("rewind: went back and stayed", window(l(100, 110, 120, 50, 55), l(200, 210, 220, 230, 240)),
                        0L, null, Status.REWIND, "went back from 120 to 55"),
                Arguments.of("back and forth again is not a rewind", window(l(100, 110, 60, 115, 130), l(200, 210, 220, 230, 240)),
                        0L, null, Status.OK, "making progress"),
                Arguments.of("lag zero within the window", window(l(10, 20, 30, 40, 45), l(15, 25, 30, 45, 50)), 0L, null,
                        Status.OK, "lag was zero within the window"),
                Arguments.of("warning: lag never shrank", window(l(10, 20, 30, 40, 50), l(100, 130, 160, 190, 220)),
                        0L, null, Status.WARNING, "lag grew from 90 to 170 and never shrank"),
                Arguments.of("warning: lag flat and moving", window(l(10, 20, 30, 40, 50), l(60, 70, 80, 90, 100)),
                        0L, null, Status.WARNING, "never shrank"),
                Arguments.of("progress: lag shrinking", window(l(10, 40, 70, 100, 130), l(200, 210, 220, 230, 240)),
                        0L, null, Status.OK, "making progress"),
                Arguments.of("a small lag that never shrinks", window(l(10, 20, 30, 40, 50), l(12, 22, 32, 42, 52)), 0L, null, Status.WARNING,
                        "never shrank"),
                Arguments.of("retention deleted unread records (log truncated under the group)",
                        window(l(10, 20, 30, 40, 50), l(100, 130, 160, 190, 220)), 25L, null, Status.AT_RISK,
                        "25 records were deleted by retention"),
                Arguments.of("retention about to delete unread records", window(l(10, 20, 30, 40, 50), l(60, 70, 80, 90, 100)),
                        0L, 600.0, Status.AT_RISK, "retention deletes unread records in 600s"),
                Arguments.of("retention far away", window(l(10, 20, 30, 40, 50), l(60, 70, 80, 90, 100)), 0L, 86_400.0,
                        Status.WARNING, "never shrank"),
                Arguments.of("no lag, no retention risk", window(l(10, 20, 30, 40, 50), l(10, 20, 30, 40, 50)), 0L, 10.0,
                        Status.OK, "caught up"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void evaluates(String name, Window window, long deletedUnread, Double retentionLeft, Status status, String reason) {
        long now = window.size() == 0 ? T0 : window.times()[window.size() - 1];

        Evaluator.Verdict verdict = Evaluator.evaluate(window, now, deletedUnread, retentionLeft, RULES);

        assertThat(verdict.status()).isEqualTo(status);
        assertThat(verdict.reason()).contains(reason);
    }

    @ParameterizedTest(name = "allowed lag {0}")
    @org.junit.jupiter.params.provider.CsvSource({"1, WARNING", "2, OK", "5, OK"})
    void lagWithinTheAllowedLagIsOk(long allowed, Status status) {
        Window w = window(l(10, 20, 30, 40, 50), l(12, 22, 32, 42, 52));
        assertThat(Evaluator.evaluate(w, T0 + 4 * STEP, 0, null, new Evaluator.Rules(5, allowed, 3_600)).status())
                .isEqualTo(status);
    }

    @org.junit.jupiter.api.Test
    void theWorstStatusWins() {
        assertThat(Status.OK.worst(Status.WARNING).worst(Status.STALLED).worst(Status.OK)).isEqualTo(Status.STALLED);
        assertThat(Status.AT_RISK.code()).isEqualTo(5);
    }
}
