package io.kgroups.admin.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file written whole, or not at all; no temporary file is left either way. */
class AtomicFileTest {
    @Test
    void writesTheFileAndLeavesNothingElse(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sub/backup.csv");
        AtomicFile.write(file, "t,0,1\n");
        AtomicFile.write(file, "t,0,2\n"); // an export written again replaces the old one whole

        assertThat(Files.readString(file)).isEqualTo("t,0,2\n");
        assertThat(list(file.getParent())).containsExactly(file);
    }

    @Test
    void aRenameThatFailsLeavesNoPartialOrTemporaryFile(@TempDir Path dir) throws Exception {
        Path target = Files.createDirectories(dir.resolve("backup.csv"));
        Files.writeString(target.resolve("inside"), "kept");

        assertThatThrownBy(() -> AtomicFile.write(target, "t,0,1\n")).isInstanceOf(IOException.class);

        assertThat(list(dir)).containsExactly(target);
        assertThat(Files.readString(target.resolve("inside"))).isEqualTo("kept");
    }

    private static java.util.List<Path> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }
}
