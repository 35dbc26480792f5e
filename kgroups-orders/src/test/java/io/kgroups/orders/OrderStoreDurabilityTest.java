package io.kgroups.orders;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stored batch survives the death of the process that stored it: the loader commits offsets
 * after the database commit, so a commit that only lived in memory would be a lost record.
 * (H2's default write delay loses about half of 2,000 commits this way; the store turns it off.)
 */
class OrderStoreDurabilityTest {
    @Test
    void everyStoredBatchIsThereAfterTheProcessIsKilled(@TempDir Path dir) throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("orders");
        Process child = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), StoreThenHalt.class.getName(), url, "2000")
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.txt").toFile()).start();
        boolean ended = child.waitFor(120, TimeUnit.SECONDS);
        child.destroyForcibly();
        String output = new String(Files.readAllBytes(dir.resolve("child.txt")), StandardCharsets.UTF_8);
        assertThat(ended).as("the child ended within 120 s; it printed:%n%s", output).isTrue();
        assertThat(output).contains("stored 2000");
        assertThat(child.exitValue()).isEqualTo(137);
        try (OrderStore store = OrderStore.open(url, null, null, 1, false)) {
            assertThat(store.versions()).hasSize(2000);
        }
    }
}
