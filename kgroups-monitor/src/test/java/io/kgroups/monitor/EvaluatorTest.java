package io.kgroups.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The evaluator, case by case: samples as the monitor takes them (a time, the committed offset,
 * the log-end offset, the lag in records), kept by a {@link LagHistory} of 10 commits (the
 * default) and evaluated at the last sample.
 */
class EvaluatorTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final long S = 1_000;
    private static final long MIN = 60 * S;
    private static final TopicPartition TP = new TopicPartition("orders", 0);
    /** The defaults: 10 commits, no lag allowed, retention risk within 1 h, stopped after 15 min before a commit interval is known. */
    private static final Evaluator.Rules RULES = Evaluator.Rules.defaults();

    /** Samples of one partition, then what is known of it besides. */
    private static final class Samples {
        private final List<long[]> rows = new ArrayList<>();
        private Double timeLagSeconds;
        private boolean assigned;
        private long deletedUnread;
        private Double retentionLeft;
        private Evaluator.Rules rules = RULES;
        private String failure;
        private boolean share;

        /** A sample at {@code time}; the lag in records is log-end minus committed. */
        Samples at(long time, long committed, long logEnd) {
            return at(time, committed, logEnd, committed < 0 ? logEnd : logEnd - committed);
        }

        Samples at(long time, long committed, long logEnd, long lag) {
            rows.add(new long[] {T0 + time, committed, logEnd, lag});
            return this;
        }

        /** One sample per {@code step} from {@code from} to {@code to}; committed and log-end as functions of the time. */
        Samples every(long step, long from, long to, java.util.function.LongUnaryOperator committed,
                java.util.function.LongUnaryOperator logEnd) {
            for (long t = from; t <= to; t += step) {
                at(t, committed.applyAsLong(t), logEnd.applyAsLong(t));
            }
            return this;
        }

        /** As above, with the lag in records as a function of the time too. */
        Samples every(long step, long from, long to, java.util.function.LongUnaryOperator committed,
                java.util.function.LongUnaryOperator logEnd, java.util.function.LongUnaryOperator lag) {
            for (long t = from; t <= to; t += step) {
                at(t, committed.applyAsLong(t), logEnd.applyAsLong(t), lag.applyAsLong(t));
            }
            return this;
        }

        /**
         * A share group's samples: at {@code time} the log end and the broker's lag (what the
         * monitor keeps of them: log-end minus lag, the start offset plus the records delivered past it).
         */
        Samples shareAt(long time, long logEnd, long lag) {
            share = true;
            return at(time, logEnd - lag, logEnd, lag);
        }

        /** As {@link #shareAt}, one sample per {@code step} from {@code from} to {@code to}. */
        Samples shareEvery(long step, long from, long to, java.util.function.LongUnaryOperator logEnd,
                java.util.function.LongUnaryOperator lag) {
            for (long t = from; t <= to; t += step) {
                shareAt(t, logEnd.applyAsLong(t), lag.applyAsLong(t));
            }
            return this;
        }

        /** A share group that has no start offset yet, {@code records} in the log. */
        Samples shareWithoutStartOffset(long time, long records) {
            share = true;
            return at(time, -1, records, records);
        }

        Samples allowedLag(long records) {
            this.rules = new Evaluator.Rules(RULES.commits(), records, RULES.retentionRiskSeconds(), RULES.stoppedAfterMs());
            return this;
        }

        Samples failed(String reason) {
            this.failure = reason;
            return this;
        }

        Samples timeLag(double seconds) {
            this.timeLagSeconds = seconds;
            return this;
        }

        Samples assigned() {
            this.assigned = true;
            return this;
        }

        Samples deletedUnread(long records) {
            this.deletedUnread = records;
            return this;
        }

        Samples retentionLeft(double seconds) {
            this.retentionLeft = seconds;
            return this;
        }

        Evaluator.Verdict evaluate() {
            LagHistory history = new LagHistory(rules.commits(), Long.MAX_VALUE);
            rows.forEach(r -> history.record("loader", TP, r[0], r[1], r[2], r[3]));
            long now = rows.isEmpty() ? T0 : rows.get(rows.size() - 1)[0];
            return Evaluator.evaluate(new Evaluator.Partition(history.window("loader", TP), timeLagSeconds, assigned,
                    deletedUnread, retentionLeft, failure, share), now, rules);
        }
    }

    private static Samples samples() {
        return new Samples();
    }

    /** 10 records/s produced from time 0. */
    private static long produced(long t) {
        return 10 * t / S;
    }

    /** A consumer that reads everything and commits what it has read every {@code commitEvery}, on the dot. */
    private static long committedEvery(long t, long commitEvery) {
        return produced(t / commitEvery * commitEvery);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("never sampled", samples(), Status.UNKNOWN, "not sampled yet"),
                Arguments.of("the newest sample failed: no verdict on old figures", samples().at(0, 10, 500).deletedUnread(25)
                        .failed("log-end offset: not authorized to describe topic orders"), Status.UNKNOWN,
                        "sample failed: log-end offset: not authorized to describe topic orders"),
                Arguments.of("first sample, caught up", samples().at(0, 500, 500), Status.OK, "caught up"),
                Arguments.of("first sample, lagging, nothing else known", samples().at(0, 400, 500), Status.UNKNOWN,
                        "lag 100, one sample: cannot tell yet, collecting commits (1 of 10)"),
                Arguments.of("one sample of an Empty group with lag 35 (kgroups lag): not OK, it cannot tell",
                        samples().at(0, 15, 50).timeLag(8), Status.UNKNOWN, "lag 35, one sample: cannot tell yet"),
                Arguments.of("the same with a member holding the partition", samples().at(0, 15, 50).timeLag(8).assigned(),
                        Status.UNKNOWN, "lag 35, one sample: cannot tell yet"),
                Arguments.of("one sample, lag 35 at the allowed lag", samples().at(0, 15, 50).timeLag(8).allowedLag(35),
                        Status.OK, "lag 35 within the allowed 35"),
                Arguments.of("one sample, lag 35 over an allowed lag of 34", samples().at(0, 15, 50).timeLag(8).allowedLag(34),
                        Status.UNKNOWN, "one sample: cannot tell yet"),
                Arguments.of("one sample, lag 35, no member, first unconsumed record 16 min old: STOPPED already",
                        samples().at(0, 15, 50).timeLag(16 * 60), Status.STOPPED,
                        "first unconsumed record is 960s old, longer than 900s, while 35 records wait"),
                Arguments.of("the same with a member: STALLED already", samples().at(0, 15, 50).timeLag(16 * 60).assigned(),
                        Status.STALLED, "a member holds it but committed offset not moved while its first unconsumed record"),
                Arguments.of("a second sample is no longer one: still collecting commits",
                        samples().at(0, 15, 50).at(5 * S, 15, 60), Status.UNKNOWN, "lag 45, collecting commits (1 of 10)"),
                Arguments.of("first sample, lagging, first unconsumed record 27 min old, no member: stopped 27 min",
                        samples().at(0, 400, 500).timeLag(27 * 60), Status.STOPPED,
                        "committed offset not moved while its first unconsumed record is 1620s old, longer than 900s, "
                                + "while 100 records wait"),
                Arguments.of("the same with a member holding the partition", samples().at(0, 400, 500).timeLag(27 * 60).assigned(),
                        Status.STALLED, "a member holds it but committed offset not moved while its first unconsumed record is 1620s"),
                Arguments.of("a monitor that saw it commit every 5 s until 27 min ago agrees",
                        samples().every(5 * S, 0, 60 * S, EvaluatorTest::produced, t -> produced(t) + 50)
                                .every(5 * S, 65 * S, 28 * MIN, t -> produced(60 * S), t -> produced(t) + 50),
                        Status.STOPPED, "no commit for 1620s, longer than the window (45s: 9 commit intervals of 5s)"),
                Arguments.of("first sample, lagging, first unconsumed record 2 min old: a slow committer may commit yet",
                        samples().at(0, 400, 500).timeLag(120), Status.UNKNOWN, "collecting commits (1 of 10)"),
                Arguments.of("watched for 20 min without a commit and no time lag known",
                        samples().every(5 * S, 0, 20 * MIN, t -> 400, t -> 500 + t / S), Status.STOPPED,
                        "no commit seen in 1200s, longer than 900s"),
                Arguments.of("phantom lag 1: a transactional topic read to its end (offset lag 1, no records)",
                        samples().every(5 * S, 0, 30 * MIN, t -> 999, t -> 1000, t -> 0), Status.OK,
                        "caught up (1 offsets are transaction markers, not records)"),
                Arguments.of("a lag in records within the allowed (ignoring markers)",
                        samples().every(5 * S, 0, 30 * MIN, t -> 990, t -> 1000, t -> 3).allowedLag(5), Status.OK, "lag 3 within the allowed 5"),
                Arguments.of("Connect sink: commits every 60 s, sampled every 5 s, keeping up",
                        samples().every(5 * S, 0, 30 * MIN + 30 * S, t -> committedEvery(t, MIN), EvaluatorTest::produced),
                        Status.OK, "lag was zero within the window"),
                Arguments.of("Connect sink 3 min after its last commit: within its window of 9 commit intervals",
                        samples().every(5 * S, 0, 20 * MIN, t -> committedEvery(t, MIN), EvaluatorTest::produced)
                                .every(5 * S, 20 * MIN + 5 * S, 23 * MIN, t -> committedEvery(20 * MIN, MIN),
                                        EvaluatorTest::produced), Status.OK, "lag was zero within the window"),
                Arguments.of("Connect sink 10 min after its last commit: longer than 9 commit intervals",
                        samples().every(5 * S, 0, 20 * MIN, t -> committedEvery(t, MIN), EvaluatorTest::produced)
                                .every(5 * S, 20 * MIN + 5 * S, 30 * MIN, t -> committedEvery(20 * MIN, MIN),
                                        EvaluatorTest::produced), Status.STOPPED,
                        "no commit for 600s, longer than the window (540s: 9 commit intervals of 60s)"),
                Arguments.of("stopped: a fast committer, no commit for a minute", samples()
                        .every(5 * S, 0, 50 * S, EvaluatorTest::produced, t -> produced(t) + 20)
                        .every(5 * S, 55 * S, 110 * S, t -> produced(50 * S), t -> produced(t) + 20), Status.STOPPED,
                        "no commit for 60s, longer than the window (45s: 9 commit intervals of 5s), while 620 records wait"),
                Arguments.of("stalled: the same with a member holding the partition", samples()
                        .every(5 * S, 0, 50 * S, EvaluatorTest::produced, t -> produced(t) + 20)
                        .every(5 * S, 55 * S, 110 * S, t -> produced(50 * S), t -> produced(t) + 20).assigned(),
                        Status.STALLED, "a member holds it but no commit for 60s"),
                Arguments.of("warning: lag grew at every commit", samples()
                        .every(5 * S, 0, 45 * S, t -> produced(t) / 2, t -> produced(t) + 10), Status.WARNING,
                        "lag grew at each of the last 10 commits, from 10 to 235"),
                Arguments.of("a lag that holds steady is keeping pace", samples()
                        .every(5 * S, 0, 45 * S, EvaluatorTest::produced, t -> produced(t) + 40), Status.OK, "keeping pace"),
                Arguments.of("progress: lag shrinking", samples()
                        .every(5 * S, 0, 45 * S, t -> 2 * produced(t), t -> 1_000 + produced(t)), Status.OK, "keeping pace"),
                Arguments.of("lagging and moving, 3 commits seen: too few to call a trend", samples()
                        .every(5 * S, 0, 10 * S, t -> produced(t) / 2, t -> produced(t) + 10), Status.UNKNOWN,
                        "lag 60, collecting commits (3 of 10)"),
                Arguments.of("rewind: a reset back to 50", samples()
                        .every(5 * S, 0, 45 * S, t -> 100 + produced(t), t -> 200 + produced(t))
                        .at(50 * S, 50, 700), Status.REWIND, "committed offset went back from 550 to 50"),
                Arguments.of("a reset followed by catch-up to the end", samples()
                        .every(5 * S, 0, 45 * S, t -> 100 + produced(t), t -> 200 + produced(t))
                        .at(50 * S, 50, 700).at(55 * S, 400, 750).at(60 * S, 750, 750), Status.OK, "caught up"),
                Arguments.of("a reset, replaying but not yet back where it was", samples()
                        .every(5 * S, 0, 45 * S, t -> 100 + produced(t), t -> 200 + produced(t))
                        .at(50 * S, 50, 700).at(55 * S, 300, 750), Status.REWIND, "went back from 550 to 300"),
                Arguments.of("never committed, records in the log: where it reads is unknown",
                        samples().every(5 * S, 0, 30 * MIN, t -> -1, t -> 5_000), Status.UNKNOWN,
                        "not committed yet (5000 records in the log)"),
                Arguments.of("never committed, nothing in the log", samples().every(5 * S, 0, 30 * MIN, t -> -1, t -> 0),
                        Status.OK, "not committed yet, 0 records in the log"),
                Arguments.of("first commit after none: a commit seen, lagging", samples()
                        .at(0, -1, 500).at(5 * S, 450, 520), Status.UNKNOWN, "collecting commits (2 of 10)"),
                Arguments.of("retention deleted unread records (log truncated under the group)",
                        samples().at(0, 10, 500).deletedUnread(25), Status.AT_RISK, "25 records were deleted by retention"),
                Arguments.of("retention about to delete unread records", samples().at(0, 10, 500).retentionLeft(600),
                        Status.AT_RISK, "retention deletes unread records in 600s"),
                Arguments.of("retention far away", samples().at(0, 10, 500).retentionLeft(86_400), Status.UNKNOWN,
                        "collecting commits"),
                Arguments.of("no lag, no retention risk", samples().at(0, 500, 500).retentionLeft(10), Status.OK, "caught up"));
    }

    /**
     * Share groups: the progress the window keeps is log-end minus the broker's lag, which moves
     * whenever a record is delivery-complete (acknowledged, rejected, archived), in any order.
     */
    static Stream<Arguments> shareCases() {
        return Stream.of(
                Arguments.of("no start offset yet, records in the log: where it starts is share.auto.offset.reset's",
                        samples().shareWithoutStartOffset(0, 500), Status.UNKNOWN, "no start offset yet (500 records in the log)"),
                Arguments.of("no start offset yet, nothing in the log", samples().shareWithoutStartOffset(0, 0), Status.OK,
                        "no start offset yet, 0 records in the log"),
                Arguments.of("every record delivery-complete", samples().shareAt(0, 500, 0), Status.OK,
                        "caught up: no record waits for delivery"),
                Arguments.of("the broker's lag within the allowed: log-end minus start offset is not read as markers",
                        samples().shareAt(0, 500, 3).allowedLag(5), Status.OK, "lag 3 within the allowed 5"),
                Arguments.of("one sample, records waiting: cannot tell yet", samples().shareAt(0, 500, 50).assigned(),
                        Status.UNKNOWN, "lag 50, one sample: cannot tell yet, collecting deliveries (1 of 10)"),
                Arguments.of("one sample, the record at the start offset 16 min old, a member: STALLED already",
                        samples().shareAt(0, 500, 50).timeLag(16 * 60).assigned(), Status.STALLED,
                        "a member holds it but the record at the start offset, not delivered yet, is 960s old"),
                Arguments.of("the start offset held by one record in flight while the lag falls: progress, not a stall",
                        samples().shareEvery(5 * S, 0, 30 * MIN, t -> 1_000, t -> 400 - t / (5 * S)).assigned(), Status.OK,
                        "keeping pace"),
                Arguments.of("records delivered as fast as they arrive: lag steady",
                        samples().shareEvery(5 * S, 0, 45 * S, t -> produced(t) + 40, t -> 40).assigned(), Status.OK,
                        "keeping pace"),
                Arguments.of("nothing delivered for a minute while records arrive, a member holds it: STALLED", samples()
                        .shareEvery(5 * S, 0, 50 * S, t -> produced(t) + 20, t -> 20)
                        .shareEvery(5 * S, 55 * S, 110 * S, t -> produced(t) + 20, t -> produced(t) - produced(50 * S) + 20)
                        .assigned(), Status.STALLED, "a member holds it but no record delivered (start offset held, lag not "
                        + "falling) for 60s, longer than the window (45s: 9 intervals between deliveries of 5s), with lag 620"),
                Arguments.of("the same without a member: STOPPED", samples()
                        .shareEvery(5 * S, 0, 50 * S, t -> produced(t) + 20, t -> 20)
                        .shareEvery(5 * S, 55 * S, 110 * S, t -> produced(t) + 20, t -> produced(t) - produced(50 * S) + 20),
                        Status.STOPPED, "while 620 records wait"),
                Arguments.of("watched for 20 min, nothing delivered, no time lag known", samples()
                        .shareEvery(5 * S, 0, 20 * MIN, t -> 500, t -> 100), Status.STOPPED,
                        "no delivery seen in 1200s, longer than 900s"),
                Arguments.of("lag grew at every delivery: the members fall behind", samples()
                        .shareEvery(5 * S, 0, 45 * S, t -> produced(t) + 10, t -> produced(t) / 2 + 10).assigned(),
                        Status.WARNING, "lag grew at each of the last 10 deliveries, from 10 to 235"),
                Arguments.of("the start offset reset back to the earliest: REWIND", samples()
                        .shareEvery(5 * S, 0, 45 * S, t -> produced(t) + 200, t -> 100)
                        .shareAt(50 * S, 700, 700), Status.REWIND,
                        "records delivered went back from 550 to 0 (log-end minus the broker's lag): its start offset was reset"),
                Arguments.of("retention about to delete records not delivered yet", samples().shareAt(0, 500, 50)
                        .retentionLeft(600), Status.AT_RISK, "retention deletes unread records in 600s"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shareCases")
    void evaluatesShareGroups(String name, Samples samples, Status status, String reason) {
        evaluates(name, samples, status, reason);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void evaluates(String name, Samples samples, Status status, String reason) {
        Evaluator.Verdict verdict = samples.evaluate();

        assertThat(verdict.status()).as(verdict.reason()).isEqualTo(status);
        assertThat(verdict.reason()).contains(reason);
    }

    @Test
    void aSlowCommitterNeverFlapsOnceItsWindowIsFull() {
        // Commits every 60 s (at 2 s past the minute, all it has read), sampled every 5 s for an hour: the window of
        // commits spans 9 minutes, not 50 s.
        Samples s = samples();
        Set<Status> seen = EnumSet.noneOf(Status.class);
        for (long t = 0; t <= 60 * MIN; t += 5 * S) {
            s.at(t, t < 2 * S ? 0 : produced((t - 2 * S) / MIN * MIN + 2 * S), produced(t));
            Evaluator.Verdict verdict = s.evaluate();
            if (t >= 10 * MIN) {
                seen.add(verdict.status());
            }
            assertThat(verdict.status()).as("at %ds: %s", t / S, verdict.reason()).isIn(Status.OK, Status.UNKNOWN);
        }
        assertThat(seen).containsExactly(Status.OK);
    }

    @ParameterizedTest(name = "allowed lag {0}")
    @CsvSource({"0, WARNING", "2, WARNING", "3, OK", "30, OK"})
    void lagWithinTheAllowedLagIsOk(long allowed, Status status) {
        // Lag at the commits: 3, 6, ... 30; at or below the allowed lag at any of them is OK.
        Samples s = samples().every(5 * S, 0, 45 * S, EvaluatorTest::produced, t -> produced(t) + 3 * (t / (5 * S) + 1));
        assertThat(s.allowedLag(allowed).evaluate().status()).isEqualTo(status);
    }

    @ParameterizedTest(name = "{0} worst with {1} is {2}")
    @CsvSource({"OK, UNKNOWN, UNKNOWN", "UNKNOWN, OK, UNKNOWN", "UNKNOWN, WARNING, WARNING", "STALLED, UNKNOWN, STALLED",
        "OK, WARNING, WARNING", "STOPPED, STALLED, STOPPED", "AT_RISK, REWIND, AT_RISK", "OK, OK, OK"})
    void anyProblemOutranksUnknownWhichOutranksOk(Status a, Status b, Status worst) {
        assertThat(a.worst(b)).isEqualTo(worst);
    }

    @ParameterizedTest(name = "{0} has metric code {1}")
    @CsvSource({"UNKNOWN, -1", "OK, 0", "WARNING, 1", "STALLED, 2", "STOPPED, 3", "REWIND, 4", "AT_RISK, 5"})
    void metricCodes(Status status, int code) {
        assertThat(status.code()).isEqualTo(code);
    }
}
