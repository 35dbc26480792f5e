package io.kgroups.admin;

import java.nio.file.Path;

/**
 * A delete that was carried out.
 *
 * @param plan what was deleted: planned from the group as it was right before the delete
 * @param backupFile the backup that restores it ({@code kgroups offsets import BACKUP GROUP
 *     --create-group --execute}); null when none was asked for, or there was nothing to restore
 */
public record ExecutedDelete(DeletePlan plan, Path backupFile) {
}
