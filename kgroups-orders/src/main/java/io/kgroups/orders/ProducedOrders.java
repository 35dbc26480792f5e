package io.kgroups.orders;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the broker acknowledged, as the truth to check the table against: the offsets of valid
 * and invalid events per partition, and the latest acknowledged version of every order. Sends
 * that failed are counted, not recorded: they are not in the log. Thread-safe.
 */
public final class ProducedOrders {
    private final Map<Integer, BitSet> valid = new TreeMap<>();
    private final Map<Integer, BitSet> invalid = new TreeMap<>();
    private final Map<String, Long> latest = new HashMap<>();
    private long validCount;
    private long invalidCount;
    private long failedSends;

    /** An acknowledged send. */
    public synchronized void acked(int partition, long offset, OrderEventGenerator.Generated event) {
        if (offset > Integer.MAX_VALUE) {
            throw new IllegalStateException("offset " + offset + " is beyond what the ledger tracks");
        }
        if (event.valid()) {
            valid.computeIfAbsent(partition, p -> new BitSet()).set((int) offset);
            latest.merge(event.orderId(), event.version(), Math::max);
            validCount++;
        } else {
            invalid.computeIfAbsent(partition, p -> new BitSet()).set((int) offset);
            invalidCount++;
        }
    }

    public synchronized void failed() {
        failedSends++;
    }

    public synchronized long validCount() {
        return validCount;
    }

    public synchronized long invalidCount() {
        return invalidCount;
    }

    public synchronized long failedSends() {
        return failedSends;
    }

    /** Offsets of valid events, per partition (a copy). */
    public synchronized Map<Integer, BitSet> validOffsets() {
        return copy(valid);
    }

    /** Offsets of invalid events, per partition (a copy). */
    public synchronized Map<Integer, BitSet> invalidOffsets() {
        return copy(invalid);
    }

    /** The latest acknowledged version of every order (a copy). */
    public synchronized Map<String, Long> latestVersions() {
        return new HashMap<>(latest);
    }

    private static Map<Integer, BitSet> copy(Map<Integer, BitSet> offsets) {
        Map<Integer, BitSet> copy = new TreeMap<>();
        offsets.forEach((p, bits) -> copy.put(p, (BitSet) bits.clone()));
        return copy;
    }
}
