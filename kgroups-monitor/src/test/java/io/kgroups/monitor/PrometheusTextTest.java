package io.kgroups.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.kgroups.monitor.PrometheusText.Granularity;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The three levels of /metrics on one snapshot: a group reading two partitions of one topic (one
 * lagging more, one older) and one partition of a topic it has not committed on yet.
 */
class PrometheusTextTest {
    private static final long NOW = 1_800_000_000_000L;
    private static final GroupStatus GROUP = new GroupStatus("loader", "classic", "Stable", 2, Status.WARNING, List.of("x"),
            12, 30.0, List.of(
                    partition("orders", 0, 10L, 15L, 5L, 10.0, 100.0, Status.OK),
                    partition("orders", 1, 20L, 27L, 7L, 30.0, 50.0, Status.WARNING),
                    partition("audit", 0, null, 40L, null, null, null, Status.UNKNOWN)),
            List.of(), NOW);
    private static final MonitorSnapshot SNAPSHOT = new MonitorSnapshot(NOW, List.of(GROUP), Map.of(), 3, 0, 0, null, 12);

    private static PartitionStatus partition(String topic, int p, Long committed, Long logEnd, Long lag, Double lagSeconds,
            Double retention, Status status) {
        return new PartitionStatus(topic, p, committed, null, logEnd, lag, lagSeconds, retention, 0, status, "", null, NOW);
    }

    /** Each row: the level, then a line that must be there ('|' for the newline-free label quote '"'). */
    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = ';', value = {
        "PARTITION; kgroups_group_lag{group=|loader|,type=|classic|,topic=|orders|,partition=|0|} 5",
        "PARTITION; kgroups_group_lag{group=|loader|,type=|classic|,topic=|orders|,partition=|1|} 7",
        "PARTITION; kgroups_partition_status{group=|loader|,type=|classic|,topic=|audit|,partition=|0|} -1",
        "PARTITION; kgroups_partition_log_end_offset{topic=|orders|,partition=|1|} 27",
        // per topic: lag and offsets summed, time lag the oldest, retention the soonest
        "TOPIC; kgroups_group_lag{group=|loader|,type=|classic|,topic=|orders|} 12",
        "TOPIC; kgroups_group_lag_seconds{group=|loader|,type=|classic|,topic=|orders|} 30",
        "TOPIC; kgroups_group_retention_risk_seconds{group=|loader|,type=|classic|,topic=|orders|} 50",
        "TOPIC; kgroups_group_committed_offset{group=|loader|,type=|classic|,topic=|orders|} 30",
        "TOPIC; kgroups_partition_log_end_offset{topic=|orders|} 42",
        "TOPIC; kgroups_partition_log_end_offset{topic=|audit|} 40",
        "TOPIC; kgroups_group_status{group=|loader|,type=|classic|} 1",
        // per group: the same over all its topics (audit has no lag: nothing to add)
        "GROUP; kgroups_group_lag{group=|loader|,type=|classic|} 12",
        "GROUP; kgroups_group_lag_seconds{group=|loader|,type=|classic|} 30",
        "GROUP; kgroups_group_committed_offset{group=|loader|,type=|classic|} 30",
        "GROUP; kgroups_partition_log_end_offset{topic=|orders|} 42",
        "GROUP; kgroups_group_members{group=|loader|,type=|classic|} 2",
    })
    void aLevelHasItsSeries(Granularity level, String line) {
        String text = PrometheusText.render(SNAPSHOT, level, List.of());
        assertThat(text.lines()).contains(line.replace('|', '"'));
    }

    /** What a level leaves out: the finer labels, and the series that only mean something per partition. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"TOPIC", "GROUP"})
    void aCoarserLevelHasNoPartitionLabel(Granularity level) {
        String text = PrometheusText.render(SNAPSHOT, level, List.of());
        assertThat(text).doesNotContain("partition=\"").doesNotContain("kgroups_partition_status")
                .doesNotContain("kgroups_partition_last_sample_timestamp_seconds{");
        // a topic with no lag on any partition has no lag series, rather than a made-up 0
        assertThat(text).doesNotContain("kgroups_group_lag{group=\"loader\",type=\"classic\",topic=\"audit\"");
        if (level == Granularity.GROUP) {
            assertThat(text).doesNotContain("kgroups_group_lag{group=\"loader\",type=\"classic\",topic=");
        }
    }

    /** Each series once per label set at every level: Prometheus refuses a page with duplicates. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"PARTITION", "TOPIC", "GROUP"})
    void noSeriesTwice(Granularity level) {
        List<String> series = PrometheusText.render(SNAPSHOT, level, List.of()).lines().filter(l -> !l.startsWith("#"))
                .map(l -> l.substring(0, l.lastIndexOf(' '))).toList();
        assertThat(series).doesNotHaveDuplicates();
    }

    /** Fractions with three decimals, by hand rather than String.format: the same text as before. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"1.5, 1.500", "0.0004, 0.000", "12.3456, 12.346", "-2.25, -2.250", "0.05, 0.050", "7, 7", "-3, -3"})
    void numbersAreWrittenAsBefore(double value, String written) {
        GroupStatus g = new GroupStatus("g", "classic", "Stable", 0, Status.OK, List.of(), 1, value, List.of(
                partition("t", 0, 1L, 2L, 1L, value, null, Status.OK)), List.of(), NOW);
        String text = PrometheusText.render(new MonitorSnapshot(NOW, List.of(g), Map.of(), 1, 0, 0, null, 1),
                Granularity.PARTITION, List.of());
        assertThat(Arrays.stream(text.split("\n")).filter(l -> l.startsWith("kgroups_group_lag_seconds{")))
                .containsExactly("kgroups_group_lag_seconds{group=\"g\",type=\"classic\",topic=\"t\",partition=\"0\"} " + written);
    }
}
