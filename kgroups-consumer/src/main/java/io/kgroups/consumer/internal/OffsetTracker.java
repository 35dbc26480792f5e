package io.kgroups.consumer.internal;

import io.kgroups.consumer.internal.DoneOffsetsCodec.DoneOffsets;

/**
 * The offsets of one partition in one generation: which records were handed out, which are
 * done, and which a previous owner recorded as done. From them follows where the group stands:
 * the lowest offset not done; or, when nothing handed out is pending, the consumer's position,
 * which is already past control records (transaction markers) and aborted data, so that a
 * transactional topic read to its end has lag 0 instead of 1 forever.
 *
 * <p>A ring of offsets in dispatch order (increasing) with done flags: handing out and completing
 * in order are O(1) and allocate nothing; completing out of order is a binary search. Offsets
 * must increase: a fetch that goes back (truncation, a reset) starts a new generation instead.
 */
final class OffsetTracker {
    static final int NO_EPOCH = -1;

    private long[] offsets = new long[64];
    private int[] epochs = new int[64];
    private boolean[] done = new boolean[64];
    private int head;
    private int size;
    private long lastDispatched = -1;
    private int lastEpoch = NO_EPOCH;
    /** One past the last record passed (every record below it done), or -1. */
    private long passed = -1;
    private int passedEpoch = NO_EPOCH;
    private long version;

    private final long startOffset;
    private final int startEpoch;
    private final long[] inheritedOffsets;
    private final int[] inheritedEpochs;
    private int inheritedIndex;
    /** Whether the consumer's position may be committed before a record of this generation is handed out. */
    private final boolean positionBeforeRecords;

    /**
     * A generation that starts at the group's committed offset {@code startOffset} (with the leader
     * epoch its commit carried), and the offsets a previous owner recorded as done above it.
     */
    OffsetTracker(long startOffset, int startEpoch, DoneOffsets inherited) {
        this(startOffset, startEpoch, inherited, true);
    }

    private OffsetTracker(long startOffset, int startEpoch, DoneOffsets inherited, boolean positionBeforeRecords) {
        this.startOffset = startOffset;
        this.startEpoch = startEpoch;
        this.inheritedOffsets = inherited.offsets();
        this.inheritedEpochs = inherited.epochs();
        this.positionBeforeRecords = positionBeforeRecords;
    }

    /**
     * A generation that starts wherever the consumer is: nothing committed, or a position that went
     * back. The position may be committed at once (the group then stands where the consumer starts).
     */
    static OffsetTracker fresh() {
        return new OffsetTracker(-1, NO_EPOCH, DoneOffsets.NONE, true);
    }

    /**
     * A generation whose group offset could not be read: until a record is handed out its position
     * is not committed, for that would only repeat the committed offset, without its leader epoch
     * (which Kafka needs to notice a later truncation).
     */
    static OffsetTracker unknown() {
        return new OffsetTracker(-1, NO_EPOCH, DoneOffsets.NONE, false);
    }

    /** Whether this generation could not read the group's offset and has handed nothing out yet. */
    synchronized boolean startUnknown() {
        return !positionBeforeRecords && lastDispatched < 0;
    }

    /**
     * Whether a record at {@code offset} belongs to this generation: offsets only go up from its
     * start, past every record handed out and every position the group stood at.
     */
    synchronized boolean accepts(long offset) {
        return offset > lastDispatched && offset >= passed && offset >= startOffset;
    }

    /**
     * A record was handed out. True when a previous owner had already done it (same offset, same
     * leader epoch): it is then done here too and is not to be handled.
     */
    synchronized boolean dispatch(long offset, int leaderEpoch) {
        if (!accepts(offset)) {
            throw new IllegalStateException("offset " + offset + " handed out after " + Math.max(lastDispatched, startOffset));
        }
        if (size == offsets.length) {
            grow();
        }
        int i = index(size);
        offsets[i] = offset;
        epochs[i] = leaderEpoch;
        done[i] = false;
        size++;
        lastDispatched = offset;
        lastEpoch = leaderEpoch;
        while (inheritedIndex < inheritedOffsets.length && inheritedOffsets[inheritedIndex] < offset) {
            inheritedIndex++; // not in the log any more (compacted, or a gap): nothing to skip
        }
        if (inheritedIndex < inheritedOffsets.length && inheritedOffsets[inheritedIndex] == offset) {
            boolean same = leaderEpoch >= 0 && inheritedEpochs[inheritedIndex] == leaderEpoch;
            inheritedIndex++;
            if (same) {
                markDone(size - 1);
                return true;
            }
        }
        return false;
    }

    /** A record is done (handled, dead-lettered or skipped). False for unknown or already done offsets. */
    synchronized boolean done(long offset) {
        int position = find(offset);
        if (position < 0 || done[index(position)]) {
            return false;
        }
        markDone(position);
        return true;
    }

    private void markDone(int position) {
        done[index(position)] = true;
        version++;
        while (size > 0 && done[head]) {
            passed = offsets[head] + 1;
            passedEpoch = epochs[head];
            head = (head + 1) % offsets.length;
            size--;
        }
    }

    /** Records handed out and not yet passed (not done, or done above one that is not). */
    synchronized int pending() {
        return size;
    }

    /** Changes whenever a record is done: tells whether the done set changed since a commit. */
    synchronized long version() {
        return version;
    }

    /**
     * Where the group stands (the offset to commit): the lowest offset not done, else the
     * {@code position} (the consumer's, -1 when unknown), else one past the last record done,
     * else the start; -1 when nothing is known yet.
     */
    synchronized long standing(long position) {
        if (size > 0) {
            return offsets[head];
        }
        if (position >= 0 && position > lastDispatched && position >= passed && position >= startOffset
                && (positionBeforeRecords || lastDispatched >= 0)) {
            return position;
        }
        return passed >= 0 ? passed : startOffset;
    }

    /**
     * What to commit now, or null when nothing is known yet. A position used here counts as passed
     * from then on: where the group stands never goes back within a generation, even when the
     * position is not known at the next commit.
     */
    synchronized CommitPoint commitPoint(long position) {
        long offset = standing(position);
        if (offset < 0) {
            return null;
        }
        if (size == 0 && offset == position && offset != passed) {
            passed = position; // past the last record: transaction markers or aborted data after it
            passedEpoch = lastEpoch >= 0 ? lastEpoch : position == startOffset ? startEpoch : NO_EPOCH;
        }
        int epoch;
        if (size > 0) {
            epoch = passed >= 0 ? passedEpoch : offset == startOffset ? startEpoch : epochs[head];
        } else {
            epoch = passed >= 0 && offset == passed ? passedEpoch : startEpoch;
        }
        int count = 0;
        for (int p = 0; p < size; p++) {
            if (done[index(p)]) {
                count++;
            }
        }
        int from = inheritedIndex;
        while (from < inheritedOffsets.length && inheritedOffsets[from] <= offset) {
            from++;
        }
        count += inheritedOffsets.length - from;
        long[] doneOffsets = new long[count];
        int[] doneEpochs = new int[count];
        int n = 0;
        for (int p = 0; p < size; p++) {
            int i = index(p);
            if (done[i]) {
                doneOffsets[n] = offsets[i];
                doneEpochs[n++] = epochs[i];
            }
        }
        for (int k = from; k < inheritedOffsets.length; k++) {
            doneOffsets[n] = inheritedOffsets[k];
            doneEpochs[n++] = inheritedEpochs[k];
        }
        return new CommitPoint(offset, epoch, version, new DoneOffsets(doneOffsets, doneEpochs));
    }

    /**
     * What to commit: the offset, the leader epoch of the record below it (-1 when unknown),
     * the done-set version it reflects, and the offsets done above it.
     */
    record CommitPoint(long offset, int epoch, long version, DoneOffsets doneAbove) {
    }

    private int find(long offset) {
        int low = 0;
        int high = size - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            long value = offsets[index(mid)];
            if (value < offset) {
                low = mid + 1;
            } else if (value > offset) {
                high = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    private int index(int position) {
        return (head + position) % offsets.length;
    }

    private void grow() {
        int capacity = offsets.length * 2;
        long[] newOffsets = new long[capacity];
        int[] newEpochs = new int[capacity];
        boolean[] newDone = new boolean[capacity];
        for (int p = 0; p < size; p++) {
            newOffsets[p] = offsets[index(p)];
            newEpochs[p] = epochs[index(p)];
            newDone[p] = done[index(p)];
        }
        offsets = newOffsets;
        epochs = newEpochs;
        done = newDone;
        head = 0;
    }

    @Override
    public synchronized String toString() {
        return "OffsetTracker{standing=" + standing(-1) + ", pending=" + size + "}";
    }
}
