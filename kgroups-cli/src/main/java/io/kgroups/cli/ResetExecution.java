package io.kgroups.cli;

import io.kgroups.admin.GroupAdmin;
import io.kgroups.admin.ResetPlan;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
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
            description = "With --execute: wait up to this long for the group's members to leave.")
    private Duration waitForEmpty;

    @Option(names = "--backup-dir", paramLabel = "DIR", description = "Where backups go (default: ~/.kgroups/backups).")
    private Path backupDir = Path.of(System.getProperty("user.home"), ".kgroups", "backups");

    @Option(names = "--audit-log", paramLabel = "FILE", description = "The audit log (default: ~/.kgroups/audit.log).")
    private Path auditLog = Path.of(System.getProperty("user.home"), ".kgroups", "audit.log");

    void run(CommandContext context, GroupAdmin admin, ResetPlan plan) throws InterruptedException {
        Path backup = null;
        if (execute) {
            if (waitForEmpty != null && !admin.awaitInactive(plan.group(), waitForEmpty)) {
                throw CliException.failed("group '" + plan.group() + "' still has members after "
                        + waitForEmpty.toSeconds() + "s: stop its consumers first", null);
            }
            backup = backupDir.resolve(plan.group() + "-" + Instant.now().toString().replace(':', '-') + ".csv");
            admin.executeReset(plan, backup, auditLog);
            if (plan.partitions().stream().noneMatch(p -> p.currentOffset() != null)) {
                backup = null; // nothing was committed before: nothing to back up
            }
        }
        print(context, plan, backup);
    }

    /** The longest span of time read again (or skipped) in one partition, as words. */
    private static String span(ResetPlan plan, boolean readAgain) {
        long longest = plan.partitions().stream()
                .filter(p -> p.delta() != null && p.spanMillis() != null && (readAgain ? p.delta() < 0 : p.delta() > 0))
                .mapToLong(ResetPlan.Partition::spanMillis).max().orElse(-1);
        return longest < 0 ? "" : " (up to " + DurationText.of(longest / 1000) + " of records)";
    }

    private void print(CommandContext context, ResetPlan plan, Path backup) {
        if (context.global().output() == GlobalOptions.OutputFormat.json) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("group", plan.group());
            json.put("executed", execute);
            json.put("backupFile", backup == null ? null : backup.toString());
            List<Map<String, Object>> partitions = new ArrayList<>();
            for (ResetPlan.Partition p : plan.partitions()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("topic", p.topic());
                row.put("partition", p.partition());
                row.put("currentOffset", p.currentOffset());
                row.put("targetOffset", p.targetOffset());
                row.put("delta", p.delta());
                row.put("clamped", p.clamped());
                row.put("spanSeconds", p.spanMillis() == null ? null : p.spanMillis() / 1000.0);
                partitions.add(row);
            }
            json.put("partitions", partitions);
            json.put("warnings", plan.warnings());
            context.printJson(json);
            return;
        }
        Table table = Table.of("topic", "partition", "current", "target", "delta", "what", "span");
        for (ResetPlan.Partition p : plan.partitions()) {
            table.row(p.topic(), p.partition(), p.currentOffset(), p.targetOffset(), p.delta(), p.words(),
                    p.spanMillis() == null ? null : DurationText.of(p.spanMillis() / 1000));
        }
        context.print(table);
        if (context.global().output() == GlobalOptions.OutputFormat.csv) {
            return;
        }
        plan.warnings().forEach(w -> context.err().println("kgroups: warning: " + w));
        context.out().println();
        context.out().println("In total: " + plan.recordsReadAgain() + " records will be read again"
                + span(plan, true) + ", " + plan.recordsSkipped() + " skipped" + span(plan, false) + ".");
        if (execute) {
            context.out().println("Executed." + (backup == null ? "" : " Backup: " + backup + " (undo: kgroups reset "
                    + plan.group() + " --from-file " + backup + " --execute)."));
        } else {
            context.out().println("Dry run: nothing changed. Add --execute to apply" + (plan.activeMembers() > 0
                    ? " (the group has " + plan.activeMembers() + " active member(s): stop them first)" : "") + ".");
        }
        context.out().flush();
        context.err().flush();
    }
}
