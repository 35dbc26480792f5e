package io.kgroups.cli;

import io.kgroups.orders.LoadVerification;

/** The end-of-run check as {@code kgroups demo} and {@code kgroups chaos} print it. */
final class VerificationTable {
    private VerificationTable() {
    }

    static Table of(LoadVerification v, String recoveryField, String recovery) {
        return Table.record("eventsProduced", "valid", "invalid", "notAcknowledged", "rowsInTable", "rowsAtLatestVersion",
                "deadLettered", "validNeverStored", "invalidNotDeadLettered", "ordersBehindLatest", "lost",
                "duplicatesAbsorbedByUpsert", recoveryField)
                .row(v.produced(), v.valid(), v.invalid(), v.failedSends(), v.rows(), v.rowsAtLatest(), v.deadLettered(),
                        v.lostValid(), v.lostInvalid(), v.ordersBehind(), v.lost(), v.duplicates(), recovery);
    }
}
