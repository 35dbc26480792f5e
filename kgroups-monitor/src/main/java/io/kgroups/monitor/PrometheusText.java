package io.kgroups.monitor;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The monitor's snapshot in Prometheus' text exposition format. Written directly rather than
 * through a meter registry: a cluster of 1,000 groups × 50 partitions is 50,000 series per
 * metric, re-created every cycle, which per-series meter objects would make slow and heavy.
 * Every group and partition series has the group's {@code type} label (classic, consumer,
 * share, streams), so that one query can tell them apart.
 *
 * <p>How fine the series are is a {@link Granularity}: the coarser levels keep the metric names
 * and drop labels, so that a query summing by group works at every level.
 */
public final class PrometheusText {
    /** Text is handed to the writer in pieces of about this many characters. */
    private static final int FLUSH_AT = 32 * 1024;

    private PrometheusText() {
    }

    /**
     * How fine the lag series are. At 10,000 groups × 50 partitions, PARTITION is 2.5 million
     * series per metric, more than one Prometheus should be asked to keep; TOPIC is one series
     * per group and topic, GROUP one per group.
     */
    public enum Granularity {
        /**
         * Per group: {@code kgroups_group_lag} and the other lag series with the labels
         * {@code group, type}, summed (lag, committed and start offsets), the maximum (time
         * lag) or the minimum (retention left) over the group's partitions; the log-end offset
         * per topic (summed over its partitions).
         */
        GROUP,
        /** As GROUP, per group and topic ({@code group, type, topic}). */
        TOPIC,
        /**
         * Every series per group and partition ({@code group, type, topic, partition}), the
         * partitions' status and sample time too, and the log-end offset per partition.
         */
        PARTITION
    }

    /** The snapshot, and what became of the webhooks' changes per receiver, as text. */
    public static String render(MonitorSnapshot snapshot, Granularity granularity, List<WebhookNotifier> webhooks) {
        StringWriter text = new StringWriter();
        try {
            write(snapshot, granularity, text);
            writeWebhooks(webhooks, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not throw
        }
        return text.toString();
    }

    /**
     * The snapshot's series written to {@code out} in pieces, never the whole text in memory:
     * {@code out} may compress as it goes.
     */
    public static void write(MonitorSnapshot snapshot, Granularity granularity, Writer out) throws IOException {
        write(List.of(new ClusterSnapshot(null, snapshot)), granularity, out);
    }

    /**
     * The series of several clusters' snapshots, each family once (the text format wants a
     * metric's samples together), each series labelled {@code cluster} where its cluster is named.
     */
    public static void write(List<ClusterSnapshot> clusters, Granularity granularity, Writer out) throws IOException {
        Sink s = new Sink(out);
        s.header("kgroups_group_status", "Group status: 0 OK, 1 WARNING, 2 STALLED, 3 STOPPED, 4 REWIND, 5 AT_RISK; "
                + "-1 UNKNOWN (the monitor cannot say yet: not a severity, compare with >= 1 for problems)");
        for (ClusterSnapshot c : clusters) {
            s.cluster = c.cluster();
            for (GroupStatus g : c.snapshot().groups()) {
                s.sample("kgroups_group_status", g, null, -1, g.status().code());
            }
        }
        s.header("kgroups_group_members", "Members of the group");
        for (ClusterSnapshot c : clusters) {
            s.cluster = c.cluster();
            for (GroupStatus g : c.snapshot().groups()) {
                s.sample("kgroups_group_members", g, null, -1, g.members());
            }
        }
        s.header("kgroups_group_rebalances_total", "Membership changes of the group since the monitor first saw it: members "
                + "that came or went, and group epoch steps (consumer, share and streams groups)");
        for (ClusterSnapshot c : clusters) {
            s.cluster = c.cluster();
            for (GroupStatus g : c.snapshot().groups()) {
                s.sample("kgroups_group_rebalances_total", g, null, -1, g.rebalances().total());
            }
        }
        s.header("kgroups_group_last_sample_timestamp_seconds",
                "When the group's oldest figures were read (Unix time): compare with time() to see stale data");
        for (ClusterSnapshot c : clusters) {
            s.cluster = c.cluster();
            for (GroupStatus g : c.snapshot().groups()) {
                if (g.lastSampleMs() != null) {
                    s.sample("kgroups_group_last_sample_timestamp_seconds", g, null, -1, g.lastSampleMs() / 1000.0);
                }
            }
        }
        if (granularity == Granularity.PARTITION) {
            s.header("kgroups_partition_last_sample_timestamp_seconds", "When the partition's figures were read (Unix time)");
            partitions(s, clusters, "kgroups_partition_last_sample_timestamp_seconds", Field.SAMPLED);
            s.header("kgroups_partition_status", "Partition status, codes as kgroups_group_status");
            partitions(s, clusters, "kgroups_partition_status", Field.STATUS);
        }
        String per = switch (granularity) {
            case PARTITION -> "";
            case TOPIC -> " (per group and topic: ";
            case GROUP -> " (per group: ";
        };
        String sum = per.isEmpty() ? "" : per + "the sum over its partitions)";
        List<List<Combined>> combined = null;
        if (granularity != Granularity.PARTITION) {
            combined = new ArrayList<>();
            for (ClusterSnapshot c : clusters) {
                combined.add(combine(c.snapshot(), granularity));
            }
        }
        s.header("kgroups_group_lag", "Records not yet consumed (log-end minus committed offset; 0 where only transaction "
                + "markers are left); of a share group: the broker's lag, records not yet delivery-complete (KIP-1226)" + sum);
        lag(s, clusters, combined, "kgroups_group_lag", Field.LAG);
        s.header("kgroups_group_lag_seconds", "Age of the first unconsumed record (of a share group: the record at its start "
                + "offset), seconds (estimated)" + (per.isEmpty() ? "" : per + "the oldest of its partitions)"));
        lag(s, clusters, combined, "kgroups_group_lag_seconds", Field.LAG_SECONDS);
        s.header("kgroups_group_retention_risk_seconds", "Seconds before retention deletes the first unconsumed record "
                + "(lagging partitions of time-limited topics)" + (per.isEmpty() ? "" : per + "the soonest of its partitions)"));
        lag(s, clusters, combined, "kgroups_group_retention_risk_seconds", Field.RETENTION);
        s.header("kgroups_group_committed_offset", "The group's committed offset (share groups commit none)" + sum);
        lag(s, clusters, combined, "kgroups_group_committed_offset", Field.COMMITTED);
        s.header("kgroups_group_start_offset",
                "A share group's share-partition start offset: its lowest offset not yet delivery-complete" + sum);
        lag(s, clusters, combined, "kgroups_group_start_offset", Field.START);
        s.header("kgroups_partition_log_end_offset", granularity == Granularity.PARTITION
                ? "The partition's log-end offset (one series per partition, not per group)"
                : "The log-end offsets of the topic's partitions, summed (one series per topic, not per group)");
        for (ClusterSnapshot c : clusters) {
            s.cluster = c.cluster();
            logEnds(s, c.snapshot(), granularity);
        }
        monitorSeries(s, clusters, "kgroups_monitor_cycles_total", "Sampling cycles run", MonitorSnapshot::cycles);
        monitorSeries(s, clusters, "kgroups_monitor_cycle_failures_total", "Sampling cycles that failed",
                MonitorSnapshot::failedCycles);
        monitorSeries(s, clusters, "kgroups_monitor_consecutive_failures",
                "Cycles in a row that could not read the cluster (0: the last one could)", MonitorSnapshot::consecutiveFailures);
        monitorSeries(s, clusters, "kgroups_monitor_last_success_timestamp_seconds",
                "When a cycle last read the cluster (Unix time)", m -> m.timeMs() / 1000.0);
        monitorSeries(s, clusters, "kgroups_monitor_skipped_groups",
                "Groups left out: classic groups of other protocols (Kafka Connect ...), which have no consumer offsets",
                m -> m.skipped().size());
        monitorSeries(s, clusters, "kgroups_monitor_cycle_seconds", "Duration of the last cycle",
                m -> m.lastCycleMillis() / 1000.0);
        s.flush();
    }

    /** A series of the monitor itself, one per cluster. */
    private static void monitorSeries(Sink s, List<ClusterSnapshot> clusters, String name, String help,
            java.util.function.ToDoubleFunction<MonitorSnapshot> value) throws IOException {
        s.header(name, help);
        for (ClusterSnapshot c : clusters) {
            StringBuilder b = s.line(name);
            if (c.cluster() != null) {
                b.append("{cluster=\"");
                escape(b, c.cluster());
                b.append("\"}");
            }
            b.append(' ');
            number(b, value.applyAsDouble(c.snapshot()));
            b.append('\n');
        }
    }

    /**
     * What became of the webhooks' changes per receiver (nothing when there are none), labelled
     * {@code cluster} where the notifier is a named cluster's.
     */
    public static void writeWebhooks(List<WebhookNotifier> webhooks, Writer out) throws IOException {
        if (webhooks.isEmpty()) {
            return;
        }
        Sink s = new Sink(out);
        webhook(s, webhooks, "kgroups_webhook_sent_total", "Status changes the webhook receiver took", Delivered.SENT);
        webhook(s, webhooks, "kgroups_webhook_failed_total", "Status changes given up after all attempts", Delivered.FAILED);
        webhook(s, webhooks, "kgroups_webhook_dropped_total", "Status changes dropped: the receiver's queue was full",
                Delivered.DROPPED);
        webhook(s, webhooks, "kgroups_webhook_coalesced_total",
                "Status changes replaced by a newer change of the same group before they were sent", Delivered.COALESCED);
        webhook(s, webhooks, "kgroups_webhook_pending", "Groups with a status change waiting for the receiver",
                Delivered.PENDING);
        s.flush();
    }

    private enum Delivered { SENT, FAILED, DROPPED, COALESCED, PENDING }

    private static void webhook(Sink s, List<WebhookNotifier> webhooks, String name, String help, Delivered field)
            throws IOException {
        s.header(name, help);
        for (WebhookNotifier notifier : webhooks) {
            s.cluster = notifier.cluster();
            for (WebhookNotifier.Delivery d : notifier.deliveries()) {
                long value = switch (field) {
                    case SENT -> d.sent();
                    case FAILED -> d.failed();
                    case DROPPED -> d.dropped();
                    case COALESCED -> d.coalesced();
                    case PENDING -> d.pending();
                };
                StringBuilder out = s.open(name).append("url=\"");
                escape(out, d.url()); // user-info and query string were stripped: no secrets in labels
                out.append("\"} ").append(value).append('\n');
            }
        }
    }

    private enum Field { LAG, LAG_SECONDS, RETENTION, COMMITTED, START, SAMPLED, STATUS }

    private static Double value(PartitionStatus p, Field field) {
        return switch (field) {
            case LAG -> p.lag() == null ? null : (double) p.lag();
            case LAG_SECONDS -> p.lagSeconds();
            case RETENTION -> p.retentionSecondsLeft();
            case COMMITTED -> p.committedOffset() == null ? null : (double) p.committedOffset();
            case START -> p.startOffset() == null ? null : (double) p.startOffset();
            case SAMPLED -> p.lastSampleMs() == null ? null : p.lastSampleMs() / 1000.0;
            case STATUS -> (double) p.status().code();
        };
    }

    /** How the partitions' values of a field make a group's or a topic's: the oldest, the soonest, else the sum. */
    private static double combine(Field field, double a, double b) {
        return switch (field) {
            case LAG_SECONDS -> Math.max(a, b);
            case RETENTION -> Math.min(a, b);
            default -> a + b;
        };
    }

    /**
     * A partition's log end is the partition's, whatever group reads it: once, the newest seen;
     * at the coarser levels summed per topic.
     */
    private static void logEnds(Sink s, MonitorSnapshot snapshot, Granularity granularity) throws IOException {
        Map<String, TreeMap<Integer, Long>> ends = new TreeMap<>();
        for (GroupStatus g : snapshot.groups()) {
            for (PartitionStatus p : g.partitions()) {
                if (p.logEndOffset() != null) {
                    ends.computeIfAbsent(p.topic(), t -> new TreeMap<>()).merge(p.partition(), p.logEndOffset(), Math::max);
                }
            }
        }
        for (Map.Entry<String, TreeMap<Integer, Long>> topic : ends.entrySet()) {
            if (granularity == Granularity.PARTITION) {
                for (Map.Entry<Integer, Long> end : topic.getValue().entrySet()) {
                    StringBuilder out = s.open("kgroups_partition_log_end_offset").append("topic=\"");
                    escape(out, topic.getKey());
                    out.append("\",partition=\"").append(end.getKey()).append("\"} ").append(end.getValue()).append('\n');
                }
            } else {
                StringBuilder out = s.open("kgroups_partition_log_end_offset").append("topic=\"");
                escape(out, topic.getKey());
                out.append("\"} ").append(topic.getValue().values().stream().mapToLong(Long::longValue).sum()).append('\n');
            }
        }
    }

    private static void partitions(Sink s, List<ClusterSnapshot> clusters, String name, Field field) throws IOException {
        for (ClusterSnapshot c : clusters) {
            s.cluster = c.cluster();
            for (GroupStatus g : c.snapshot().groups()) {
                for (PartitionStatus p : g.partitions()) {
                    Double value = value(p, field);
                    if (value != null) {
                        s.sample(name, g, p.topic(), p.partition(), value);
                    }
                }
            }
        }
    }

    /** The lag fields, in the order an {@link Combined} holds them. */
    private static final Field[] LAG_FIELDS = {Field.LAG, Field.LAG_SECONDS, Field.RETENTION, Field.COMMITTED, Field.START};

    /** A group's (or a group-topic's) lag fields combined over its partitions; NaN where none had one. */
    private record Combined(GroupStatus group, String topic, double[] values) {
    }

    /** Every group's partitions combined per topic (TOPIC) or altogether (GROUP), in one pass over them. */
    private static List<Combined> combine(MonitorSnapshot snapshot, Granularity granularity) {
        List<Combined> all = new ArrayList<>(snapshot.groups().size() * 2);
        for (GroupStatus g : snapshot.groups()) {
            int first = all.size();
            for (PartitionStatus p : g.partitions()) {
                String topic = granularity == Granularity.TOPIC ? p.topic() : null;
                Combined c = null;
                for (int i = first; i < all.size() && c == null; i++) { // few topics per group: a linear look
                    if (Objects.equals(all.get(i).topic(), topic)) {
                        c = all.get(i);
                    }
                }
                if (c == null) {
                    double[] none = new double[LAG_FIELDS.length];
                    Arrays.fill(none, Double.NaN);
                    c = new Combined(g, topic, none);
                    all.add(c);
                }
                for (int f = 0; f < LAG_FIELDS.length; f++) {
                    Double value = value(p, LAG_FIELDS[f]);
                    if (value != null) {
                        double[] v = c.values();
                        v[f] = Double.isNaN(v[f]) ? value : combine(LAG_FIELDS[f], v[f], value);
                    }
                }
            }
        }
        return all;
    }

    /** A lag series at the granularity: per partition as it is, per topic or per group combined. */
    private static void lag(Sink s, List<ClusterSnapshot> clusters, List<List<Combined>> combined, String name, Field field)
            throws IOException {
        if (combined == null) {
            partitions(s, clusters, name, field);
            return;
        }
        int f = Arrays.asList(LAG_FIELDS).indexOf(field);
        for (int i = 0; i < clusters.size(); i++) {
            s.cluster = clusters.get(i).cluster();
            for (Combined c : combined.get(i)) {
                if (!Double.isNaN(c.values()[f])) {
                    s.sample(name, c.group(), c.topic(), -1, c.values()[f]);
                }
            }
        }
    }

    /** A buffer handed to the writer whenever it holds {@value #FLUSH_AT} characters. */
    private static final class Sink {
        private final Writer out;
        private final StringBuilder buffer = new StringBuilder(FLUSH_AT + 1024);
        /** The cluster of the samples being written (their first label); null: none. */
        String cluster;

        Sink(Writer out) {
            this.out = out;
        }

        /** The buffer, with {@code start} appended, after handing what it held to the writer if it is full. */
        StringBuilder line(String start) throws IOException {
            if (buffer.length() >= FLUSH_AT) {
                flush();
            }
            return buffer.append(start);
        }

        void flush() throws IOException {
            out.append(buffer);
            buffer.setLength(0);
        }

        void header(String name, String help) throws IOException {
            line("# HELP ").append(name).append(' ').append(help).append('\n');
            buffer.append("# TYPE ").append(name).append(name.endsWith("_total") ? " counter" : " gauge").append('\n');
        }

        /** {@code name{}, then the cluster's label and a comma when there is one: the rest of the labels follow. */
        StringBuilder open(String name) throws IOException {
            StringBuilder b = line(name).append('{');
            if (cluster != null) {
                b.append("cluster=\"");
                escape(b, cluster);
                b.append("\",");
            }
            return b;
        }

        /** A series of the group; with the topic's label when {@code topic} is not null, the partition's when it is 0 or more. */
        void sample(String name, GroupStatus group, String topic, int partition, double value) throws IOException {
            StringBuilder b = open(name).append("group=\"");
            escape(b, group.group());
            b.append("\",type=\"");
            escape(b, group.type());
            b.append('"');
            if (topic != null) {
                b.append(",topic=\"");
                escape(b, topic);
                b.append('"');
                if (partition >= 0) {
                    b.append(",partition=\"").append(partition).append('"');
                }
            }
            b.append("} ");
            number(b, value);
            b.append('\n');
        }
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

    /** Whole numbers as integers; others with three decimals (no String.format on the hot path: it is slow). */
    private static void number(StringBuilder out, double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            out.append((long) value);
            return;
        }
        if (Double.isNaN(value) || Double.isInfinite(value) || Math.abs(value) >= 1e15) {
            out.append(String.format(Locale.ROOT, "%.3f", value));
            return;
        }
        long thousandths = Math.round(Math.abs(value) * 1000);
        if (value < 0) {
            out.append('-');
        }
        out.append(thousandths / 1000).append('.');
        long fraction = thousandths % 1000;
        if (fraction < 100) {
            out.append('0');
        }
        if (fraction < 10) {
            out.append('0');
        }
        out.append(fraction);
    }

}
