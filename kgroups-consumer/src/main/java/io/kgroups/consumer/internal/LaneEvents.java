package io.kgroups.consumer.internal;

/** What the handler side tells the poll thread. Implementations must be cheap and thread-safe. */
interface LaneEvents {
    /** A record (or a batch) of {@code lane} is done. */
    void recordsDone(PartitionLane lane, int count);

    /** Records a previous owner had recorded as done were fetched again and passed over. */
    void alreadyDone(PartitionLane lane, int count);

    /** The queue of a paused {@code lane} fell to its resume mark. */
    void laneDrained(PartitionLane lane);

    /** {@code lane} ran out of queued records. */
    void laneIdle(PartitionLane lane);

    /** A record failed under {@code ErrorPolicy.fail()} (or could not be dead-lettered): stop. */
    void failed(String reason, Throwable cause);

    /** The record is done and the commit policy wants a synchronous commit before the next one. */
    void commitNow();
}
