package io.kgroups.consumer.internal;

/**
 * The offsets of one partition that were handed out and not yet all done. The committable offset
 * is the lowest offset not done (or one past the last done when all are done): committing it
 * can never skip a record that was not handled. Records may complete in any order.
 *
 * <p>A ring of offsets in dispatch order (increasing) with done flags: adding and completing in
 * order are O(1) and allocate nothing; completing out of order is a binary search.
 */
public final class PartitionOffsets {
    private static final int NO_EPOCH = -1;

    private long[] offsets = new long[64];
    private int[] epochs = new int[64];
    private boolean[] done = new boolean[64];
    private int head;
    private int size;
    private long committable = -1;
    private int committableEpoch = NO_EPOCH;
    private long version;

    /** A record was handed out; offsets must increase from call to call. */
    public synchronized void dispatched(long offset, int leaderEpoch) {
        if (size > 0 && offset <= offsets[index(size - 1)]) {
            throw new IllegalArgumentException("offset " + offset + " dispatched after " + offsets[index(size - 1)]);
        }
        if (size == offsets.length) {
            grow();
        }
        int i = index(size);
        offsets[i] = offset;
        epochs[i] = leaderEpoch;
        done[i] = false;
        size++;
    }

    /** A record is done (handled, dead-lettered or skipped). Unknown offsets are ignored. */
    public synchronized void done(long offset) {
        int position = find(offset);
        if (position < 0) {
            return;
        }
        done[index(position)] = true;
        version++;
        while (size > 0 && done[head]) {
            committable = offsets[head] + 1;
            committableEpoch = epochs[head];
            head = (head + 1) % offsets.length;
            size--;
        }
    }

    /** The offset to commit, or -1 when no record has been done yet. */
    public synchronized long committable() {
        return committable;
    }

    /** Leader epoch of the record just below {@link #committable()}, or -1 when unknown. */
    public synchronized int committableEpoch() {
        return committableEpoch;
    }

    /**
     * The lowest offset not done: the first pending one, else the committable offset, else
     * {@code fallback} (nothing dispatched yet: the consumer's position).
     */
    public synchronized long lowestNotDone(long fallback) {
        if (size > 0) {
            return offsets[head];
        }
        return committable >= 0 ? committable : fallback;
    }

    /** Changes whenever a record is done: tells whether the done set changed since a commit. */
    public synchronized long version() {
        return version;
    }

    /** The offsets done above the lowest offset not done, sorted (empty in partition order). */
    public synchronized long[] doneAbove() {
        int count = 0;
        for (int p = 0; p < size; p++) {
            if (done[index(p)]) {
                count++;
            }
        }
        long[] result = new long[count];
        int n = 0;
        for (int p = 0; p < size && n < count; p++) {
            if (done[index(p)]) {
                result[n++] = offsets[index(p)];
            }
        }
        return result;
    }

    /** Records handed out and not yet done (or not yet passed by the committable offset). */
    public synchronized int pending() {
        return size;
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
        return "PartitionOffsets{committable=" + committable + ", pending=" + size + "}";
    }
}
