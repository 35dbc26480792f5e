package io.kgroups.monitor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How many members a group should have for its lag, with the reasoning: what an autoscaler reads
 * from {@code /api/groups/{group}/scaling} (KEDA's metrics-api scaler with {@code valueLocation:
 * data.replicas} and {@code targetValue: 1}, or the HPA through an adapter). A pure function of
 * the group's last status, tested by a table against KEDA's own Kafka scaler formula.
 *
 * <p>Where it differs from a raw sum of lag on purpose:
 * <ul>
 *   <li>a STALLED partition (a member holds it, its committed offset does not move: a poison pill,
 *       a hung handler) adds no members: another member would not move it;</li>
 *   <li>records retention deleted before the group read them are not lag to work off: the
 *       group's next fetch skips them;</li>
 *   <li>a consumer, classic or streams group is capped at its partitions (a member more would sit
 *       idle); a share group is not (its members share partitions);</li>
 *   <li>one member is kept while records wait anywhere (scaling to zero would leave them unread).</li>
 * </ul>
 *
 * @param basis what the threshold counts: records per member, or seconds of time lag
 * @param threshold the lag one member is to carry (records), or the time lag to stay under (seconds)
 * @param replicas the members the group should have
 * @param members the members it has
 * @param partitions the partitions it reads (the cap, where one applies)
 * @param lag the group's lag, every partition
 * @param consumableLag the lag scaled on: stalled partitions and records deleted unread left out
 * @param maxLagSeconds the oldest time lag of the partitions scaled on; null when none is known
 * @param stalledPartitions partitions left out as STALLED
 * @param deletedUnread records retention deleted before the group read them
 * @param reasoning the steps, in words
 */
public record ScalingAdvice(String group, String type, Basis basis, double threshold, int replicas, int members,
        int partitions, long lag, long consumableLag, Double maxLagSeconds, int stalledPartitions, long deletedUnread,
        List<String> reasoning) {

    public ScalingAdvice {
        reasoning = List.copyOf(reasoning);
    }

    /** What the threshold counts. */
    public enum Basis {
        /** {@code lagThreshold}: records of lag one member is to carry (KEDA's Kafka scaler's). */
        RECORDS,
        /** {@code lagSecondsThreshold}: the time lag to stay under, members scaled in proportion (the HPA's rule). */
        SECONDS
    }

    /**
     * The advice for {@code group} at {@code threshold} (records, or seconds), from its figures as
     * the last cycle left them.
     *
     * @throws IllegalArgumentException when the threshold is not a positive number
     */
    public static ScalingAdvice of(GroupStatus group, Basis basis, double threshold) {
        if (!(threshold > 0) || Double.isInfinite(threshold)) {
            throw new IllegalArgumentException((basis == Basis.RECORDS ? "lagThreshold" : "lagSecondsThreshold")
                    + " must be a positive number, was " + threshold);
        }
        List<String> reasoning = new ArrayList<>();
        long lag = 0;
        long consumable = 0;
        long deleted = 0;
        long stalledLag = 0;
        int stalled = 0;
        int waiting = 0; // partitions where records wait, stalled included
        int unknown = 0;
        Double maxLagSeconds = null;
        for (PartitionStatus p : group.partitions()) {
            if (p.lag() == null) {
                unknown++;
                continue;
            }
            lag += p.lag();
            if (p.lag() > 0) {
                waiting++;
            }
            if (p.status() == Status.STALLED) {
                stalled++;
                stalledLag += p.lag();
                continue;
            }
            long readable = Math.max(0, p.lag() - p.deletedUnread());
            deleted += p.lag() - readable;
            consumable += readable;
            if (readable > 0 && p.lagSeconds() != null) {
                maxLagSeconds = maxLagSeconds == null ? p.lagSeconds() : Math.max(maxLagSeconds, p.lagSeconds());
            }
        }
        int members = group.members();
        int partitions = group.partitions().size();
        boolean share = group.type().equals("share");
        long wanted;
        if (basis == Basis.RECORDS) {
            wanted = (long) Math.ceil(consumable / threshold);
            reasoning.add(String.format(Locale.ROOT, "%d records of lag to work off / %s per member = %d", consumable,
                    number(threshold), wanted));
        } else {
            double seconds = maxLagSeconds == null ? 0 : maxLagSeconds;
            wanted = (long) Math.ceil(Math.max(1, members) * seconds / threshold);
            reasoning.add(String.format(Locale.ROOT, "time lag %s s / %s s to stay under x %d member(s) = %d",
                    number(seconds), number(threshold), Math.max(1, members), wanted));
        }
        if (stalled > 0) {
            reasoning.add(stalled + " STALLED partition(s) left out (" + stalledLag + " records): their committed offset "
                    + "does not move while a member holds them, and another member would not move it");
        }
        if (deleted > 0) {
            reasoning.add(deleted + " records deleted by retention before the group read them left out: its next fetch "
                    + "skips them");
        }
        if (unknown > 0) {
            reasoning.add(unknown + " partition(s) without a lag figure (not committed yet, or unreadable) left out");
        }
        if (wanted == 0 && (waiting > 0 || unknown > 0)) {
            wanted = 1;
            reasoning.add("1 member kept: records wait (or may: a partition has no lag figure yet), and with no member "
                    + "they would stay unread");
        }
        if (!share && wanted > partitions) {
            reasoning.add("capped at the group's " + partitions + " partition(s): a member more would sit idle");
            wanted = partitions;
        } else if (share && wanted > 0) {
            reasoning.add("no cap at the partition count: a share group's members share partitions");
        }
        int replicas = (int) Math.min(Integer.MAX_VALUE, wanted);
        reasoning.add(replicas + (replicas == 1 ? " member" : " members") + " (now " + members + ")");
        return new ScalingAdvice(group.group(), group.type(), basis, threshold, replicas, members, partitions, lag,
                consumable, maxLagSeconds, stalled, deleted, reasoning);
    }

    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? String.valueOf((long) value) : String.valueOf(value);
    }
}
