package io.kgroups.consumer.internal;

/** What the handler side tells the poll thread, and asks it. Implementations must be cheap and thread-safe. */
interface LaneEvents {
    /** Records (a record, or a batch) of {@code lane} are done. */
    void recordsDone(Lane lane, int count);

    /** Records a previous owner had recorded as done were fetched again and passed over. */
    void alreadyDone(Lane lane, int count);

    /** The queue of a paused {@code lane} fell to its resume mark. */
    void laneDrained(Lane lane);

    /** {@code lane} ran out of queued records. */
    void laneIdle(Lane lane);

    /** A closed {@code lane}'s last handler call returned: a held lane of its partition may start. */
    void laneRetired(Lane lane);

    /** A record is done and the commit policy wants it committed before the next one. */
    void commitNow();

    /** The consumer must stop: a record failed under {@code fail()}, a fatal error, a refused task. */
    void failed(String reason, Throwable cause);

    /** Whether the consumer is stopping after a failure: no record may start any more. */
    boolean stopped();
}
