package io.kgroups.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The offsets file: Kafka's CSV, and the #kgroups lines a backup needs to undo a reset exactly. */
class OffsetsFileTest {
    private static final TopicPartition P0 = new TopicPartition("orders", 0);
    private static final TopicPartition P1 = new TopicPartition("orders", 1);

    @Test
    void plainOffsetsAreWrittenAsKafkasCsvOnly(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("export.csv");
        OffsetsFile.write(file, ResetTarget.FromOffsets.of(Map.of(P1, 9L, P0, 7L)));
        assertThat(Files.readString(file)).isEqualTo("orders,0,7\norders,1,9\n");
    }

    @Test
    void aBackupRoundTripsMetadataLeaderEpochsAndPartitionsWithoutAnOffset(@TempDir Path dir) {
        ResetTarget.FromOffsets backup = new ResetTarget.FromOffsets(
                Map.of(P0, new OffsetAndMetadata(7, Optional.of(4), "line 1\nline 2,%")), Set.of(P1));
        Path file = dir.resolve("backup.csv");
        OffsetsFile.write(file, backup);
        assertThat(OffsetsFile.read(file)).isEqualTo(backup);
    }

    @Test
    void aBackupRoundTripsGroupConfigsSetAndUnset(@TempDir Path dir) throws Exception {
        ResetTarget.FromOffsets backup = new ResetTarget.FromOffsets(Map.of(P0, new OffsetAndMetadata(7)), Set.of(),
                Map.of("consumer.session.timeout.ms", "50000", "odd name", "a=b c"), Set.of("consumer.heartbeat.interval.ms"),
                List.of(), null);
        Path file = dir.resolve("backup.csv");
        OffsetsFile.write(file, backup);
        assertThat(Files.readAllLines(file)).containsExactly("orders,0,7", "#kgroups config consumer.session.timeout.ms=50000",
                "#kgroups config odd%20name=a%3Db%20c", "#kgroups config-none consumer.heartbeat.interval.ms");
        assertThat(OffsetsFile.read(file)).isEqualTo(backup);
    }

    /** The type of group goes with a share or streams group's backup, so that the undo of its delete makes it again. */
    @Test
    void aBackupRoundTripsTheTypeOfGroup(@TempDir Path dir) throws Exception {
        ResetTarget.FromOffsets backup = new ResetTarget.FromOffsets(Map.of(P0, new OffsetAndMetadata(7)), Set.of(),
                Map.of("share.auto.offset.reset", "earliest"), Set.of(), List.of(), "share");
        Path file = dir.resolve("backup.csv");
        OffsetsFile.write(file, backup);
        assertThat(Files.readAllLines(file)).containsExactly("orders,0,7", "#kgroups config share.auto.offset.reset=earliest",
                "#kgroups type share");
        assertThat(OffsetsFile.read(file)).isEqualTo(backup);

        Path typo = Files.writeString(dir.resolve("typo.csv"), "orders,0,7\n#kgroups type shared\n");
        assertThatThrownBy(() -> OffsetsFile.read(typo)).isInstanceOf(GroupAdminException.class)
                .hasMessage(typo + " line 2: '#kgroups type shared' is not #kgroups type share|streams");
        Path twice = Files.writeString(dir.resolve("twice.csv"), "orders,0,7\n#kgroups type share\n#kgroups type streams\n");
        assertThatThrownBy(() -> OffsetsFile.read(twice)).hasMessage(twice + " line 3: #kgroups type appears twice");
    }

    /** A later version's line is skipped, with a warning, so that the rest of a newer backup still restores. */
    @Test
    void aKgroupsLineOfAnUnknownKindIsSkippedWithAWarning(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("f.csv"), "orders,0,7\n#kgroups future-fact orders,0,x\n");
        ResetTarget.FromOffsets read = OffsetsFile.read(file);
        assertThat(read.offsets()).isEqualTo(Map.of(P0, new OffsetAndMetadata(7)));
        assertThat(read.skipped()).containsExactly(file + " line 2: '#kgroups future-fact orders,0,x' is not known to this "
                + "version of kgroups: skipped, so what it records is not restored");
    }

    @Test
    void otherCommentsAndBlankLinesAreIgnored(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("f.csv"), "# exported by hand\n\norders,0,7\n#kgroups none orders,1\n");
        assertThat(OffsetsFile.read(file)).isEqualTo(new ResetTarget.FromOffsets(Map.of(P0, new OffsetAndMetadata(7)),
                Set.of(P1)));
    }

    @Test
    void theHeaderOfACsvExportIsPassedOver(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("f.csv"), "# exported\ntopic,partition,offset\norders,0,7\n");
        assertThat(OffsetsFile.read(file)).isEqualTo(ResetTarget.FromOffsets.of(Map.of(P0, 7L)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "orders,0,x                          | line 1: 'orders,0,x' is not topic,partition,offset",
        "orders,0                            | line 1: 'orders,0' is not topic,partition,offset",
        "orders,0,-1                         | line 1: 'orders,0,-1' is not topic,partition,offset",
        "'orders,0,1\\norders,0,2'            | line 2: orders-0 appears twice",
        "'orders,0,1\\n#kgroups none orders,0' | line 2: orders-0 appears twice",
        "'#kgroups none orders,0\\norders,0,1' | line 2: orders-0 appears twice",
        "#kgroups none orders                | line 1: '#kgroups none orders' is not #kgroups none topic,partition",
        "#kgroups config a                   | line 1: '#kgroups config a' is not #kgroups config NAME=PERCENT-ENCODED-VALUE",
        "'orders,0,1\\n#kgroups config a=1\\n#kgroups config-none a' | line 3: a appears twice",
        "#kgroups config-none a b            | line 1: '#kgroups config-none a b' is not #kgroups config-none NAME",
        "#kgroups gone orders,0              | holds no offsets",
        "'orders,0,1\\n#kgroups leader-epoch orders,0,e' | line 2: '#kgroups leader-epoch orders,0,e' is not #kgroups leader-epoch",
        "'orders,0,1\\n#kgroups metadata orders,0,a b'   | line 2: '#kgroups metadata orders,0,a b' is not #kgroups metadata",
        "#kgroups metadata orders,0,abc      | line 1: no line topic,partition,offset for orders-0 comes with '#kgroups metadata",
        "# only a comment                    | holds no offsets",
        "topic,partition,offset              | holds no offsets",
        "'orders,0,1\ntopic,partition,offset' | line 2: 'topic,partition,offset' is not topic,partition,offset",
    })
    void aBadLineIsAnErrorThatNamesIt(String text, String message, @TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("f.csv"), text.replace("\\n", "\n") + "\n");
        assertThatThrownBy(() -> OffsetsFile.read(file)).isInstanceOf(GroupAdminException.class).hasMessageContaining(message);
    }

    @Test
    void aFileThatCannotBeWrittenIsAnErrorAndLeavesNothing(@TempDir Path dir) throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("not-a-dir"), "");
        assertThatThrownBy(() -> OffsetsFile.write(notADirectory.resolve("f.csv"), ResetTarget.FromOffsets.of(Map.of(P0, 1L))))
                .isInstanceOf(GroupAdminException.class)
                .hasMessageStartingWith("cannot write " + notADirectory.resolve("f.csv"))
                .hasMessageEndingWith("choose a writable path");
    }
}
