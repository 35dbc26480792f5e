package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file the command is given and cannot use is bad usage (exit code 2), said in words (no such
 * file, permission denied, is a directory), before anything changes.
 */
@ExtendWith(KafkaExtension.class)
class FileErrorsTest {
    private static final String TOPIC = "cli-file-errors";
    private static final String FIX = ": give a CSV file of topic,partition,offset lines";
    private static String bootstrap;
    private static Admin admin;
    private static int groups;

    @TempDir
    Path dir;

    @BeforeAll
    static void topic(EmbeddedKafka kafka) {
        bootstrap = kafka.bootstrapServers();
        kafka.createTopic(TOPIC, 1);
        admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
    }

    @AfterAll
    static void close() {
        admin.close();
    }

    /** A group that has committed offset 0. */
    private static String group() throws Exception {
        String group = "cli-file-errors-g" + (++groups);
        admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(0))).all().get();
        return group;
    }

    private static long committed(String group) throws Exception {
        return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()
                .get(new TopicPartition(TOPIC, 0)).offset();
    }

    private static Cli.Result usage(String... args) {
        Cli.Result result = Cli.run(args);
        assertThat(result.exitCode()).as("exit code; stderr:%n%s", result.err()).isEqualTo(CliException.USAGE);
        assertThat(result.err().lines()).hasSize(1);
        assertThat(result.out()).isEmpty();
        return result;
    }

    @Test
    void aMissingFileIsBadUsageThatSaysSo() {
        Path missing = dir.resolve("offsets.csv");

        Cli.Result imported = usage("offsets", "import", missing.toString(), "some-group", "--bootstrap-server", bootstrap);
        assertThat(imported.err()).startsWith("kgroups: " + missing + ": no such file" + FIX);

        Cli.Result reset = usage("reset", "some-group", "--from-file", missing.toString(), "--bootstrap-server", bootstrap);
        assertThat(reset.err()).startsWith("kgroups: --from-file " + missing + ": no such file" + FIX);
    }

    @Test
    void aDirectoryOrTextNotInUtf8IsSaidAsSuch() throws Exception {
        Cli.Result directory = usage("offsets", "import", dir.toString(), "some-group", "--bootstrap-server", bootstrap);
        assertThat(directory.err()).startsWith("kgroups: " + dir + ": is a directory" + FIX);

        Path latin1 = dir.resolve("latin1.csv");
        Files.write(latin1, new byte[] {'t', (byte) 0xe9, ',', '0', ',', '1', '\n'});
        Cli.Result notUtf8 = usage("reset", "some-group", "--from-file", latin1.toString(), "--bootstrap-server", bootstrap);
        assertThat(notUtf8.err()).startsWith("kgroups: --from-file " + latin1 + ": not UTF-8 text" + FIX);
    }

    @Test
    void aFileThatCannotBeReadSaysPermissionDenied() throws Exception {
        Path locked = Files.writeString(dir.resolve("locked.csv"), TOPIC + ",0,1\n");
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        assumeThat(Files.isReadable(locked)).as("not running as root, who reads any file").isFalse();

        Cli.Result result = usage("offsets", "import", locked.toString(), "some-group", "--bootstrap-server", bootstrap);

        assertThat(result.err()).startsWith("kgroups: " + locked + ": permission denied" + FIX);
    }

    /** As root (CI containers) no file is unreadable: the words for each failure, from the exception Java gives. */
    @Test
    void theWordsForEachFailureNameTheDirectoryWhenItIsTheDirectory() {
        Path file = Path.of("/backups/x.csv");
        assertThat(FileError.reason(file, new NoSuchFileException(file.toString()))).isEqualTo("no such file");
        assertThat(FileError.reason(file, new AccessDeniedException(file.toString()))).isEqualTo("permission denied");
        assertThat(FileError.reason(file, new AccessDeniedException("/backups"))).isEqualTo("permission denied (/backups)");
    }

    @Test
    void aBackupDirectoryThatCannotBeWrittenChangesNothing() throws Exception {
        String group = group();
        Path notADirectory = Files.writeString(dir.resolve("a-file"), "");
        Path audit = dir.resolve("audit.log");

        Cli.Result result = usage("reset", group, "--topic", TOPIC, "--to-latest", "--execute",
                "--bootstrap-server", bootstrap, "--backup-dir", notADirectory.toString(), "--audit-log", audit.toString());

        assertThat(result.err()).startsWith("kgroups: --backup-dir " + notADirectory + ": not a directory: choose a "
                + "directory kgroups can write backups to; nothing was changed");
        assertThat(committed(group)).isZero();
        assertThat(audit).doesNotExist();
    }

    @Test
    void anAuditLogThatCannotBeAppendedToIsFoundBeforeTheOffsetsMove() throws Exception {
        String group = group();
        Path backups = dir.resolve("backups");
        Path auditIsADirectory = Files.createDirectory(dir.resolve("audit"));

        Cli.Result result = usage("offsets", "copy", group, group + "-copy", "--create-group", "--execute",
                "--bootstrap-server", bootstrap, "--backup-dir", backups.toString(), "--audit-log", auditIsADirectory.toString());

        assertThat(result.err()).startsWith("kgroups: --audit-log " + auditIsADirectory + ": is a directory: choose a "
                + "file kgroups can append to; nothing was changed");
        assertThat(admin.listConsumerGroupOffsets(group + "-copy").partitionsToOffsetAndMetadata().get()).isEmpty();
        assertThat(backups).as("the backup directory, not even made").doesNotExist();
    }

    @Test
    void aDatabaseDirectoryThatCannotBeWrittenIsSaidBeforeH2PrintsItsStackTraces() throws Exception {
        Path aFile = Files.writeString(dir.resolve("not-a-dir"), "");

        Cli.Result result = Cli.runWatchingConsole(Map.of(), "load-orders", "--jdbc-url",
                "jdbc:h2:" + aFile.resolve("db/orders") + ";AUTO_SERVER=TRUE", "--bootstrap-server", bootstrap);

        assertThat(result.exitCode()).isEqualTo(CliException.USAGE);
        assertThat(result.err()).isEqualTo("kgroups: the database directory of --jdbc-url " + aFile.resolve("db") + ": not a "
                + "directory: give --jdbc-url a database in a directory kgroups can write (the default, ./kgroups-data, is "
                + "where kgroups runs)\n");
        assertThat(result.out()).isEmpty();
        assertThat(result.console()).as("what H2 printed").isEmpty();
    }

    @Test
    void anExportToAPathThatCannotBeWrittenSaysWhy() throws Exception {
        String group = group();
        Path underAFile = Files.writeString(dir.resolve("plain-file"), "").resolve("offsets.csv");

        Cli.Result result = usage("offsets", "export", group, "--file", underAFile.toString(), "--bootstrap-server", bootstrap);

        assertThat(result.err()).startsWith("kgroups: --file " + underAFile + ": not a directory (")
                .contains("choose a file kgroups can write");
    }
}
