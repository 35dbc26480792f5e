package io.kgroups.monitor;

/**
 * How a partition, or a group (its worst partition), is doing. The codes are the values of the
 * {@code kgroups_group_status} metric: from OK (0) up, a higher code is worse; UNKNOWN is -1, not
 * a severity. For a group's worst status any problem (WARNING and up) outranks UNKNOWN, and
 * UNKNOWN outranks OK: a group where one partition cannot be judged is not reported as fine.
 */
public enum Status {
    /**
     * The monitor cannot say: not enough evidence yet (a partition not committed yet, a window
     * still collecting commits), or the sample failed. A group first seen starts here.
     */
    UNKNOWN(-1, 1),
    /** Keeping up: lag within what is allowed, or shrinking. */
    OK(0, 0),
    /** Lag grew at every commit of the window. */
    WARNING(1, 2),
    /** A member holds the partition, but the committed offset has not moved for longer than the window spans. */
    STALLED(2, 3),
    /** No member holds the partition and nothing was committed for longer than the window spans, while records wait. */
    STOPPED(3, 4),
    /** The committed offset went backwards and stayed there: someone reset it, or a consumer replays. */
    REWIND(4, 5),
    /** Retention deleted, or is about to delete, records the group has not read. */
    AT_RISK(5, 6);

    private final int code;
    private final int rank;

    Status(int code, int rank) {
        this.code = code;
        this.rank = rank;
    }

    /** The metric's value: -1 UNKNOWN, 0 OK ... 5 AT_RISK. */
    public int code() {
        return code;
    }

    /** Least to most severe: OK 0, UNKNOWN 1, WARNING 2 ... AT_RISK 6 (the dashboard's order). */
    int severity() {
        return rank;
    }

    public Status worst(Status other) {
        return other.rank > rank ? other : this;
    }
}
