package io.kgroups.bench.child;

import java.util.Locale;

/**
 * A child's one line on stdout: {@code PEER_RESULT processed=N seconds=S records_per_s=R
 * end_to_end_records_per_s=R first_record_s=S}, read by kgroups-bench's {@code ParallelBench}.
 */
public final class ResultLine {
    public static final String PREFIX = "PEER_RESULT ";

    private ResultLine() {
    }

    static void print(long processed, double seconds, double rate, double endToEnd, double first) {
        System.out.println(String.format(Locale.ROOT, PREFIX
                + "processed=%d seconds=%.3f records_per_s=%.1f end_to_end_records_per_s=%.1f first_record_s=%.3f",
                processed, seconds, rate, endToEnd, first));
    }
}
