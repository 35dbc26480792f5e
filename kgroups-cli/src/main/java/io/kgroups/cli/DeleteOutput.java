package io.kgroups.cli;

import io.kgroups.admin.DeletePlan;
import io.kgroups.admin.ResetSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code delete} and {@code delete-offsets} print: one table of the offsets deleted (or to be
 * deleted) over all groups, then per group what was done, the backup and the exact undo.
 */
final class DeleteOutput {
    /** Longest commit metadata shown in the text table (kgroups' own runs to kilobytes); JSON and CSV have it whole. */
    private static final int METADATA_SHOWN = 24;

    /**
     * One group's delete, planned or done.
     *
     * @param backup null: none was written (a dry run, or nothing to restore)
     */
    record Shown(DeletePlan plan, boolean executed, Path backup) {
    }

    private DeleteOutput() {
    }

    /**
     * Prints the deletes in the chosen format; the exit code.
     *
     * @param list true: JSON {@code data} is a list (a command of several groups); false: the one group's object
     */
    static int print(CommandContext context, List<Shown> shown, boolean list) {
        Output output = context.output();
        boolean text = output.format() == GlobalOptions.OutputFormat.table;
        // A share group's offsets are start offsets: each column shows in the text table only where a group has it.
        Table table = Table.of("group", "topic", "partition", "committedOffset", "startOffset", "leaderEpoch", "metadata",
                "lag").optional("committedOffset").optional("startOffset");
        for (Shown s : shown) {
            boolean share = s.plan().type().equals("share");
            for (DeletePlan.Partition p : s.plan().partitions()) {
                table.row(s.plan().group(), p.topic(), p.partition(), share ? null : p.committedOffset(),
                        share ? p.committedOffset() : null, p.leaderEpoch(), text ? shortened(p.metadata()) : p.metadata(),
                        p.lag());
            }
        }
        switch (output.format()) {
            case json -> {
                List<Map<String, Object>> objects = shown.stream().map(DeleteOutput::json).toList();
                output.json(list ? objects : objects.get(0));
            }
            case csv -> output.csv(table);
            default -> {
                context.printText(table.whenEmpty("No offsets."));
                context.out().println();
                shown.forEach(s -> summary(s).forEach(context.out()::println));
                if (shown.stream().noneMatch(Shown::executed)) {
                    context.out().println("Dry run: nothing changed; add --execute to delete.");
                }
            }
        }
        return output.done();
    }

    /** The JSON of one group's delete: the one place its shape is made. */
    private static Map<String, Object> json(Shown s) {
        DeletePlan plan = s.plan();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("group", plan.group());
        json.put("type", plan.type());
        json.put("action", plan.action());
        json.put("executed", s.executed());
        json.put("state", plan.state());
        json.put("blockingMembers", plan.blockers());
        List<Map<String, Object>> partitions = new ArrayList<>();
        boolean share = plan.type().equals("share");
        for (DeletePlan.Partition p : plan.partitions()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("topic", p.topic());
            row.put("partition", p.partition());
            row.put("committedOffset", share ? null : p.committedOffset());
            row.put("startOffset", share ? p.committedOffset() : null);
            row.put("leaderEpoch", p.leaderEpoch());
            row.put("metadata", p.metadata());
            row.put("lag", p.lag());
            partitions.add(row);
        }
        json.put("partitions", partitions);
        json.put("configs", plan.configs());
        json.put("internalTopics", plan.internalTopics());
        json.put("backupFile", s.backup() == null ? null : s.backup().toString());
        json.put("undo", undo(s));
        return json;
    }

    /** What was (or would be) deleted, and the backup with its undo, or why the delete is refused now. */
    private static List<String> summary(Shown s) {
        DeletePlan plan = s.plan();
        String what = plan.partitions().size() + (plan.type().equals("share") ? " start offset(s)" : " committed offset(s)")
                + (plan.wholeGroup() ? "" : " of " + String.join(", ", plan.topics()));
        if (!plan.configs().isEmpty()) {
            List<String> configs = new ArrayList<>();
            plan.configs().forEach((name, value) -> configs.add(name + "=" + value));
            what += " and its dynamic configs " + String.join(", ", configs);
        }
        if (!plan.internalTopics().isEmpty()) {
            what += ", then its internal topics " + String.join(", ", plan.internalTopics()) + " (their records are gone "
                    + "for good: the backup restores offsets, not records)";
        }
        String kind = plan.type().equals("consumer") ? "group" : plan.type() + " group";
        String subject = plan.wholeGroup() ? kind + " '" + plan.group() + "' (" + plan.state() + ") with " + what
                : what + " of " + kind + " '" + plan.group() + "' (" + plan.state() + ")";
        if (!s.executed()) {
            return List.of("Would delete " + subject + "." + (plan.refusal() == null ? ""
                    : " Refused now: " + plan.refusal() + "."));
        }
        if (s.backup() == null) {
            return List.of("Deleted " + subject + "; no backup: there was nothing to restore.");
        }
        return List.of("Deleted " + subject + ".", "  Backup: " + s.backup(), "  Undo:   " + undo(s));
    }

    /** The command that restores what was deleted; null without a backup. */
    private static String undo(Shown s) {
        // --create-group: the group is gone after a delete, and may be after its last offsets are.
        return s.backup() == null ? null : ResetSpec.shellLine(List.of("kgroups", "offsets", "import", s.backup().toString(),
                s.plan().group(), "--create-group", "--execute"));
    }

    /** Commit metadata for a table cell: one line, and short. */
    private static String shortened(String metadata) {
        if (metadata.isEmpty()) {
            return null;
        }
        StringBuilder line = new StringBuilder();
        metadata.codePoints().forEach(c -> line.append(Character.isISOControl(c) ? "\\u%04x".formatted(c)
                : Character.toString(c)));
        return line.length() <= METADATA_SHOWN ? line.toString()
                : line.substring(0, METADATA_SHOWN - 1).stripTrailing() + "… (" + metadata.length() + " chars)";
    }
}
