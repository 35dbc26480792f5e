package io.kgroups.cli;

import io.kgroups.admin.ExecutedReset;
import io.kgroups.admin.GroupAdmin;
import io.kgroups.admin.ResetPlan;
import io.kgroups.admin.ResetSpec;
import io.kgroups.admin.ResetTarget;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The safe way every offset change runs (reset, import, copy): a dry run unless --execute; with
 * it, wait for the group to be inactive if asked, back up, apply, audit; then print the plan.
 */
@Command
final class ResetExecution {
    @Option(names = "--execute", description = "Apply the plan (without it: a dry run).")
    private boolean execute;

    @Option(names = {"--wait-for-empty", "--wait-for-inactive"}, paramLabel = "DURATION", converter = DurationConverter.class,
            description = "With --execute: wait up to this long for the group's members to leave (default: refuse "
                    + "at once while it has members).")
    private Duration waitForEmpty;

    @Option(names = "--create-group", description = "The group may not exist yet: this gives a new group its first "
            + "offsets (without it, a group name that does not exist is refused, as a typo would create a group).")
    private boolean createGroup;

    @Mixin
    private BackupOptions backups;

    /**
     * Plans (the dry run), and with --execute waits if asked and executes: the library plans again
     * from the offsets of that moment, and what moved since the dry run is printed.
     *
     * @param topics as for {@link GroupAdmin#planReset}
     * @return the exit code
     */
    int run(CommandContext context, GroupAdmin admin, String group, Map<String, Set<Integer>> topics, ResetTarget target)
            throws InterruptedException {
        ResetPlan dryRun = admin.planReset(group, topics, target);
        if (!dryRun.groupExists() && !createGroup) {
            throw CliException.failed("group '" + group + "' does not exist: check the name (`kgroups groups` lists them), "
                    + "or add --create-group to give a new group these offsets; nothing was changed", null);
        }
        Map<String, String> configs = configs(target);
        if (!execute) {
            return print(context, dryRun, configs, null, List.of());
        }
        backups.checkWritable();
        if (waitForEmpty != null && dryRun.activeMembers() > 0) {
            context.err().println("kgroups: group '" + group + "' has " + dryRun.activeMembers() + " member(s): waiting up to "
                    + DurationText.of(waitForEmpty.toSeconds()) + " for them to leave");
            context.err().flush();
            if (!admin.awaitInactive(group, waitForEmpty)) {
                throw CliException.failed("group '" + group + "' still has members after "
                        + DurationText.of(waitForEmpty.toSeconds()) + ": stop its consumers first; nothing was changed", null);
            }
        }
        ExecutedReset done = admin.executeReset(group, topics, target, backups.backupDir(), backups.auditLog());
        return print(context, done.plan(), configs, done.backupFile(), done.plan().movedSince(dryRun));
    }

    /** The group configs a file sets (null: the dynamic value is deleted), by name; none for other targets. */
    private static Map<String, String> configs(ResetTarget target) {
        Map<String, String> configs = new TreeMap<>();
        if (target instanceof ResetTarget.FromOffsets file) {
            configs.putAll(file.configs());
            file.withoutConfig().forEach(name -> configs.put(name, null));
        }
        return configs;
    }

    /** The longest span of time read again (or skipped) in one partition, as words. */
    private static String span(ResetPlan plan, boolean readAgain) {
        long longest = plan.partitions().stream()
                .filter(p -> p.delta() != null && p.spanMillis() != null && (readAgain ? p.delta() < 0 : p.delta() > 0))
                .mapToLong(ResetPlan.Partition::spanMillis).max().orElse(-1);
        return longest < 0 ? "" : " (up to " + DurationText.of(longest / 1000) + " of records)";
    }

    /** The plan, as executed or as a dry run; its warnings (clamped targets) on stderr and in the envelope. */
    private int print(CommandContext context, ResetPlan plan, Map<String, String> configs, Path backup,
            List<String> moved) {
        Output output = context.output();
        plan.warnings().forEach(output::warning);
        Table rows = Table.of("topic", "partition", "currentOffset", "targetOffset", "delta", "clamped", "spanSeconds");
        plan.partitions().forEach(p -> rows.row(p.topic(), p.partition(), p.currentOffset(), p.targetOffset(), p.delta(),
                p.clamped(), p.spanMillis() == null ? null : p.spanMillis() / 1000.0));
        switch (output.format()) {
            case json -> {
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("group", plan.group());
                json.put("type", plan.type());
                json.put("state", plan.state());
                json.put("activeMembers", plan.activeMembers());
                json.put("executed", execute);
                json.put("backupFile", backup == null ? null : backup.toString());
                json.put("movedSinceDryRun", moved);
                json.put("recordsReadAgain", plan.recordsReadAgain());
                json.put("recordsSkipped", plan.recordsSkipped());
                json.put("partitions", rows.data());
                json.put("configs", configs);
                output.json(json);
            }
            case csv -> output.csv(rows);
            default -> printText(context, plan, configs, backup, moved);
        }
        return output.done();
    }

    private void printText(CommandContext context, ResetPlan plan, Map<String, String> configs, Path backup,
            List<String> moved) {
        Table table = Table.of("topic", "partition", "current", "target", "delta", "what", "span");
        for (ResetPlan.Partition p : plan.partitions()) {
            table.row(p.topic(), p.partition(), p.currentOffset(), p.targetOffset(), p.delta(), p.words(),
                    p.spanMillis() == null ? null : DurationText.of(p.spanMillis() / 1000));
        }
        context.printText(table);
        context.out().println();
        if (plan.type().equals("share")) {
            context.out().println("Share group: current and target are start offsets (where delivery begins); records "
                    + "read again are delivered again, records skipped are never delivered.");
        }
        context.out().println("In total: " + plan.recordsReadAgain() + " records will be read again"
                + span(plan, true) + ", " + plan.recordsSkipped() + " skipped" + span(plan, false) + ".");
        if (!configs.isEmpty()) {
            List<String> changes = new ArrayList<>();
            configs.forEach((name, value) -> changes.add(value == null ? name + " unset" : name + "=" + value));
            context.out().println("Group configs " + (execute ? "set" : "to set") + " after the offsets: "
                    + String.join(", ", changes) + ".");
        }
        if (execute) {
            if (!moved.isEmpty()) {
                context.out().println("Planned again at the write, as offsets moved since the dry run (the plan above is "
                        + "the one written):");
                moved.forEach(m -> context.out().println("  " + m));
            }
            context.out().println("Executed." + (backup == null ? "" : " Backup: " + backup + " (undo: "
                    + new ResetSpec("--from-file", backup.toString()).command(plan.group(), null, true) + ")."));
        } else {
            context.out().println("Dry run: nothing changed. Add --execute to apply" + (plan.activeMembers() > 0
                    ? " (the group has " + plan.activeMembers() + " active member(s): stop them first)" : "") + ".");
        }
    }
}
