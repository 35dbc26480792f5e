package io.kgroups.monitor;

/**
 * How a partition, or a group (its worst partition), is doing. The codes are the values of the
 * {@code kgroups_group_status} metric; a higher code is worse.
 */
public enum Status {
    /** The monitor cannot say: not enough evidence yet, or the group or partition could not be read. Not a severity. */
    UNKNOWN(-1),
    /** Keeping up (or not enough history to say otherwise). */
    OK(0),
    /** Lag grew, or never shrank, across the whole window. */
    WARNING(1),
    /** Lag, and the committed offset has not moved across the window. */
    STALLED(2),
    /** No commit for longer than the window spans, while records kept coming. */
    STOPPED(3),
    /** The committed offset went backwards and stayed there: someone reset it, or a consumer replays. */
    REWIND(4),
    /** Retention deleted, or is about to delete, records the group has not read. */
    AT_RISK(5);

    private final int code;

    Status(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The worse of two: any problem outranks UNKNOWN, and UNKNOWN outranks OK. */
    public Status worst(Status other) {
        return rank(other) > rank(this) ? other : this;
    }

    private static int rank(Status s) {
        return s == UNKNOWN ? 0 : s == OK ? -1 : s.code;
    }
}
