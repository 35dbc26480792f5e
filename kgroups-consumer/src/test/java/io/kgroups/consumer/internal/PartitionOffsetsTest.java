package io.kgroups.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PartitionOffsetsTest {

    @ParameterizedTest(name = "dispatched {0}, done {1} -> committable {2}")
    @CsvSource(delimiter = '|', value = {
        "''          | ''      | -1",
        "5,6,7       | ''      | -1",
        "5,6,7       | 5       | 6",
        "5,6,7       | 6       | -1",
        "5,6,7       | 6,5     | 7",
        "5,6,7       | 7,6,5   | 8",
        "5,9,12      | 5,9     | 10",   // gaps (compaction, transaction markers): one past the last done
        "5,9,12      | 12,9    | -1",
        "5,9,12      | 12,9,5  | 13",
        "5,6,7       | 6,6,5   | 7",    // done twice is harmless
        "5,6,7       | 42      | -1",   // unknown offsets are ignored
    })
    void committableIsTheLowestOffsetNotDone(String dispatched, String done, long committable) {
        PartitionOffsets offsets = new PartitionOffsets();
        for (long offset : longs(dispatched)) {
            offsets.dispatched(offset, 3);
        }
        for (long offset : longs(done)) {
            offsets.done(offset);
        }
        assertThat(offsets.committable()).isEqualTo(committable);
    }

    @Test
    void anyCompletionOrderEndsAtOnePastTheLastOffsetWithItsEpoch() {
        Random random = new Random(42);
        for (int round = 0; round < 200; round++) {
            PartitionOffsets offsets = new PartitionOffsets();
            List<Long> dispatched = new ArrayList<>();
            long offset = random.nextInt(1_000);
            int count = 1 + random.nextInt(300); // beyond the initial capacity of 64
            for (int i = 0; i < count; i++) {
                offset += 1 + random.nextInt(3);
                dispatched.add(offset);
                offsets.dispatched(offset, i);
            }
            List<Long> order = new ArrayList<>(dispatched);
            Collections.shuffle(order, random);
            java.util.Set<Long> doneSoFar = new java.util.HashSet<>();
            for (long done : order) {
                offsets.done(done);
                doneSoFar.add(done);
                assertThat(offsets.committable()).isEqualTo(model(dispatched, doneSoFar));
            }
            assertThat(offsets.committable()).isEqualTo(dispatched.get(dispatched.size() - 1) + 1);
            assertThat(offsets.committableEpoch()).isEqualTo(count - 1);
            assertThat(offsets.pending()).isZero();
        }
    }

    /** One past the last record of the longest done prefix; -1 when the first record is not done. */
    private static long model(List<Long> dispatched, java.util.Set<Long> done) {
        int i = 0;
        while (i < dispatched.size() && done.contains(dispatched.get(i))) {
            i++;
        }
        return i == 0 ? -1 : dispatched.get(i - 1) + 1;
    }

    @Test
    void offsetsMustIncrease() {
        PartitionOffsets offsets = new PartitionOffsets();
        offsets.dispatched(10, 0);
        assertThatThrownBy(() -> offsets.dispatched(10, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static long[] longs(String csv) {
        return csv.isBlank() ? new long[0] : java.util.Arrays.stream(csv.split(",")).mapToLong(Long::parseLong).toArray();
    }
}
