package io.kgroups.monitor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The guide's troubleshooting list as rules: what is wrong with one group, from two looks at it
 * (the first and the last of a watch) and what the monitor made of the last one. Pure functions
 * over plain data, each rule a method; {@code kgroups doctor} gathers the looks and prints the
 * findings, most severe first. A finding says what was seen (its evidence, with figures) and what
 * to do.
 */
public final class Diagnosis {
    /** How bad a finding is: CRITICAL and WARNING are something wrong (the doctor exits 1), INFO is advice. */
    public enum Severity {
        CRITICAL, WARNING, INFO
    }

    /**
     * One thing found.
     *
     * @param kind a stable word for scripts: no-members, idle-members, rebalancing-storm, rebalances,
     *     stuck, falling-behind, catching-up, skew, deleted-unread, retention-risk, rewind,
     *     reconciling, classic-protocol, access, unreadable
     * @param title the finding in one line
     * @param evidence what was seen, in lines
     * @param advice what to do, in lines (commands to run, settings to look at)
     * @param partitions the partitions it is about ({@code topic-partition}); empty when the whole group
     * @param figures the numbers behind it, by name (records per second, members ...)
     */
    public record Finding(Severity severity, String kind, String title, List<String> evidence, List<String> advice,
            List<String> partitions, Map<String, Object> figures) {
        public Finding {
            evidence = List.copyOf(evidence);
            advice = List.copyOf(advice);
            partitions = List.copyOf(partitions);
            figures = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(figures));
        }

        /** This finding with one more line of evidence (the record a stuck partition waits on). */
        public Finding withEvidence(String line) {
            List<String> more = new ArrayList<>(evidence);
            more.add(line);
            return new Finding(severity, kind, title, more, advice, partitions, figures);
        }
    }

    /**
     * What the rules read: the group at the start and at the end of the watch, and when each was
     * sampled (epoch ms). With one look, {@code first} is {@code last}: the rules that need a rate
     * say nothing.
     *
     * @param retentionRiskSeconds retention deleting unread records sooner than this is a finding
     */
    public record Watch(GroupStatus first, long firstMs, GroupStatus last, long lastMs, long retentionRiskSeconds) {
        double seconds() {
            return (lastMs - firstMs) / 1000.0;
        }
    }

    private Diagnosis() {
    }

    /** Every finding of the rules, most severe first (in the order of the rules within a severity). */
    public static List<Finding> diagnose(Watch watch) {
        List<Finding> findings = new ArrayList<>();
        noMembers(watch, findings);
        idleMembers(watch, findings);
        storm(watch, findings);
        stuck(watch, findings);
        rates(watch, findings);
        skew(watch, findings);
        retention(watch, findings);
        rewind(watch, findings);
        reconciling(watch, findings);
        unreadable(watch, findings);
        classic(watch, findings);
        findings.sort(Comparator.comparing(Finding::severity)); // stable: the rules' order within a severity
        return findings;
    }

    /** Whether any finding is a problem (CRITICAL or WARNING), not only advice. */
    public static boolean somethingWrong(List<Finding> findings) {
        return findings.stream().anyMatch(f -> f.severity() != Severity.INFO);
    }

    private static void noMembers(Watch w, List<Finding> out) {
        GroupStatus g = w.last();
        if (g.members() > 0 || g.totalLag() == 0 && !g.rebalances().recent().isEmpty()) {
            return; // between two joins of a storm, or a restart: the membership finding tells it
        }
        if (g.partitions().isEmpty() && !g.type().equals("share")) {
            return; // no offsets visible: the access rule says why that is suspicious, not "nothing waits"
        }
        long lag = g.totalLag();
        if (lag > 0) {
            out.add(new Finding(Severity.CRITICAL, "no-members", "no members: nothing consumes while " + lag + " records wait",
                    List.of("group state " + g.state() + ", 0 members, lag " + lag),
                    List.of("start the group's consumers (are they running? crash-looping? see their logs)",
                            "a group retired on purpose: delete it with `kgroups delete " + g.group() + "` so it stops counting"),
                    List.of(), Map.of("lag", lag)));
        } else {
            out.add(new Finding(Severity.INFO, "no-members", "no members, and nothing waits",
                    List.of("group state " + g.state() + ", 0 members, lag 0"),
                    List.of("if the group should be running, start its consumers"), List.of(), Map.of()));
        }
    }

    /** Members without partitions: more members than partitions, or an assignment not made (yet). */
    private static void idleMembers(Watch w, List<Finding> out) {
        GroupStatus g = w.last();
        if (g.members() == 0 || g.type().equals("share")) {
            return; // a share group's members share partitions: none is idle for want of one
        }
        int partitions = g.partitions().size();
        List<String> idle = g.memberDetails().stream().filter(m -> m.assignment().isEmpty())
                .map(m -> m.clientId() + "@" + m.host()).toList();
        if (idle.isEmpty()) {
            return;
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("members", g.members());
        figures.put("idle", idle.size());
        figures.put("partitions", partitions);
        if (idle.size() == g.members() && partitions > 0) {
            out.add(new Finding(g.totalLag() > 0 ? Severity.CRITICAL : Severity.WARNING, "idle-members",
                    "members but no assignment: none of the " + g.members() + " members holds a partition",
                    List.of("group state " + g.state() + ", " + partitions + " partitions with offsets, lag " + g.totalLag(),
                            "members: " + String.join(", ", idle)),
                    List.of("a group stuck in a rebalance: look for a member that does not finish joining (its logs)",
                            "the members subscribe to topics other than those the group has offsets for: check their subscriptions"),
                    List.of(), figures));
        } else if (g.members() > partitions) {
            out.add(new Finding(Severity.INFO, "idle-members", idle.size() + " of " + g.members()
                    + " members are idle: the group has " + partitions + " partitions, one member each at most",
                    List.of("idle: " + String.join(", ", idle)),
                    List.of("keep them as hot standbys, or run " + partitions + " members",
                            "to use more members: add partitions, or process each partition in parallel (kgroups-consumer keeps key order)"),
                    List.of(), figures));
        }
    }

    private static void storm(Watch w, List<Finding> out) {
        RebalanceWatch.Rebalances r = w.last().rebalances();
        long changes = r.recent().stream().mapToInt(RebalanceWatch.Change::rebalances).sum();
        if (changes == 0) {
            return;
        }
        List<String> evidence = new ArrayList<>();
        for (RebalanceWatch.Change c : r.recent()) {
            evidence.add(java.time.Instant.ofEpochMilli(c.timeMs()) + ": " + c.rebalances() + " change(s)"
                    + (c.epoch() == null ? "" : ", group epoch " + c.epoch())
                    + (c.joined().isEmpty() ? "" : ", came " + String.join(", ", c.joined()))
                    + (c.left().isEmpty() ? "" : ", went " + String.join(", ", c.left())));
        }
        Map<String, Object> figures = Map.of("changes", changes, "seconds", Math.round(w.seconds()));
        if (r.storm() == null) {
            out.add(new Finding(Severity.INFO, "rebalances", changes + " membership change(s) in " + Math.round(w.seconds())
                    + "s, below a storm", evidence, List.of("a deploy or a scaling step does this; a steady trickle does not"),
                    List.of(), figures));
            return;
        }
        evidence.add(0, r.storm());
        out.add(new Finding(Severity.WARNING, "rebalancing-storm", "rebalancing storm: " + changes
                + " membership changes in " + Math.round(w.seconds()) + "s", evidence,
                List.of("max.poll.interval.ms: above the longest time between two polls (batch size x slowest record)",
                        "max.poll.records: fewer records per poll, so each poll loop is shorter",
                        "session.timeout.ms and heartbeat.interval.ms (classic protocol; the broker's group.consumer.* for the "
                                + "consumer protocol): heartbeats too aggressive for GC pauses or a busy network",
                        "group.instance.id (static membership): a restarting member keeps its partitions within session.timeout.ms"),
                List.of(), figures));
    }

    /** Partitions whose position did not move in the watch while records wait, or that the monitor calls STALLED or STOPPED. */
    private static void stuck(Watch w, List<Finding> out) {
        GroupStatus g = w.last();
        Map<String, PartitionStatus> before = byName(w.first());
        Map<String, String> owners = owners(g);
        for (PartitionStatus p : g.partitions()) {
            String name = name(p);
            PartitionStatus b = before.get(name);
            Long at = position(p);
            boolean monitorSays = p.status() == Status.STALLED || p.status() == Status.STOPPED;
            // Records waited at both looks and none was consumed: a group that commits less often than the watch looks
            // the same (the doctor's help says to watch longer than the commit interval).
            boolean notMoved = w.seconds() > 0 && b != null && at != null && at.equals(position(b)) && p.lagOrZero() > 0
                    && b.lagOrZero() > 0;
            if (!monitorSays && !notMoved) {
                continue;
            }
            String owner = owners.get(p.memberId());
            List<String> evidence = new ArrayList<>();
            evidence.add((at == null ? "no committed offset" : (g.type().equals("share") ? "start offset " : "committed offset ") + at)
                    + " not moved in " + Math.round(w.seconds()) + "s of watching, lag " + p.lagOrZero()
                    + (p.lagSeconds() == null ? "" : ", its first unconsumed record is " + Math.round(p.lagSeconds()) + "s old"));
            if (p.reason() != null && monitorSays) {
                evidence.add("monitor: " + p.status() + ": " + p.reason());
            }
            evidence.add(owner == null ? "no member holds it" : "held by " + owner);
            List<String> advice = new ArrayList<>();
            if (owner != null) {
                advice.add("look at " + owner + ": a handler blocked (a lock, a slow call), or failing on this record and retrying");
            } else {
                advice.add("no member holds it: check the members' subscriptions, or start the consumers");
            }
            if (at != null && !g.type().equals("share")) {
                advice.add("a poison pill (the record it waits on): skip it, the group's members stopped first, with `kgroups reset "
                        + g.group() + " --topic " + p.topic() + ":" + p.partition() + " --shift-by 1` (add --execute); "
                        + "or send such records to a dead-letter topic");
            }
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("offset", at);
            figures.put("lag", p.lagOrZero());
            figures.put("lagSeconds", p.lagSeconds());
            out.add(new Finding(Severity.CRITICAL, "stuck", name + " is stuck" + (at == null ? "" : " at offset " + at)
                    + " while " + p.lagOrZero() + " records wait", evidence, advice, List.of(name), figures));
        }
    }

    /** Falling behind (lag grows: production outruns consumption), or catching up, with the arithmetic. */
    private static void rates(Watch w, List<Finding> out) {
        double seconds = w.seconds();
        if (seconds <= 0) {
            return;
        }
        GroupStatus g = w.last();
        Map<String, PartitionStatus> before = byName(w.first());
        long consumed = 0;
        long produced = 0;
        for (PartitionStatus p : g.partitions()) {
            PartitionStatus b = before.get(name(p));
            if (b == null || p.logEndOffset() == null || b.logEndOffset() == null) {
                continue;
            }
            produced += Math.max(0, p.logEndOffset() - b.logEndOffset());
            Long at = position(p);
            Long was = position(b);
            if (at != null && was != null) {
                consumed += Math.max(0, at - was);
            }
        }
        long lagBefore = w.first().totalLag();
        long lag = g.totalLag();
        double consumedPerSecond = consumed / seconds;
        double producedPerSecond = produced / seconds;
        int members = (int) g.memberDetails().stream().filter(m -> !m.assignment().isEmpty()).count();
        if (g.type().equals("share")) {
            members = g.members();
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("consumedPerSecond", round(consumedPerSecond));
        figures.put("producedPerSecond", round(producedPerSecond));
        figures.put("lag", lag);
        figures.put("lagBefore", lagBefore);
        if (lag > lagBefore && produced > consumed && consumed > 0 && members > 0) {
            double perMember = consumedPerSecond / members;
            int needed = (int) Math.ceil(producedPerSecond / perMember);
            int partitions = g.partitions().size();
            figures.put("members", members);
            figures.put("perMemberPerSecond", round(perMember));
            figures.put("membersNeeded", needed);
            figures.put("partitions", partitions);
            List<String> evidence = new ArrayList<>();
            evidence.add("lag " + lagBefore + " -> " + lag + " in " + Math.round(seconds) + "s");
            evidence.add("consumed " + fmt(consumedPerSecond) + "/s, produced " + fmt(producedPerSecond) + "/s");
            evidence.add(members + " member(s) at " + fmt(perMember) + "/s each: keeping up takes ceil(" + fmt(producedPerSecond)
                    + " / " + fmt(perMember) + ") = " + needed + " members");
            List<String> advice = new ArrayList<>();
            boolean capped = !g.type().equals("share") && needed > partitions;
            if (capped) {
                advice.add("add partitions rather than consumers: with " + partitions + " partition(s) the group can use "
                        + partitions + " member(s) at most, and " + needed + " are needed at this rate (`kafka-topics --alter --partitions " + needed
                        + "`; keys then map to other partitions)");
                advice.add("or make each member faster: process a partition's records in parallel (kgroups-consumer keeps key "
                        + "order), batch the writes");
            } else {
                advice.add("run " + needed + " members (now " + members + ")" + (g.type().equals("share") ? ""
                        : ", at most " + partitions + " (one per partition)"));
                double faster = needed * perMember - producedPerSecond;
                if (faster > 0) {
                    long eta = Math.round(lag / faster);
                    figures.put("catchUpSecondsWithMembersNeeded", eta);
                    advice.add("with " + needed + " members the lag of " + lag + " is worked off in about " + eta + "s");
                }
            }
            out.add(new Finding(Severity.WARNING, "falling-behind", "falling behind: " + fmt(producedPerSecond)
                    + " records/s produced, " + fmt(consumedPerSecond) + "/s consumed; " + needed + " members needed"
                    + (capped ? ", more than the " + partitions + " partitions allow" : ""), evidence, advice, List.of(), figures));
        } else if (lag > 0 && lag < lagBefore && consumed > produced) {
            long eta = Math.round(lag / (consumedPerSecond - producedPerSecond));
            figures.put("catchUpSeconds", eta);
            out.add(new Finding(Severity.INFO, "catching-up", "catching up: lag " + lagBefore + " -> " + lag + ", at this rate "
                    + "worked off in about " + eta + "s", List.of("consumed " + fmt(consumedPerSecond) + "/s, produced "
                    + fmt(producedPerSecond) + "/s"), List.of("nothing to do if that is soon enough"), List.of(), figures));
        }
    }

    /** One member holding most of the lag: at least half of it, and 1.5 times its fair share (3/4 of two members'). */
    private static void skew(Watch w, List<Finding> out) {
        GroupStatus g = w.last();
        if (g.members() < 2 || g.totalLag() < 100 || g.type().equals("share")) {
            return;
        }
        Map<String, Long> lagByMember = new TreeMap<>();
        g.partitions().stream().filter(p -> p.memberId() != null)
                .forEach(p -> lagByMember.merge(p.memberId(), p.lagOrZero(), Long::sum));
        Map.Entry<String, Long> top = lagByMember.entrySet().stream().max(Map.Entry.comparingByValue()).orElse(null);
        if (top == null) {
            return;
        }
        double share = (double) top.getValue() / g.totalLag();
        if (share < 0.5 || top.getValue() < 1.5 * g.totalLag() / g.members()) {
            return;
        }
        String owner = owners(g).getOrDefault(top.getKey(), top.getKey());
        List<String> partitions = g.partitions().stream().filter(p -> top.getKey().equals(p.memberId()) && p.lagOrZero() > 0)
                .map(Diagnosis::name).toList();
        List<String> evidence = new ArrayList<>();
        evidence.add(g.members() + " members; its partitions with lag: " + String.join(", ", partitions));
        // While the lag shrinks (a member back from a restart works off its backlog) it is worth knowing, not wrong.
        boolean shrinking = w.seconds() > 0 && g.totalLag() < w.first().totalLag();
        if (shrinking) {
            evidence.add("the group's lag is shrinking (" + w.first().totalLag() + " -> " + g.totalLag() + "): it may pass");
        }
        out.add(new Finding(shrinking ? Severity.INFO : Severity.WARNING, "skew", owner + " holds " + Math.round(share * 100)
                + "% of the lag (" + top.getValue() + " of " + g.totalLag() + ")", evidence,
                List.of("a hot key or a hot partition: look at the producers' keys",
                        "a slow member: compare its host with the others'",
                        "an assignment that puts the busy partitions together: a cooperative-sticky or the consumer protocol's "
                                + "uniform assignor spreads partitions, not load"),
                partitions, Map.of("memberLag", top.getValue(), "lag", g.totalLag(), "share", round(share))));
    }

    private static void retention(Watch w, List<Finding> out) {
        GroupStatus g = w.last();
        for (PartitionStatus p : g.partitions()) {
            String name = name(p);
            if (p.deletedUnread() > 0) {
                out.add(new Finding(Severity.CRITICAL, "deleted-unread", name + ": " + p.deletedUnread()
                        + " records deleted by retention before the group read them",
                        List.of("committed offset " + p.committedOffset() + " is below the log start"),
                        List.of("they are lost to this group: find them elsewhere (a backup, the producer) if they matter",
                                "the group's next fetch resets by auto.offset.reset; `kgroups reset " + g.group() + " --topic "
                                        + p.topic() + ":" + p.partition() + " --to-earliest` makes it explicit",
                                "raise the topic's retention.ms, or make the group faster, so it does not happen again"),
                        List.of(name), Map.of("deletedUnread", p.deletedUnread())));
            } else if (p.retentionSecondsLeft() != null && p.retentionSecondsLeft() < w.retentionRiskSeconds()
                    && p.lagOrZero() > 0) {
                long left = Math.max(0, Math.round(p.retentionSecondsLeft()));
                out.add(new Finding(Severity.WARNING, "retention-risk", name + ": retention deletes unread records in " + left + "s",
                        List.of("its first unconsumed record is " + Math.round(p.lagSeconds() == null ? 0 : p.lagSeconds())
                                + "s old, lag " + p.lagOrZero()),
                        List.of("raise the topic's retention.ms now (`kafka-configs --alter --entity-type topics --entity-name "
                                + p.topic() + " --add-config retention.ms=...`), then make the group catch up"),
                        List.of(name), Map.of("retentionSecondsLeft", left)));
            }
        }
    }

    private static void rewind(Watch w, List<Finding> out) {
        for (PartitionStatus p : w.last().partitions()) {
            if (p.status() == Status.REWIND) {
                out.add(new Finding(Severity.WARNING, "rewind", name(p) + ": the committed offset went back", List.of(p.reason()),
                        List.of("someone reset it (`kgroups reset` keeps a backup to undo it), or a consumer replays from an "
                                + "old position: records are processed twice"),
                        List.of(name(p)), Map.of()));
            }
        }
    }

    /** The monitor's reconciliation watch says it in the group's reasons: a consumer-protocol member moving partitions long. */
    private static void reconciling(Watch w, List<Finding> out) {
        List<String> members = w.last().reasons().stream().filter(r -> r.startsWith("member ") && r.contains(" reconciling for "))
                .toList();
        if (!members.isEmpty()) {
            out.add(new Finding(Severity.WARNING, "reconciling", members.size() + " member(s) reconciling for long", members,
                    List.of("a member that does not release its partitions: a revocation callback that blocks, or a member "
                            + "stuck in its poll loop; its logs say which"), List.of(), Map.of("members", members.size())));
        }
    }

    /** What could not be read: denied to this principal (an access gap), or unavailable (an offline partition). */
    private static void unreadable(Watch w, List<Finding> out) {
        GroupStatus g = w.last();
        List<String> denied = new ArrayList<>();
        List<String> deniedParts = new ArrayList<>();
        List<String> other = new ArrayList<>();
        List<String> otherParts = new ArrayList<>();
        for (String r : g.reasons()) {
            if (r.startsWith("cannot read the group: ")) {
                (accessGap(r) ? denied : other).add(r);
            }
        }
        for (PartitionStatus p : g.partitions()) {
            // Not read (its log end unknown): an error or a topic hidden; not the evaluator's "collecting commits".
            if (p.status() == Status.UNKNOWN && p.reason() != null && p.logEndOffset() == null) {
                boolean gap = accessGap(p.reason());
                (gap ? deniedParts : otherParts).add(name(p));
                (gap ? denied : other).add(name(p) + ": " + p.reason());
            }
        }
        if (g.partitions().isEmpty() && g.members() == 0 && !g.type().equals("share") && denied.isEmpty() && other.isEmpty()) {
            // Kafka keeps an empty group for its offsets, and leaves out of them, without a word, the topics this
            // principal may not describe: an empty group that shows none most likely has them there.
            out.add(new Finding(Severity.WARNING, "access", "no offsets visible: an empty group is kept for its offsets, so "
                    + "they are likely on topics this principal may not describe",
                    List.of("group state " + g.state() + ", 0 members, 0 partitions with offsets visible (Kafka leaves out the "
                            + "offsets of topics a principal may not describe, without a word)"),
                    List.of("grant Describe on the group's topics: kafka-acls --bootstrap-server ... --command-config "
                            + "ADMIN.properties --add --allow-principal User:NAME --operation Describe --topic TOPIC",
                            "or run the doctor as a principal that may describe them (an admin's `kgroups describe "
                                    + g.group() + "` names them)"),
                    List.of(), Map.of()));
        }
        if (!denied.isEmpty()) {
            out.add(new Finding(Severity.WARNING, "access", "access gap: offsets not visible to this principal", dedupe(denied),
                    List.of("grant what the evidence names (the kafka-acls line), or run the doctor as a principal that may "
                            + "describe the group and its topics"), deniedParts, Map.of()));
        }
        if (!other.isEmpty()) {
            out.add(new Finding(Severity.WARNING, "unreadable", "could not be read: " + other.size() + " part(s) of the group",
                    dedupe(other), List.of("an offline partition or a coordinator moving: `kgroups describe " + g.group()
                            + "` again, and the brokers' health"), otherParts, Map.of()));
        }
    }

    private static boolean accessGap(String reason) {
        String r = reason.toLowerCase(Locale.ROOT);
        return r.contains("not authorized") || r.contains("not visible");
    }

    private static void classic(Watch w, List<Finding> out) {
        GroupStatus g = w.last();
        if (!g.type().equals("classic")) {
            return;
        }
        out.add(new Finding(Severity.INFO, "classic-protocol", "a classic group: it could move to the consumer protocol (KIP-848)",
                List.of("type classic, " + g.members() + " member(s)"),
                List.of("set group.protocol=consumer on the members (Kafka clients 4.0+), rolling: the broker converts the group "
                                + "when the first member joins with it",
                        "what changes: the broker assigns, member by member, so a member joining or leaving no longer stops every "
                                + "other one (no stop-the-world rebalance); partition.assignment.strategy gives way to "
                                + "group.remote.assignor; session.timeout.ms and heartbeat.interval.ms become broker settings "
                                + "(group.consumer.*)"),
                List.of(), Map.of()));
    }

    /** Where the group stands in a partition: its committed offset, a share group's start offset. */
    private static Long position(PartitionStatus p) {
        return p.committedOffset() != null ? p.committedOffset() : p.startOffset();
    }

    private static String name(PartitionStatus p) {
        return p.topic() + "-" + p.partition();
    }

    private static Map<String, PartitionStatus> byName(GroupStatus g) {
        Map<String, PartitionStatus> map = new HashMap<>();
        g.partitions().forEach(p -> map.put(name(p), p));
        return map;
    }

    /** Member id to {@code client-id@host}. */
    private static Map<String, String> owners(GroupStatus g) {
        Map<String, String> owners = new HashMap<>();
        g.memberDetails().forEach(m -> owners.put(m.memberId(), m.clientId() + "@" + m.host()));
        return owners;
    }

    private static List<String> dedupe(List<String> lines) {
        return List.copyOf(new java.util.LinkedHashSet<>(lines));
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static String fmt(double v) {
        return v >= 100 ? String.valueOf(Math.round(v)) : String.format(Locale.ROOT, "%.1f", v);
    }
}
