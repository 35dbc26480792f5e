package io.kgroups.admin.internal;

import io.kgroups.admin.GroupAdminException;
import io.kgroups.admin.ResetPlan;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;

/**
 * One JSON line per executed change: when, who (the OS user), what (reset, delete,
 * delete-offsets), which group, each partition before and after (null: no offset), each group
 * config before and after (null: not set dynamically), the topics deleted with it (a streams
 * group's internal topics), and the backup that undoes it (null: none
 * was written, as there was nothing to restore). Every value is a JSON string or number, so a
 * name holding a newline, a quote or {@code =} stays in its field and cannot forge a line.
 * Appended, never rewritten.
 */
public final class AuditLog {
    private AuditLog() {
    }

    /** A committed offset changed: null for none. */
    public record Offset(String topic, int partition, Long before, Long after) {
    }

    /** A group config changed: null for a config not set dynamically. */
    public record Config(String name, String before, String after) {
    }

    /** The offsets a reset plan changes. */
    public static List<Offset> offsets(List<ResetPlan.Partition> plan) {
        return plan.stream().map(p -> new Offset(p.topic(), p.partition(), p.currentOffset(), p.targetOffset())).toList();
    }

    /** @param backup null when none was written; otherwise a file that exists */
    public static void append(Path log, String action, String group, List<Offset> offsets, List<Config> configs,
            List<String> topicsDeleted, Path backup) {
        StringBuilder line = new StringBuilder("{\"time\":").append(string(Instant.now().toString()))
                .append(",\"user\":").append(string(System.getProperty("user.name")))
                .append(",\"action\":").append(string(action))
                .append(",\"group\":").append(string(group))
                .append(",\"backup\":").append(backup == null ? "null" : string(backup.toString()))
                .append(",\"partitions\":[");
        for (int i = 0; i < offsets.size(); i++) {
            Offset o = offsets.get(i);
            line.append(i == 0 ? "" : ",").append("{\"topic\":").append(string(o.topic()))
                    .append(",\"partition\":").append(o.partition())
                    .append(",\"before\":").append(o.before())
                    .append(",\"after\":").append(o.after()).append('}');
        }
        line.append("],\"configs\":[");
        for (int i = 0; i < configs.size(); i++) {
            Config c = configs.get(i);
            line.append(i == 0 ? "" : ",").append("{\"name\":").append(string(c.name()))
                    .append(",\"before\":").append(string(c.before()))
                    .append(",\"after\":").append(string(c.after())).append('}');
        }
        line.append("],\"topicsDeleted\":[");
        for (int i = 0; i < topicsDeleted.size(); i++) {
            line.append(i == 0 ? "" : ",").append(string(topicsDeleted.get(i)));
        }
        line.append("]}").append('\n');
        try {
            if (log.toAbsolutePath().getParent() != null) {
                Files.createDirectories(log.toAbsolutePath().getParent());
            }
            Files.writeString(log, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new GroupAdminException("the group was changed but the audit log " + log + " could not be written: "
                    + e + (backup == null ? "" : "; the backup " + backup + " undoes the change"), e);
        }
    }

    /** A JSON string: quotes, backslashes and every control character escaped. */
    private static String string(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder json = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                json.append('\\').append(c);
            } else if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                json.append(String.format("\\u%04x", (int) c));
            } else {
                json.append(c);
            }
        }
        return json.append('"').toString();
    }
}
