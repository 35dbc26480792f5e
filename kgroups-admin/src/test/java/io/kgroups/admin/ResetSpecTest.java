package io.kgroups.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Reset specs as written on the command line: what they name, and the command they print. */
class ResetSpecTest {

    @Test
    void eachOptionNamesItsTarget(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("offsets.csv"), "orders,0,7\n");
        assertThat(new ResetSpec("--to-earliest", null).target()).isEqualTo(new ResetTarget.Earliest());
        assertThat(new ResetSpec("--to-latest", "").target()).isEqualTo(new ResetTarget.Latest());
        assertThat(new ResetSpec("--to-current", null).target()).isEqualTo(new ResetTarget.Current());
        assertThat(new ResetSpec("--to-offset", " 42 ").target()).isEqualTo(new ResetTarget.ToOffset(42));
        assertThat(new ResetSpec("--shift-by", "-5").target()).isEqualTo(new ResetTarget.ShiftBy(-5));
        assertThat(new ResetSpec("--to-datetime", "2026-11-24T14:00:00+01:00").target())
                .isEqualTo(new ResetTarget.ToDatetime(Instant.parse("2026-11-24T13:00:00Z")));
        assertThat(new ResetSpec("--by-duration", "PT2H").target()).isEqualTo(new ResetTarget.ByDuration(Duration.ofHours(2)));
        assertThat(new ResetSpec("--by-duration", "2h").target()).as("the same syntax as every duration option")
                .isEqualTo(new ResetTarget.ByDuration(Duration.ofHours(2)));
        assertThat(new ResetSpec("--from-file", file.toString()).target())
                .isEqualTo(ResetTarget.FromOffsets.of(Map.of(new TopicPartition("orders", 0), 7L)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--to-nowhere  |      | unknown reset spec '--to-nowhere': use one of --to-earliest, --to-latest",
        "--to-earliest | 5    | --to-earliest takes no value, was given '5'",
        "--to-offset   |      | --to-offset needs a value",
        "--to-offset   | ten  | --to-offset 'ten' is not a whole number",
        "--to-offset   | -1   | --to-offset must not be negative, was -1",
        "--shift-by    | 1.5  | --shift-by '1.5' is not a whole number",
        "--to-datetime | noon | --to-datetime 'noon' is not an ISO-8601 time",
        "--by-duration | soon | --by-duration 'soon' is not a duration: write it as 500ms, 30s, 5m, 2h, 7d or ISO-8601",
    })
    void aBadSpecIsOneLineThatNamesIt(String option, String value, String message) {
        assertThatThrownBy(() -> new ResetSpec(option, value).target()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message).hasMessageNotContaining("\n");
    }

    @Test
    void printsTheCommandThatRunsIt() {
        ResetSpec spec = new ResetSpec("--shift-by", "-100");
        assertThat(spec.command("storage_loader", List.of("orders"), false))
                .isEqualTo("kgroups reset storage_loader --topic orders --shift-by -100");
        assertThat(spec.command("storage_loader", List.of("orders:0,1", "refunds"), true))
                .isEqualTo("kgroups reset storage_loader --topic orders:0,1 --topic refunds --shift-by -100 --execute");
        assertThat(new ResetSpec("--to-earliest", null).command("it's mine", null, false))
                .isEqualTo("kgroups reset 'it'\\''s mine' --all-topics --to-earliest");
    }

    @Test
    void topicsNameThemselvesOrSomePartitions() {
        assertThat(ResetSpec.topics(List.of("orders", "refunds:2,0")))
                .isEqualTo(Map.of("orders", Set.of(), "refunds", Set.of(0, 2)));
        assertThatThrownBy(() -> ResetSpec.topics(List.of("orders:one")))
                .hasMessage("--topic orders:one: partitions are numbers, as in orders:0,1,2");
    }
}
