package io.kgroups.cli;

import java.nio.file.Path;
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
}
