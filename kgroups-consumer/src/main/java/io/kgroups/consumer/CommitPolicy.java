package io.kgroups.consumer;

import java.time.Duration;
import java.util.Objects;

/**
 * When done offsets are committed. Whatever the policy, only offsets of records that are done
 * are committed, and commits on revoke and close are synchronous.
 */
public final class CommitPolicy {
    /** How a commit is sent. */
    public enum Mode { SYNC, ASYNC }

    /** The three policies. */
    public enum Kind { PER_RECORD, PER_BATCH, PERIODIC }

    private final Kind kind;
    private final Mode mode;
    private final Duration interval;
    private final int maxRecords;

    private CommitPolicy(Kind kind, Mode mode, Duration interval, int maxRecords) {
        this.kind = kind;
        this.mode = mode;
        this.interval = interval;
        this.maxRecords = maxRecords;
    }

    /**
     * A synchronous commit after every record, before the next record of that partition is
     * handled: at most one record per partition is handled again after a crash. The slowest.
     */
    public static CommitPolicy perRecord() {
        return new CommitPolicy(Kind.PER_RECORD, Mode.SYNC, Duration.ZERO, 1);
    }

    /** A commit once all records of a poll are done. */
    public static CommitPolicy perBatch(Mode mode) {
        return new CommitPolicy(Kind.PER_BATCH, Objects.requireNonNull(mode, "mode"), Duration.ZERO, Integer.MAX_VALUE);
    }

    /**
     * An asynchronous commit every {@code interval} or every {@code maxRecords} done records,
     * whichever comes first. The default: {@code periodic(1s, 10_000)}.
     */
    public static CommitPolicy periodic(Duration interval, int maxRecords) {
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("commitPolicy: periodic interval must be positive, was " + interval);
        }
        if (maxRecords < 1) {
            throw new IllegalArgumentException("commitPolicy: periodic maxRecords must be at least 1, was " + maxRecords);
        }
        return new CommitPolicy(Kind.PERIODIC, Mode.ASYNC, interval, maxRecords);
    }

    public Kind kind() {
        return kind;
    }

    public Mode mode() {
        return mode;
    }

    public Duration interval() {
        return interval;
    }

    public int maxRecords() {
        return maxRecords;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case PER_RECORD -> "perRecord()";
            case PER_BATCH -> "perBatch(" + mode + ")";
            case PERIODIC -> "periodic(" + interval + ", " + maxRecords + ")";
        };
    }
}
