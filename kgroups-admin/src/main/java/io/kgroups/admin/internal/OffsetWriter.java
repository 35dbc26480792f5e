package io.kgroups.admin.internal;

import io.kgroups.admin.DeletePlan;
import io.kgroups.admin.ExecutedDelete;
import io.kgroups.admin.ExecutedReset;
import io.kgroups.admin.GroupAdminException;
import io.kgroups.admin.OffsetsFile;
import io.kgroups.admin.ResetPlan;
import io.kgroups.admin.ResetTarget;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.GroupSubscribedToTopicException;
import org.apache.kafka.common.errors.IllegalGenerationException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.StaleMemberEpochException;
import org.apache.kafka.common.errors.UnknownMemberIdException;

/**
 * The write path of {@code GroupAdmin}: resets and deletes of groups and of offsets, each planned
 * again right before the write, backed up, audited; and the wait for a group to empty.
 */
public final class OffsetWriter {
    /** Longest group part of a backup's file name; longer names are cut and given a hash. */
    private static final int MAX_NAME = 100;
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Comparator<TopicPartition> ORDER = Comparator.comparing(TopicPartition::topic)
            .thenComparingInt(TopicPartition::partition);

    private final Admin admin;
    private final Calls calls;
    private final ResetPlanner planner;
    private final DeletePlanner deletes;
    private final GroupConfigs configs;
    private volatile Runnable beforeWrite = () -> { };

    public OffsetWriter(Admin admin, Calls calls, ResetPlanner planner, DeletePlanner deletes) {
        this.admin = admin;
        this.calls = calls;
        this.planner = planner;
        this.deletes = deletes;
        this.configs = new GroupConfigs(admin, calls);
    }

    /**
     * A seam for tests: runs after the last check and the backup, right before the offsets are
     * written or the group deleted, where a member joining is only found by Kafka refusing it.
     */
    public void beforeWrite(Runnable hook) {
        beforeWrite = hook;
    }

    /**
     * Plans the reset from the offsets committed now, refuses it while the group has members,
     * writes the backup (atomically), then the offsets, then the group configs a file gives, then
     * the audit line.
     *
     * @param backupDir where the backup goes (created if needed); null: none is written
     * @param auditLog the file the audit line is appended to; null: none is
     */
    public ExecutedReset reset(String group, Map<String, Set<Integer>> topics, ResetTarget target, Path backupDir,
            Path auditLog) {
        ResetPlanner.Planned planned = planner.planned(group, topics, target);
        ResetPlan plan = planned.plan();
        if (plan.activeMembers() > 0) {
            throw new GroupAdminException("group '" + group + "' has " + plan.activeMembers() + " active member(s) ("
                    + String.join(", ", planned.members()) + ", state " + plan.state() + "): offsets can only be reset "
                    + "while it is inactive; stop its consumers, or add --wait-for-empty DURATION");
        }
        ResetTarget.FromOffsets file = target instanceof ResetTarget.FromOffsets f ? f : null;
        Set<String> configNames = new TreeSet<>();
        if (file != null) {
            configNames.addAll(file.configs().keySet());
            configNames.addAll(file.withoutConfig());
        }
        Map<String, String> configsBefore = configNames.isEmpty() ? Map.of() : configs.dynamic(group);
        Path backup = writeBackup(backupDir, group, undo(planned, configNames, configsBefore));
        Map<TopicPartition, OffsetAndMetadata> commits = new LinkedHashMap<>();
        Set<TopicPartition> deletes = new HashSet<>();
        for (ResetPlan.Partition p : plan.partitions()) {
            TopicPartition tp = new TopicPartition(p.topic(), p.partition());
            if (p.targetOffset() != null) {
                commits.put(tp, commit(p, target));
            } else if (p.currentOffset() != null) {
                deletes.add(tp);
            }
        }
        beforeWrite.run();
        // The commit goes first: it is the call Kafka refuses whole when a member has joined, so
        // that refusal changes nothing. If the delete then fails, the partitions it was for keep
        // the offset this reset committed (a defined place, not a lost one) and running the same
        // command again finishes the job; the backup, written before both, undoes either state.
        OffsetStore store = planned.store();
        if (!commits.isEmpty()) {
            try {
                store.alter(group, commits);
            } catch (GroupAdminException e) {
                throw failedWrite(group, e, backup, "");
            }
        }
        if (!deletes.isEmpty()) {
            try {
                Map<TopicPartition, GroupAdminException> refused = store.delete(group, deletes);
                if (!refused.isEmpty()) {
                    throw refused.values().iterator().next();
                }
            } catch (GroupAdminException e) {
                if (commits.isEmpty()) {
                    throw failedWrite(group, e, backup, "");
                }
                List<ResetPlan.Partition> written = plan.partitions().stream().filter(p -> p.targetOffset() != null).toList();
                audit(auditLog, "reset", group, AuditLog.offsets(written), List.of(), List.of(), backup);
                throw failedWrite(group, e, backup, "the new offsets were committed but the offsets of " + sorted(deletes)
                        + " were not deleted; ");
            }
        }
        List<AuditLog.Config> configChanges = new ArrayList<>();
        configNames.forEach(name -> configChanges.add(new AuditLog.Config(name, configsBefore.get(name),
                file.configs().get(name))));
        if (!configNames.isEmpty()) {
            try {
                configs.alter(group, file.configs(), file.withoutConfig());
            } catch (GroupAdminException e) {
                audit(auditLog, "reset", group, AuditLog.offsets(plan.partitions()), List.of(), List.of(), backup);
                throw new GroupAdminException("the offsets were written but the group configs " + configNames + " were not ("
                        + e.getMessage() + "): run the same command again to finish", e);
            }
        }
        audit(auditLog, "reset", group, AuditLog.offsets(plan.partitions()), configChanges, List.of(), backup);
        return new ExecutedReset(plan, backup);
    }

    /**
     * Deletes the group, and its dynamic configs unless {@code keepConfigs} (Kafka keeps them, and
     * they would apply to the next group of that name): planned from the group as it is now,
     * refused while it has members, backed up first (offsets with their epochs and metadata, and
     * the configs deleted), then audited. A member joining after the check makes Kafka refuse the
     * delete: then nothing is changed and the backup is removed.
     *
     * @param backupDir where the backup goes; null: none is written
     * @param auditLog null: no audit line
     */
    public ExecutedDelete deleteGroup(String group, boolean keepConfigs, boolean internalTopics, Path backupDir,
            Path auditLog) {
        DeletePlanner.Planned planned = deletes.group(group, keepConfigs, internalTopics);
        DeletePlan plan = planned.plan();
        refuseBlocked(plan);
        Path backup = writeBackup(backupDir, group, restore(plan));
        beforeWrite.run();
        try {
            planned.store().deleteGroup(group);
        } catch (GroupAdminException e) {
            throw failedWrite(group, e, backup, "");
        }
        List<AuditLog.Offset> offsets = deletedOffsets(plan.partitions());
        try {
            configs.alter(group, Map.of(), plan.configs().keySet());
        } catch (GroupAdminException e) {
            audit(auditLog, plan.action(), group, offsets, List.of(), List.of(), backup);
            throw new GroupAdminException("group '" + group + "' was deleted but its configs " + plan.configs().keySet()
                    + " were not (" + e.getMessage() + "): delete them with kafka-configs --alter --entity-type groups "
                    + "--entity-name '" + group + "' --delete-config " + String.join(",", plan.configs().keySet())
                    + (backup == null ? ""
                    : "; the backup " + backup + " restores the group"), e);
        }
        List<AuditLog.Config> deletedConfigs = new ArrayList<>();
        plan.configs().forEach((name, value) -> deletedConfigs.add(new AuditLog.Config(name, value, null)));
        List<String> topicsDeleted = deleteTopics(group, plan.internalTopics());
        audit(auditLog, plan.action(), group, offsets, deletedConfigs, topicsDeleted, backup);
        if (topicsDeleted.size() < plan.internalTopics().size()) {
            List<String> left = plan.internalTopics().stream().filter(t -> !topicsDeleted.contains(t)).toList();
            throw new GroupAdminException("group '" + group + "' was deleted but its internal topics " + left + " were not: "
                    + "delete them with kafka-topics --delete --topic NAME" + (backup == null ? ""
                    : "; the backup " + backup + " restores the group's offsets"));
        }
        return new ExecutedDelete(plan, backup);
    }

    /** Deletes the topics, each on its own; returns those deleted (a topic already gone counts as deleted). */
    private List<String> deleteTopics(String group, List<String> topics) {
        if (topics.isEmpty()) {
            return List.of();
        }
        var result = admin.deleteTopics(topics).topicNameValues();
        List<String> deleted = new ArrayList<>();
        for (String topic : topics) {
            try {
                calls.await(result.get(topic), "delete topic " + topic + " of streams group " + group,
                        Access.topics("Delete"));
                deleted.add(topic);
            } catch (GroupAdminException e) {
                if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
                    deleted.add(topic);
                }
            }
        }
        return deleted;
    }

    /**
     * Deletes some of the group's offsets: planned from the offsets it has now, refused while a
     * member is assigned a partition of their topics, backed up first, audited. Kafka refusing
     * because the group subscribes to a topic changes nothing and leaves no backup.
     *
     * @param topics as for {@link DeletePlanner#offsets}
     */
    public ExecutedDelete deleteOffsets(String group, Map<String, Set<Integer>> topics, Path backupDir, Path auditLog) {
        DeletePlanner.Planned planned = deletes.offsets(group, topics);
        DeletePlan plan = planned.plan();
        refuseBlocked(plan);
        Path backup = writeBackup(backupDir, group, restore(plan));
        Set<TopicPartition> partitions = new HashSet<>();
        plan.partitions().forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        beforeWrite.run();
        Map<TopicPartition, GroupAdminException> failed = new TreeMap<>(ORDER);
        failed.putAll(planned.store().delete(group, partitions));
        if (failed.size() == partitions.size()) {
            throw failedWrite(group, failed.values().iterator().next(), backup, "");
        }
        List<DeletePlan.Partition> deleted = plan.partitions().stream()
                .filter(p -> !failed.containsKey(new TopicPartition(p.topic(), p.partition()))).toList();
        audit(auditLog, plan.action(), group, deletedOffsets(deleted), List.of(), List.of(), backup);
        if (!failed.isEmpty()) {
            throw failedWrite(group, failed.values().iterator().next(), backup, "the offsets of " + sorted(partitions.stream()
                    .filter(tp -> !failed.containsKey(tp)).toList()) + " were deleted but not those of " + failed.keySet()
                    + "; ");
        }
        return new ExecutedDelete(plan, backup);
    }

    private static void refuseBlocked(DeletePlan plan) {
        if (plan.refusal() != null) {
            throw new GroupAdminException(plan.refusal() + "; nothing was changed");
        }
    }

    /**
     * What restores what the delete removes; not the offsets of the internal topics deleted with a
     * streams group, as the app makes them again empty.
     */
    private static ResetTarget.FromOffsets restore(DeletePlan plan) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        plan.partitions().stream().filter(p -> !plan.internalTopics().contains(p.topic())).forEach(p -> offsets.put(new TopicPartition(p.topic(), p.partition()),
                new OffsetAndMetadata(p.committedOffset(), Optional.ofNullable(p.leaderEpoch()), p.metadata())));
        return new ResetTarget.FromOffsets(offsets, Set.of(), plan.configs(), Set.of(), List.of(), typeOfBackup(plan.type()));
    }

    /** The type a backup records: share or streams; none for a consumer group's, so that Kafka's tool reads it as before. */
    private static String typeOfBackup(String type) {
        return type.equals("consumer") ? null : type;
    }

    private static List<AuditLog.Offset> deletedOffsets(List<DeletePlan.Partition> partitions) {
        return partitions.stream().map(p -> new AuditLog.Offset(p.topic(), p.partition(), p.committedOffset(), null)).toList();
    }

    private static void audit(Path auditLog, String action, String group, List<AuditLog.Offset> offsets,
            List<AuditLog.Config> configs, List<String> topicsDeleted, Path backup) {
        if (auditLog != null) {
            AuditLog.append(auditLog, action, group, offsets, configs, topicsDeleted, backup);
        }
    }

    /**
     * Writes the backup of what is about to change, before it changes; if it cannot be written,
     * nothing is changed.
     *
     * @return the backup; null when none is asked for, or there is nothing to restore (the audit
     *     line then says null: it names only files that exist)
     */
    private static Path writeBackup(Path backupDir, String group, ResetTarget.FromOffsets undo) {
        if (backupDir == null || undo.isEmpty()) {
            return null;
        }
        Path backup = backupFile(backupDir, group, Instant.now());
        try {
            OffsetsFile.write(backup, undo);
        } catch (GroupAdminException e) {
            throw new GroupAdminException("cannot write the backup " + backup + " (" + e.getCause()
                    + "): nothing was changed; choose a writable --backup-dir", e);
        }
        return backup;
    }

    /**
     * What undoes the plan: the committed offsets it starts from, and none where there was none;
     * the configs it changes as they were, and none where none was set.
     */
    private static ResetTarget.FromOffsets undo(ResetPlanner.Planned planned, Set<String> configNames,
            Map<String, String> configsBefore) {
        Map<TopicPartition, OffsetAndMetadata> before = new HashMap<>();
        Set<TopicPartition> without = new HashSet<>();
        for (ResetPlan.Partition p : planned.plan().partitions()) {
            TopicPartition tp = new TopicPartition(p.topic(), p.partition());
            OffsetAndMetadata committed = planned.committed().get(tp);
            if (committed == null) {
                without.add(tp);
            } else {
                before.put(tp, committed);
            }
        }
        Map<String, String> configs = new HashMap<>();
        Set<String> unset = new HashSet<>();
        for (String name : configNames) {
            if (configsBefore.containsKey(name)) {
                configs.put(name, configsBefore.get(name));
            } else {
                unset.add(name);
            }
        }
        return new ResetTarget.FromOffsets(before, without, configs, unset, List.of(),
                typeOfBackup(planned.plan().type()));
    }

    /**
     * The commit for a partition: from a file, with the leader epoch and metadata it recorded (an
     * undo restores them); otherwise a bare offset, as the metadata of the old position describes
     * records that are no longer where the group stands.
     */
    private static OffsetAndMetadata commit(ResetPlan.Partition p, ResetTarget target) {
        if (target instanceof ResetTarget.FromOffsets file && !p.clamped()) {
            OffsetAndMetadata saved = file.offsets().get(new TopicPartition(p.topic(), p.partition()));
            return new OffsetAndMetadata(p.targetOffset(), saved.leaderEpoch(), saved.metadata());
        }
        return new OffsetAndMetadata(p.targetOffset());
    }

    private GroupAdminException failedWrite(String group, GroupAdminException e, Path backup, String done) {
        Throwable cause = e.getCause();
        boolean memberJoined = cause instanceof UnknownMemberIdException || cause instanceof IllegalGenerationException
                || cause instanceof RebalanceInProgressException || cause instanceof StaleMemberEpochException
                || cause instanceof FencedInstanceIdException || cause instanceof GroupNotEmptyException
                || cause instanceof GroupSubscribedToTopicException;
        boolean denied = cause instanceof AuthorizationException;
        if ((memberJoined || denied) && done.isEmpty()) {
            String kept = "";
            try {
                if (backup != null) {
                    Files.deleteIfExists(backup);
                }
            } catch (IOException notDeleted) {
                kept = " (remove the backup " + backup + ": it records a change that did not happen)";
            }
            if (denied) {
                return new GroupAdminException(e.getMessage() + "; nothing was changed" + kept, e);
            }
            String why = cause instanceof GroupSubscribedToTopicException ? "is subscribed to the topic (a member with "
                    + "no partition of it, or one that joined after the check)" : "got a member after the check";
            return new GroupAdminException("group '" + group + "' " + why + ", so Kafka refused the write ("
                    + cause.getMessage() + "): nothing was changed" + kept + "; stop its consumers and run the command again",
                    e);
        }
        if (memberJoined) {
            return new GroupAdminException("group '" + group + "' got a member during the change (" + cause.getMessage()
                    + "): " + done + "stop its consumers and run the same command again" + (backup == null ? ""
                    : ", or undo with the backup " + backup), e);
        }
        return new GroupAdminException(done + e.getMessage() + (backup == null ? ""
                : "; the backup " + backup + " holds the offsets from before"), e);
    }

    /**
     * The backup's path: the group's name percent-encoded (so {@code ../}, a slash or a newline
     * cannot leave the directory or split a line), cut with a hash when long, and the time.
     */
    public static Path backupFile(Path dir, String group, Instant at) {
        String name = PercentEncoding.encode(group);
        if (name.startsWith(".")) {
            name = "%2E" + name.substring(1); // no hidden files, no "." or ".."
        }
        if (name.length() > MAX_NAME) {
            name = name.substring(0, MAX_NAME - 17) + "~" + sha256(group).substring(0, 16);
        }
        String stamp = at.toString().replace(':', '-');
        dir = dir.toAbsolutePath(); // printed and audited: a path that works from any directory
        Path file = dir.resolve(name + "-" + stamp + ".csv");
        for (int n = 2; Files.exists(file); n++) {
            file = dir.resolve(name + "-" + stamp + "-" + n + ".csv"); // never replace an earlier backup
        }
        return file;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    /** Waits until the group has no members, up to {@code wait}; false if it still has some. */
    public boolean awaitInactive(String group, Duration wait) throws InterruptedException {
        OffsetStore store = OffsetStore.of(new GroupReads(admin, calls).list().get(group), null, admin, calls, "resets");
        long deadline = System.nanoTime() + wait.toNanos();
        while (members(store, group) > 0) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(POLL.toMillis());
        }
        return true;
    }

    private static int members(OffsetStore store, String group) {
        OffsetStore.Group now = store.describe(group);
        return now == null ? 0 : now.members().size();
    }

    private static List<TopicPartition> sorted(Collection<TopicPartition> partitions) {
        return partitions.stream().sorted(ORDER).toList();
    }
}
