package io.kgroups.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What a plan made at the write says about the dry run before it. */
class ResetPlanTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "20,50   | 20,50   | ''",
        "20,50   | 3020,50 | orders-0: the committed offset moved by +3000 (20 to 3020) since the dry run",
        "20,50   | 20,40   | orders-1: the committed offset moved by -10 (50 to 40) since the dry run",
        "-,50    | 5,50    | orders-0: the committed offset moved (none to 5) since the dry run",
        "20,50   | -,50    | orders-0: the committed offset moved (20 to none) since the dry run",
        "20      | 20,7    | orders-1: not in the dry run (committed offset 7)",
    })
    void movedSinceNamesEachPartitionWhoseCommittedOffsetMoved(String dryRun, String atWrite, String moved) {
        List<String> expected = moved.isEmpty() ? List.of() : List.of(moved);
        assertThat(plan(atWrite).movedSince(plan(dryRun))).isEqualTo(expected);
    }

    /** A plan to offset 0 of partitions 0, 1, ... whose current offsets are given ("-": none). */
    private static ResetPlan plan(String currents) {
        List<String> offsets = Arrays.asList(currents.split(","));
        List<ResetPlan.Partition> partitions = new java.util.ArrayList<>();
        for (int p = 0; p < offsets.size(); p++) {
            Long current = offsets.get(p).equals("-") ? null : Long.valueOf(offsets.get(p));
            partitions.add(new ResetPlan.Partition("orders", p, current, 0L, current == null ? null : -current, false, null));
        }
        return new ResetPlan("g", "consumer", "Empty", 0, partitions, List.of());
    }
}
