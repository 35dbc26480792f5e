package io.kgroups.orders;

import java.sql.SQLException;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * The end-of-run check of a load: what the broker acknowledged ({@link ProducedOrders}) against
 * what reached the table ({@code order_deliveries}, {@code orders}) and the dead-letter topic.
 *
 * <p>{@code lost} adds up three kinds of failure, each of which should be 0: valid events that
 * were never stored, invalid events that are not in the dead-letter topic, and orders whose row
 * is missing or behind the latest acknowledged version. {@code duplicates} counts events stored
 * more than once (a replay after a crash or rebalance) that the upsert absorbed.
 */
public record LoadVerification(long produced, long valid, long invalid, long failedSends, long rows, long rowsAtLatest,
        long deadLettered, long lostValid, long lostInvalid, long ordersBehind, long duplicates) {

    public long lost() {
        return lostValid + lostInvalid + ordersBehind;
    }

    /** Compares; the store must record deliveries. Run when the group has caught up. */
    public static LoadVerification check(ProducedOrders produced, OrderStore store, DeadLetters deadLetters)
            throws SQLException {
        if (!store.recordsDeliveries()) {
            throw new IllegalStateException("the store does not record deliveries: open it with recordDeliveries true");
        }
        Map<Integer, BitSet> delivered = new HashMap<>();
        long[] deliveryRows = {0};
        store.forEachDelivery((topic, partition, offset, loadedAt) -> {
            deliveryRows[0]++;
            delivered.computeIfAbsent(partition, p -> new BitSet()).set((int) offset);
        });
        long distinctDelivered = delivered.values().stream().mapToLong(BitSet::cardinality).sum();

        long lostValid = missing(produced.validOffsets(), delivered);
        long lostInvalid = missing(produced.invalidOffsets(), deadLetters.originalOffsets());

        Map<String, Long> rows = store.versions();
        long atLatest = 0;
        long behind = 0;
        for (Map.Entry<String, Long> expected : produced.latestVersions().entrySet()) {
            Long stored = rows.get(expected.getKey());
            if (stored != null && stored >= expected.getValue()) {
                atLatest++;
            } else {
                behind++;
            }
        }
        return new LoadVerification(produced.validCount() + produced.invalidCount(), produced.validCount(),
                produced.invalidCount(), produced.failedSends(), rows.size(), atLatest, deadLetters.records(), lostValid,
                lostInvalid, behind, deliveryRows[0] - distinctDelivered);
    }

    /** How many of {@code expected}'s offsets are not in {@code found}. */
    private static long missing(Map<Integer, BitSet> expected, Map<Integer, BitSet> found) {
        long missing = 0;
        for (Map.Entry<Integer, BitSet> e : expected.entrySet()) {
            BitSet notFound = (BitSet) e.getValue().clone();
            BitSet there = found.get(e.getKey());
            if (there != null) {
                notFound.andNot(there);
            }
            missing += notFound.cardinality();
        }
        return missing;
    }
}
