package io.kgroups.admin.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Where a reset's backup goes: always a plain file right in the backup directory. */
class BackupFileTest {
    private static final Instant AT = Instant.parse("2026-12-01T10:15:30.123Z");

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "storage_loader      | storage_loader-2026-12-01T10-15-30.123Z.csv",
        "'../../outside'     | %2E.%2F..%2Foutside-2026-12-01T10-15-30.123Z.csv",
        "'..'                | %2E.-2026-12-01T10-15-30.123Z.csv",
        "'/abs/path'         | %2Fabs%2Fpath-2026-12-01T10-15-30.123Z.csv",
        "'.hidden'           | %2Ehidden-2026-12-01T10-15-30.123Z.csv",
        "'a b'               | a%20b-2026-12-01T10-15-30.123Z.csv",
    })
    void theGroupNameIsEncodedIntoOneFileName(String group, String name, @TempDir Path dir) {
        Path file = OffsetWriter.backupFile(dir, group, AT);
        assertThat(file.getParent()).isEqualTo(dir);
        assertThat(file.getFileName().toString()).isEqualTo(name);
    }

    @Test
    void aNewlineInTheNameIsEncoded(@TempDir Path dir) {
        assertThat(OffsetWriter.backupFile(dir, "a\nb", AT).getFileName().toString())
                .isEqualTo("a%0Ab-2026-12-01T10-15-30.123Z.csv");
    }

    @Test
    void aLongNameIsCutAndKeptApartByAHash(@TempDir Path dir) {
        String a = "g".repeat(300) + "a";
        String b = "g".repeat(300) + "b";
        String fileA = OffsetWriter.backupFile(dir, a, AT).getFileName().toString();
        String fileB = OffsetWriter.backupFile(dir, b, AT).getFileName().toString();
        assertThat(fileA).hasSizeLessThan(140).startsWith("g".repeat(83) + "~").isNotEqualTo(fileB);
    }

    @Test
    void anEarlierBackupOfTheSameMomentIsNeverReplaced(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("g-2026-12-01T10-15-30.123Z.csv"), "t,0,1\n");
        assertThat(OffsetWriter.backupFile(dir, "g", AT).getFileName().toString())
                .isEqualTo("g-2026-12-01T10-15-30.123Z-2.csv");
    }
}
