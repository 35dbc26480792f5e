package io.kgroups.demo;

import io.kgroups.orders.LoadVerification;
import java.time.Duration;

/**
 * What a demo run did and found: {@code firstLoad}, the time from the start until every partition
 * was being loaded; the {@code kill} of one loader; whether the group committed every record after
 * the producer stopped ({@code caughtUp}); and the table checked against what Kafka acknowledged
 * ({@code verification}). A run stopped by a {@link StopRequest} has no verification, and no kill or
 * first load when it stopped before them; a run that was not stopped has all of them.
 */
public record DemoResult(Duration firstLoad, Kill kill, boolean caughtUp, LoadVerification verification) {

    /**
     * {@code loader} (process {@code pid}) killed with SIGKILL {@code at} the time from the start,
     * and how long until every partition was being loaded again (null: stopped before that).
     */
    public record Kill(String loader, long pid, Duration at, Duration recovery) { }

    public boolean stopped() {
        return verification == null;
    }

    /** Checked, caught up, and nothing lost. */
    public boolean passed() {
        return !stopped() && caughtUp && verification.lost() == 0;
    }
}
