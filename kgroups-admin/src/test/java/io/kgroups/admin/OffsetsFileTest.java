package io.kgroups.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
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
        "#kgroups gone orders,0              | line 1: '#kgroups gone orders,0' is an unknown #kgroups line",
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
