package io.kgroups.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.stream.Collectors;

/**
 * One line per executed change: when, who (the OS user), which group, each partition before and
 * after, and the backup that undoes it. Appended, never rewritten.
 */
final class AuditLog {
    private AuditLog() {
    }

    static void append(Path log, ResetPlan plan, Path backup) {
        String partitions = plan.partitions().stream()
                .map(p -> p.topic() + "-" + p.partition() + ":" + (p.currentOffset() == null ? "none" : p.currentOffset())
                        + "->" + p.targetOffset())
                .collect(Collectors.joining(" "));
        String line = Instant.now() + " user=" + System.getProperty("user.name") + " group=" + plan.group()
                + " backup=" + (backup == null ? "none" : backup) + " " + partitions + System.lineSeparator();
        try {
            if (log.getParent() != null) {
                Files.createDirectories(log.getParent());
            }
            Files.writeString(log, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new GroupAdminException("the offsets were changed but the audit log " + log + " could not be written: "
                    + e.getMessage(), e);
        }
    }
}
