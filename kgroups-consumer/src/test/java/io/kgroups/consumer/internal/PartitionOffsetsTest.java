package io.kgroups.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    void offsetsMustIncrease() {
        PartitionOffsets offsets = new PartitionOffsets();
        offsets.dispatched(10, 0);
        assertThatThrownBy(() -> offsets.dispatched(10, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static long[] longs(String csv) {
        return csv.isBlank() ? new long[0] : java.util.Arrays.stream(csv.split(",")).mapToLong(Long::parseLong).toArray();
    }
}
