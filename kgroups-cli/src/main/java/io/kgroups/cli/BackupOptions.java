package io.kgroups.cli;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Where every executed change of offsets or groups leaves its trace: the backup that undoes it, and the audit log. */
@Command
final class BackupOptions {
    @Option(names = "--backup-dir", paramLabel = "DIR", description = "Where backups go (default: ~/.kgroups/backups).")
    private Path backupDir = Path.of(System.getProperty("user.home"), ".kgroups", "backups");

    @Option(names = "--audit-log", paramLabel = "FILE", description = "The audit log (default: ~/.kgroups/audit.log).")
    private Path auditLog = Path.of(System.getProperty("user.home"), ".kgroups", "audit.log");

    Path backupDir() {
        return backupDir;
    }

    Path auditLog() {
        return auditLog;
    }

    /**
     * Tries the backup directory and the audit log before anything is written, leaving no trace:
     * the audit line is appended after the change, too late to find that it cannot be.
     */
    void checkWritable() {
        try {
            tryWriting(backupDir);
        } catch (IOException e) {
            throw FileError.usage("--backup-dir", backupDir, e, "choose a directory kgroups can write backups to; "
                    + "nothing was changed");
        }
        try {
            if (Files.exists(auditLog)) {
                Files.newOutputStream(auditLog, StandardOpenOption.APPEND).close(); // appends nothing
            } else {
                tryWriting(auditLog.toAbsolutePath().getParent());
            }
        } catch (IOException e) {
            throw FileError.usage("--audit-log", auditLog, e, "choose a file kgroups can append to; nothing was changed");
        }
    }

    /** Creates and deletes a file in {@code dir}, or in the nearest directory above it while it does not exist yet. */
    private static void tryWriting(Path dir) throws IOException {
        Path existing = dir.toAbsolutePath();
        while (!Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (!Files.isDirectory(existing)) {
            throw new FileSystemException(existing.toString(), null, "Not a directory");
        }
        Files.delete(Files.createTempFile(existing, ".kgroups-check", ".tmp"));
    }
}
