package io.kgroups.admin;

import java.nio.file.Path;

/**
 * A reset that was written.
 *
 * @param plan the plan as written: made from the offsets read right before the write
 * @param backupFile the backup that undoes it ({@code kgroups reset GROUP --from-file BACKUP
 *     --execute}); null when none was asked for
 */
public record ExecutedReset(ResetPlan plan, Path backupFile) {
}
