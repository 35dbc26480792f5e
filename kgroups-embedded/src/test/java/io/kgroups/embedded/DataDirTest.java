package io.kgroups.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirTest {

    @Test
    void aTemporaryDataDirIsDeletedOnClose() {
        Path dir;
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().build().start()) {
            dir = kafka.dataDir();
            assertThat(dir.resolve("node-1/server.properties")).isRegularFile();
        }
        assertThat(dir).doesNotExist();
    }

    @Test
    void aGivenDataDirIsKeptAndKeepsItsClusterId(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().dataDir(dir).build().start()) {
            assertThat(kafka.dataDir()).isEqualTo(dir.toAbsolutePath());
        }
        String meta = Files.readString(dir.resolve("node-1/data/meta.properties"));
        try (EmbeddedKafka again = EmbeddedKafka.builder().dataDir(dir).build().start()) {
            assertThat(Files.readString(dir.resolve("node-1/data/meta.properties"))).isEqualTo(meta);
        }
        assertThat(dir).isDirectory();
    }

    @Test
    void badSettingsAreRefusedWithTheFix() {
        assertThatThrownBy(() -> EmbeddedKafka.builder().brokers(0)).hasMessage("brokers must be 1 to 9, was 0");
        assertThatThrownBy(() -> EmbeddedKafka.builder().port(65535).brokers(3).build())
                .hasMessageContaining("choose a lower port");
        assertThatThrownBy(() -> EmbeddedKafka.builder().build().bootstrapServers())
                .hasMessageContaining("call start() first");
    }
}
