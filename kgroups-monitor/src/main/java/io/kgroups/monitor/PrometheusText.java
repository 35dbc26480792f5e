package io.kgroups.monitor;

import java.util.List;
import java.util.Locale;

/**
 * The monitor's snapshot in Prometheus' text exposition format. Written directly rather than
 * through a meter registry: a cluster of 1,000 groups × 50 partitions is 50,000 series per
 * metric, re-created every cycle, which per-series meter objects would make slow and heavy.
 * Every group and partition series has the group's {@code type} label (classic, consumer,
 * share, streams), so that one query can tell them apart.
 */
public final class PrometheusText {
    private PrometheusText() {
    }

    public static String render(MonitorSnapshot snapshot) {
        return render(snapshot, List.of());
    }

    /** The snapshot, and what became of the webhooks' changes per receiver. */
    public static String render(MonitorSnapshot snapshot, List<WebhookNotifier.Delivery> webhooks) {
        StringBuilder out = new StringBuilder(256 + snapshot.groups().size() * 512);
        header(out, "kgroups_group_status", "Group status: 0 OK, 1 WARNING, 2 STALLED, 3 STOPPED, 4 REWIND, 5 AT_RISK; "
                + "-1 UNKNOWN (the monitor cannot say yet: not a severity, compare with >= 1 for problems)");
        for (GroupStatus g : snapshot.groups()) {
            sample(out, "kgroups_group_status", g, null, -1, g.status().code());
        }
        header(out, "kgroups_group_members", "Members of the group");
        for (GroupStatus g : snapshot.groups()) {
            sample(out, "kgroups_group_members", g, null, -1, g.members());
        }
        header(out, "kgroups_group_last_sample_timestamp_seconds",
                "When the group's oldest figures were read (Unix time): compare with time() to see stale data");
        for (GroupStatus g : snapshot.groups()) {
            if (g.lastSampleMs() != null) {
                sample(out, "kgroups_group_last_sample_timestamp_seconds", g, null, -1, g.lastSampleMs() / 1000.0);
            }
        }
        header(out, "kgroups_partition_last_sample_timestamp_seconds", "When the partition's figures were read (Unix time)");
        partitions(out, snapshot, "kgroups_partition_last_sample_timestamp_seconds", Field.SAMPLED);
        header(out, "kgroups_partition_status", "Partition status, codes as kgroups_group_status");
        partitions(out, snapshot, "kgroups_partition_status", Field.STATUS);
        header(out, "kgroups_group_lag", "Records not yet consumed (log-end minus committed offset; 0 where only transaction "
                + "markers are left); of a share group: the broker's lag, records not yet delivery-complete (KIP-1226)");
        partitions(out, snapshot, "kgroups_group_lag", Field.LAG);
        header(out, "kgroups_group_lag_seconds",
                "Age of the first unconsumed record (of a share group: the record at its start offset), seconds (estimated)");
        partitions(out, snapshot, "kgroups_group_lag_seconds", Field.LAG_SECONDS);
        header(out, "kgroups_group_retention_risk_seconds",
                "Seconds before retention deletes the first unconsumed record (lagging partitions of time-limited topics)");
        partitions(out, snapshot, "kgroups_group_retention_risk_seconds", Field.RETENTION);
        header(out, "kgroups_group_committed_offset", "The group's committed offset (share groups commit none)");
        partitions(out, snapshot, "kgroups_group_committed_offset", Field.COMMITTED);
        header(out, "kgroups_group_start_offset",
                "A share group's share-partition start offset: its lowest offset not yet delivery-complete");
        partitions(out, snapshot, "kgroups_group_start_offset", Field.START);
        header(out, "kgroups_partition_log_end_offset", "The partition's log-end offset (one series per partition, not per group)");
        logEnds(out, snapshot);
        header(out, "kgroups_monitor_cycles_total", "Sampling cycles run");
        out.append("kgroups_monitor_cycles_total ").append(snapshot.cycles()).append('\n');
        header(out, "kgroups_monitor_cycle_failures_total", "Sampling cycles that failed");
        out.append("kgroups_monitor_cycle_failures_total ").append(snapshot.failedCycles()).append('\n');
        header(out, "kgroups_monitor_consecutive_failures", "Cycles in a row that could not read the cluster (0: the last one could)");
        out.append("kgroups_monitor_consecutive_failures ").append(snapshot.consecutiveFailures()).append('\n');
        header(out, "kgroups_monitor_last_success_timestamp_seconds", "When a cycle last read the cluster (Unix time)");
        out.append("kgroups_monitor_last_success_timestamp_seconds ").append(number(snapshot.timeMs() / 1000.0)).append('\n');
        header(out, "kgroups_monitor_skipped_groups",
                "Groups left out: classic groups of other protocols (Kafka Connect ...), which have no consumer offsets");
        out.append("kgroups_monitor_skipped_groups ").append(snapshot.skipped().size()).append('\n');
        header(out, "kgroups_monitor_cycle_seconds", "Duration of the last cycle");
        out.append("kgroups_monitor_cycle_seconds ").append(number(snapshot.lastCycleMillis() / 1000.0)).append('\n');
        if (!webhooks.isEmpty()) {
            webhook(out, webhooks, "kgroups_webhook_sent_total", "Status changes the webhook receiver took", Delivered.SENT);
            webhook(out, webhooks, "kgroups_webhook_failed_total", "Status changes given up after all attempts",
                    Delivered.FAILED);
            webhook(out, webhooks, "kgroups_webhook_dropped_total", "Status changes dropped: the receiver's queue was full",
                    Delivered.DROPPED);
            webhook(out, webhooks, "kgroups_webhook_coalesced_total",
                    "Status changes replaced by a newer change of the same group before they were sent", Delivered.COALESCED);
            webhook(out, webhooks, "kgroups_webhook_pending", "Groups with a status change waiting for the receiver",
                    Delivered.PENDING);
        }
        return out.toString();
    }

    private enum Delivered { SENT, FAILED, DROPPED, COALESCED, PENDING }

    private static void webhook(StringBuilder out, List<WebhookNotifier.Delivery> webhooks, String name, String help,
            Delivered field) {
        header(out, name, help);
        for (WebhookNotifier.Delivery d : webhooks) {
            long value = switch (field) {
                case SENT -> d.sent();
                case FAILED -> d.failed();
                case DROPPED -> d.dropped();
                case COALESCED -> d.coalesced();
                case PENDING -> d.pending();
            };
            out.append(name).append("{url=\"");
            escape(out, d.url()); // user-info and query string were stripped: no secrets in labels
            out.append("\"} ").append(value).append('\n');
        }
    }

    private enum Field { LAG, LAG_SECONDS, RETENTION, COMMITTED, START, SAMPLED, STATUS }

    /** A partition's log end is the partition's, whatever group reads it: once, the newest seen. */
    private static void logEnds(StringBuilder out, MonitorSnapshot snapshot) {
        java.util.Map<String, java.util.TreeMap<Integer, Long>> ends = new java.util.TreeMap<>();
        for (GroupStatus g : snapshot.groups()) {
            for (PartitionStatus p : g.partitions()) {
                if (p.logEndOffset() != null) {
                    ends.computeIfAbsent(p.topic(), t -> new java.util.TreeMap<>()).merge(p.partition(), p.logEndOffset(),
                            Math::max);
                }
            }
        }
        ends.forEach((topic, partitions) -> partitions.forEach((partition, end) -> {
            out.append("kgroups_partition_log_end_offset{topic=\"");
            escape(out, topic);
            out.append("\",partition=\"").append(partition).append("\"} ").append(end).append('\n');
        }));
    }

    private static void partitions(StringBuilder out, MonitorSnapshot snapshot, String name, Field field) {
        for (GroupStatus g : snapshot.groups()) {
            for (PartitionStatus p : g.partitions()) {
                Double value = switch (field) {
                    case LAG -> p.lag() == null ? null : (double) p.lag();
                    case LAG_SECONDS -> p.lagSeconds();
                    case RETENTION -> p.retentionSecondsLeft();
                    case COMMITTED -> p.committedOffset() == null ? null : (double) p.committedOffset();
                    case START -> p.startOffset() == null ? null : (double) p.startOffset();
                    case SAMPLED -> p.lastSampleMs() == null ? null : p.lastSampleMs() / 1000.0;
                    case STATUS -> (double) p.status().code();
                };
                if (value != null) {
                    sample(out, name, g, p.topic(), p.partition(), value);
                }
            }
        }
    }

    private static void header(StringBuilder out, String name, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(name.endsWith("_total") ? " counter" : " gauge").append('\n');
    }

    private static void sample(StringBuilder out, String name, GroupStatus group, String topic, int partition, double value) {
        out.append(name).append("{group=\"");
        escape(out, group.group());
        out.append("\",type=\"");
        escape(out, group.type());
        out.append('"');
        if (topic != null) {
            out.append(",topic=\"");
            escape(out, topic);
            out.append("\",partition=\"").append(partition).append('"');
        }
        out.append("} ").append(number(value)).append('\n');
    }

    /** Label values escape backslash, double quote and newline. */
    private static void escape(StringBuilder out, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }

    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
                : String.format(Locale.ROOT, "%.3f", value);
    }
}
