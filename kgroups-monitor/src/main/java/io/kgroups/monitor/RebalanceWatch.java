package io.kgroups.monitor;

import io.kgroups.admin.MemberDetail;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Each group's membership changes as the cycles see them: members that came or went (by member
 * id: a classic member that rejoins gets a new one, unless static), and a consumer, share or
 * streams group's epoch, which the coordinator bumps at every membership or assignment change,
 * so changes between two samples are counted too. Counted since the group was first seen
 * ({@code kgroups_group_rebalances_total}), and kept for the storm window: at least
 * {@code stormChanges} within it is a rebalancing storm, reported with who came and went and
 * the likely cause.
 */
public final class RebalanceWatch {
    /**
     * One change a cycle saw.
     *
     * @param rebalances how many it stands for: the epoch's steps where there is an epoch, else 1
     * @param joined members that came, as {@code client-id@host}
     * @param left members that went
     * @param epoch the group epoch after it; null for a classic group
     */
    public record Change(long timeMs, int rebalances, List<String> joined, List<String> left, Integer epoch) {
        public Change {
            joined = List.copyOf(joined);
            left = List.copyOf(left);
        }
    }

    /**
     * What a group's membership did.
     *
     * @param total rebalances since the monitor first saw the group
     * @param recent the changes within the storm window, oldest first
     * @param storm the storm in words (a status reason); null when there is none
     */
    public record Rebalances(long total, List<Change> recent, String storm) {
        public static final Rebalances NONE = new Rebalances(0, List.of(), null);

        public Rebalances {
            recent = List.copyOf(recent);
        }
    }

    private static final class Seen {
        Map<String, String> members;
        Integer epoch;
        long total;
        final Deque<Change> recent = new ArrayDeque<>();

        Seen(Map<String, String> members, Integer epoch) {
            this.members = members;
            this.epoch = epoch;
        }
    }

    private final int stormChanges;
    private final long windowMs;
    private final Map<String, Seen> groups = new HashMap<>();

    /**
     * @param stormChanges rebalances within the window that make a storm (at least 2)
     * @param window how far back they are counted
     */
    public RebalanceWatch(int stormChanges, Duration window) {
        check(stormChanges, window);
        this.stormChanges = stormChanges;
        this.windowMs = window.toMillis();
    }

    /** Refuses a storm of fewer than 2 changes, or a window that is not positive: the one check of both. */
    static void check(int stormChanges, Duration window) {
        if (stormChanges < 2) {
            throw new IllegalArgumentException("a rebalancing storm takes at least 2 changes, was " + stormChanges);
        }
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("the storm window must be positive, was " + window);
        }
    }

    /** This cycle's members and epoch of {@code group}; what its membership did up to now (nothing at first sight). */
    public Rebalances observe(String group, List<MemberDetail> members, Integer epoch, long nowMs) {
        Map<String, String> now = new LinkedHashMap<>();
        for (MemberDetail m : members) {
            now.put(m.memberId(), m.clientId() + "@" + m.host());
        }
        Seen seen = groups.get(group);
        if (seen == null) {
            groups.put(group, new Seen(now, epoch));
            return Rebalances.NONE;
        }
        List<String> joined = new ArrayList<>();
        now.forEach((id, name) -> {
            if (!seen.members.containsKey(id)) {
                joined.add(name);
            }
        });
        List<String> left = new ArrayList<>();
        seen.members.forEach((id, name) -> {
            if (!now.containsKey(id)) {
                left.add(name);
            }
        });
        int steps = epoch != null && seen.epoch != null && epoch > seen.epoch ? epoch - seen.epoch : 0;
        int rebalances = Math.max(steps, joined.isEmpty() && left.isEmpty() ? 0 : 1);
        if (rebalances > 0) {
            seen.total += rebalances;
            seen.recent.addLast(new Change(nowMs, rebalances, joined, left, epoch));
        }
        while (!seen.recent.isEmpty() && seen.recent.peekFirst().timeMs() <= nowMs - windowMs) {
            seen.recent.removeFirst();
        }
        seen.members = now;
        seen.epoch = epoch;
        return new Rebalances(seen.total, List.copyOf(seen.recent), storm(seen.recent));
    }

    /** Forgets the groups not in {@code present} (deleted, or no longer matched). */
    public void retain(Set<String> present) {
        groups.keySet().retainAll(present);
    }

    /** The storm in words, with the likely cause from who came and went; null below the threshold. */
    private String storm(Deque<Change> recent) {
        int changes = recent.stream().mapToInt(Change::rebalances).sum();
        if (changes < stormChanges) {
            return null;
        }
        Map<String, Integer> came = new TreeMap<>();
        Map<String, Integer> went = new TreeMap<>();
        // A client that went and came back is one member's loop; new ones arriving are instances restarting.
        boolean returning = false;
        for (Change c : recent) {
            for (String name : c.joined()) {
                returning |= went.containsKey(name) || c.left().contains(name);
                came.merge(name, 1, Integer::sum);
            }
            c.left().forEach(name -> went.merge(name, 1, Integer::sum));
        }
        String cause = returning
                ? "the same members leave and come back: a member that exceeds max.poll.interval.ms between polls is "
                        + "removed and rejoins (raise max.poll.interval.ms, or lower max.poll.records), or its heartbeats "
                        + "miss session.timeout.ms (a GC pause, a too short timeout)"
                : !came.isEmpty() || !went.isEmpty()
                        ? "members keep arriving or leaving: instances restarting (a crash loop, a deploy); static "
                                + "membership (group.instance.id) keeps a restart within session.timeout.ms from rebalancing"
                        : "the group epoch moved with the same members: members that leave and rejoin between two "
                                + "samples (a consumer-protocol member keeps its id: one that exceeds max.poll.interval.ms "
                                + "or misses session.timeout.ms), or subscriptions and topic metadata changing (regex "
                                + "subscriptions, partitions added)";
        return "rebalancing storm: " + changes + " membership changes in the last " + (windowMs % 60_000 == 0
                ? windowMs / 60_000 + " min" : windowMs / 1000 + " s")
                + " (at least " + stormChanges + " make a storm); came " + counts(came) + "; went " + counts(went)
                + "; likely: " + cause;
    }

    private static String counts(Map<String, Integer> names) {
        if (names.isEmpty()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        names.forEach((name, times) -> parts.add(times == 1 ? name : name + " x" + times));
        return String.join(", ", parts);
    }
}
