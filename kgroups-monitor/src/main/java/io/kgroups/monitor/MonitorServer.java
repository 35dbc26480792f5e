package io.kgroups.monitor;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.staticfiles.Location;
import io.kgroups.admin.GroupAdminException;
import io.kgroups.admin.ResetPlan;
import io.kgroups.admin.ResetSpec;
import io.kgroups.admin.ResetTarget;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * The monitor over HTTP: the dashboard at {@code /} (static files from the classpath, uPlot from
 * its webjar), Prometheus text at {@code /metrics}, JSON at {@code /api/groups},
 * {@code /api/groups/{group}}, {@code /api/groups/{group}/history} and
 * {@code /api/groups/{group}/reset-plan} (also as {@code /api/group?name=GROUP} and so on, for names
 * with '/' or '%'), and {@code /health/live}, {@code /health/ready} (see {@link #notReady}).
 * Every JSON answer is a {@link JsonEnvelope}, of the kind its schema in docs/schemas names
 * ({@code api/groups}: api-groups.schema.json). Read-only: it changes nothing, a reset plan included.
 */
public final class MonitorServer implements AutoCloseable {
    private final Javalin app;

    private MonitorServer(Javalin app) {
        this.app = app;
    }

    /** Serves {@code monitor} on host:port (port 0: a free one). */
    public static MonitorServer start(LagMonitor monitor, String host, int port) {
        return start(monitor, null, host, port);
    }

    /** As {@link #start(LagMonitor, String, int)}, with the counters of {@code webhooks} (may be null) in /metrics. */
    public static MonitorServer start(LagMonitor monitor, WebhookNotifier webhooks, String host, int port) {
        Javalin app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.staticFiles.add(files -> {
                files.hostedPath = "/";
                files.directory = "/io/kgroups/monitor/dashboard";
                files.location = Location.CLASSPATH;
            });
            config.staticFiles.enableWebjars();
        });
        app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                .result(PrometheusText.render(monitor.snapshot(), webhooks == null ? List.of() : webhooks.deliveries())));
        app.get("/api/status", ctx -> answer(ctx, "api/status", status(monitor, monitor.snapshot())));
        app.get("/api/groups", ctx -> {
            MonitorSnapshot snapshot = monitor.snapshot();
            Map<String, Object> body = status(monitor, snapshot);
            body.put("groups", snapshot.groups().stream().map(MonitorServer::summary).toList());
            body.put("skipped", snapshot.skipped().entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .map(e -> Map.of("group", e.getKey(), "reason", e.getValue())).toList());
            answer(ctx, "api/groups", body);
        });
        // Group names may hold '/' or '%', which Jetty refuses encoded in a path: the dashboard uses the
        // query forms (/api/group?name=...); the path forms stay for names without them.
        app.get("/api/groups/{group}", ctx -> group(ctx, monitor, ctx.pathParam("group")));
        app.get("/api/group", ctx -> group(ctx, monitor, ctx.queryParam("name")));
        app.get("/api/groups/{group}/history", ctx -> history(ctx, monitor, ctx.pathParam("group")));
        app.get("/api/group/history", ctx -> history(ctx, monitor, ctx.queryParam("name")));
        app.get("/api/groups/{group}/reset-plan", ctx -> resetPlan(ctx, monitor, ctx.pathParam("group")));
        app.get("/api/group/reset-plan", ctx -> resetPlan(ctx, monitor, ctx.queryParam("name")));
        app.get("/health/live", ctx -> ctx.result("live"));
        app.get("/health/ready", ctx -> {
            String notReady = notReady(monitor.snapshot());
            if (notReady == null) {
                ctx.result("ready");
            } else {
                ctx.status(HttpStatus.SERVICE_UNAVAILABLE).result(notReady);
            }
        });
        try {
            app.start(host, port);
        } catch (RuntimeException e) {
            app.stop(); // a port in use: no thread of the server is left behind
            throw e;
        }
        return new MonitorServer(app);
    }

    /** Every JSON answer goes out in the one envelope of the contract (docs/schemas/api-*.schema.json). */
    private static void answer(Context ctx, String kind, Object data, List<String> warnings) {
        ctx.json(JsonEnvelope.of(kind, data, warnings));
    }

    private static void answer(Context ctx, String kind, Object data) {
        answer(ctx, kind, data, List.of());
    }

    /**
     * How fresh the figures are: the sample time (with the envelope's time, the server's clock: the
     * dashboard shows the age by these, not by the browser's clock), the interval (how often to
     * look), and lastError (that the cluster cannot be read, and why).
     */
    private static Map<String, Object> status(LagMonitor monitor, MonitorSnapshot snapshot) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("lastSampleTime", snapshot.timeMs() <= 0 ? null : JsonEnvelope.time(snapshot.timeMs()));
        body.put("cycles", snapshot.cycles());
        body.put("failedCycles", snapshot.failedCycles());
        body.put("consecutiveFailures", snapshot.consecutiveFailures());
        body.put("lastError", snapshot.lastError());
        body.put("ready", notReady(snapshot) == null);
        body.put("intervalSeconds", monitor.interval().toMillis() / 1000.0);
        // The rules say what a status means here: the window in commits, the lag allowed, when no progress is stopped.
        body.put("windowCommits", monitor.rules().commits());
        body.put("allowedLag", monitor.rules().allowedLag());
        body.put("stoppedAfterSeconds", monitor.rules().stoppedAfterMs() / 1000.0);
        return body;
    }

    /** Cycles in a row that could not read the cluster before the monitor says it is not ready. */
    static final int UNREADY_AFTER_FAILURES = 3;

    /**
     * Why the monitor is not ready, in words; null when it is: a first cycle read the cluster, and
     * fewer than {@link #UNREADY_AFTER_FAILURES} cycles in a row since could not (one failed cycle
     * is a blip; several mean every figure served is getting old).
     */
    static String notReady(MonitorSnapshot snapshot) {
        if (snapshot.cycles() - snapshot.failedCycles() <= 0) {
            return "not ready: no cycle has read the cluster yet" + (snapshot.lastError() == null ? ""
                    : " (" + snapshot.lastError() + ")");
        }
        if (snapshot.consecutiveFailures() >= UNREADY_AFTER_FAILURES) {
            return "not ready: the last " + snapshot.consecutiveFailures() + " cycles could not read the cluster ("
                    + snapshot.lastError() + "); the figures served are from "
                    + java.time.Instant.ofEpochMilli(snapshot.timeMs());
        }
        return null;
    }

    private static void group(Context ctx, LagMonitor monitor, String group) {
        if (group == null || group.isEmpty()) {
            error(ctx, HttpStatus.BAD_REQUEST, "name the group: /api/group?name=GROUP");
            return;
        }
        monitor.snapshot().group(group).ifPresentOrElse(g -> answer(ctx, "api/group", detail(g)), () -> notFound(ctx, group));
    }

    private static void history(Context ctx, LagMonitor monitor, String group) {
        MonitorSnapshot snapshot = monitor.snapshot();
        if (group == null || snapshot.group(group).isEmpty()) {
            notFound(ctx, group);
            return;
        }
        GroupStatus g = snapshot.group(group).get();
        answer(ctx, "api/group/history", new GroupHistory(group, g.partitions().stream().map(p -> g.type().equals("share")
                ? shareHistory(monitor, snapshot, group, p) : history(monitor, snapshot, group, p)).toList()));
    }

    /**
     * A partition's window: per commit kept (and the newest sample) its time, offsets, lag and
     * time lag. Where a sample's committed offset is the one of the last cycle, the first unread
     * record is the same, and its write time is known from that cycle's time lag (an exact read,
     * often): the typical stuck consumer gets a whole line. Other samples are interpolated on the
     * samples up to them.
     */
    private static History history(LagMonitor monitor, MonitorSnapshot snapshot, String group, PartitionStatus p) {
        Window w = monitor.window(group, new TopicPartition(p.topic(), p.partition()));
        boolean written = p.committedOffset() != null && p.lagSeconds() != null && p.lagOrZero() > 0;
        double writtenAtMs = written ? snapshot.timeMs() - p.lagSeconds() * 1000 : 0;
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < w.size(); i++) {
            String time = JsonEnvelope.time(w.times()[i]);
            long committed = w.committed()[i];
            long lag = w.lag()[i];
            if (committed < 0) {
                // nothing committed: no lag and no time lag, as in the cycle's own figures
                samples.add(new Sample(time, null, w.logEnd()[i], null, null));
                continue;
            }
            Double lagSeconds;
            if (lag == 0) {
                lagSeconds = 0.0;
            } else if (written && committed == p.committedOffset()) {
                lagSeconds = Math.max(0, (w.times()[i] - writtenAtMs) / 1000);
            } else {
                lagSeconds = TimeLagEstimator.seconds(Arrays.copyOf(w.times(), i + 1), Arrays.copyOf(w.logEnd(), i + 1),
                        committed, w.times()[i], monitor.interval().toMillis());
            }
            samples.add(new Sample(time, committed, w.logEnd()[i], lag, lagSeconds));
        }
        return new History(p.topic(), p.partition(), samples);
    }

    /**
     * A share group's partition: per sample kept its time, log end and the broker's lag (no
     * committed offset: the window's offsets are log-end minus lag, see {@link Window}). The time
     * lag is known at the newest sample (the age of the record at the start offset) and where
     * the lag was 0; the window does not keep the start offsets it would need elsewhere.
     */
    private static History shareHistory(LagMonitor monitor, MonitorSnapshot snapshot, String group, PartitionStatus p) {
        Window w = monitor.window(group, new TopicPartition(p.topic(), p.partition()));
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < w.size(); i++) {
            boolean none = w.committed()[i] < 0; // no start offset yet: no lag, as in the cycle's own figures
            Double lagSeconds = none ? null : w.lag()[i] == 0 ? Double.valueOf(0.0)
                    : w.times()[i] == snapshot.timeMs() ? p.lagSeconds() : null;
            samples.add(new Sample(JsonEnvelope.time(w.times()[i]), null, w.logEnd()[i], none ? null : w.lag()[i],
                    lagSeconds));
        }
        return new History(p.topic(), p.partition(), samples);
    }

    /** What the history endpoint serves: the window of each of the group's partitions. */
    record GroupHistory(String group, List<History> partitions) {
    }

    /** A partition's window: oldest sample first. */
    record History(String topic, int partition, List<Sample> samples) {
    }

    /** One sample of a window; committedOffset and lag null where nothing was committed, committedOffset of a share group's too. */
    record Sample(String time, Long committedOffset, long logEndOffset, Long lag, Double lagSeconds) {
    }

    /**
     * A reset plan as the reset-plan endpoint serves it: the fields of {@code kgroups reset
     * --output json} (a dry run), plus the plan in words and the command lines that run it; the
     * plan's warnings go in the envelope's.
     */
    record PlanJson(String group, String type, String state, int activeMembers, long recordsReadAgain, long recordsSkipped,
            List<PlanRow> partitions, String dryRunCommand, String executeCommand) {
    }

    record PlanRow(String topic, int partition, Long currentOffset, Long targetOffset, Long delta, boolean clamped,
            Double spanSeconds, String words) {
        PlanRow(ResetPlan.Partition p) {
            this(p.topic(), p.partition(), p.currentOffset(), p.targetOffset(), p.delta(), p.clamped(),
                    p.spanMillis() == null ? null : p.spanMillis() / 1000.0, p.words());
        }
    }

    /**
     * The plan of {@code kgroups reset GROUP ... SPEC} (a dry run), by the command's own parser
     * and planner, with the command lines that run it. Query: {@code spec} (an option of the
     * command, with or without its dashes), {@code value}, {@code topic} (repeatable, TOPIC or
     * TOPIC:P,P...; none: all topics).
     */
    private static void resetPlan(Context ctx, LagMonitor monitor, String group) {
        if (group == null || monitor.snapshot().group(group).isEmpty()) {
            notFound(ctx, group);
            return;
        }
        List<String> topics = ctx.queryParams("topic").stream().filter(t -> !t.isBlank()).toList();
        ResetSpec spec;
        ResetTarget target;
        Map<String, Set<Integer>> scope;
        try {
            String option = ctx.queryParam("spec");
            if (option == null || option.isBlank()) {
                throw new IllegalArgumentException("spec is missing: use one of " + String.join(", ", ResetSpec.OPTIONS));
            }
            spec = new ResetSpec(option.startsWith("--") ? option : "--" + option, ctx.queryParam("value"));
            if (spec.option().equals("--from-file")) {
                throw new IllegalArgumentException("--from-file reads a file on the monitor's host, so the dashboard does "
                        + "not offer it: run kgroups reset with it (a dry run unless --execute)");
            }
            target = spec.target();
            scope = topics.isEmpty() ? null : ResetSpec.topics(topics);
        } catch (IllegalArgumentException e) {
            error(ctx, HttpStatus.BAD_REQUEST, e.getMessage());
            return;
        }
        ResetPlan plan;
        try {
            plan = monitor.planReset(group, scope, target);
        } catch (GroupAdminException e) {
            error(ctx, unreachable(e) ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.BAD_REQUEST, e.getMessage());
            return;
        }
        answer(ctx, "api/group/reset-plan", new PlanJson(plan.group(), plan.type(), plan.state(), plan.activeMembers(),
                plan.recordsReadAgain(), plan.recordsSkipped(), plan.partitions().stream().map(PlanRow::new).toList(),
                spec.command(group, topics, false), spec.command(group, topics, true)), plan.warnings());
    }

    /** Kafka did not answer in time (as opposed to a request the planner refuses). */
    private static boolean unreachable(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof org.apache.kafka.common.errors.TimeoutException || c instanceof java.util.concurrent.TimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** A group in /api/groups: the fields of {@code kgroups groups} it has, and the monitor's status. */
    private static Map<String, Object> summary(GroupStatus g) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("group", g.group());
        summary.put("type", g.type());
        summary.put("state", g.state());
        summary.put("status", g.status());
        summary.put("members", g.members());
        summary.put("topics", g.partitions().stream().map(PartitionStatus::topic).distinct().sorted().toList());
        summary.put("totalLag", g.totalLag());
        summary.put("maxLagSeconds", g.maxLagSeconds());
        summary.put("reasons", g.reasons());
        summary.put("lastSampleTime", JsonEnvelope.time(g.lastSampleMs()));
        return summary;
    }

    /** A group in full: its summary, its partitions and its members (the partitions each holds). */
    private static Map<String, Object> detail(GroupStatus g) {
        Map<String, Object> detail = summary(g);
        detail.put("partitions", g.partitions().stream().map(p -> {
            Map<String, Object> partition = new LinkedHashMap<>();
            partition.put("topic", p.topic());
            partition.put("partition", p.partition());
            partition.put("committedOffset", p.committedOffset());
            partition.put("startOffset", p.startOffset());
            partition.put("logEndOffset", p.logEndOffset());
            partition.put("lag", p.lag());
            partition.put("lagSeconds", p.lagSeconds());
            partition.put("retentionSecondsLeft", p.retentionSecondsLeft());
            partition.put("status", p.status());
            partition.put("reason", p.reason());
            partition.put("memberId", p.memberId());
            partition.put("lastSampleTime", JsonEnvelope.time(p.lastSampleMs()));
            return partition;
        }).toList());
        detail.put("memberDetails", g.memberDetails().stream().map(m -> {
            Map<String, Object> member = new LinkedHashMap<>();
            member.put("memberId", m.memberId());
            member.put("groupInstanceId", m.groupInstanceId());
            member.put("clientId", m.clientId());
            member.put("host", m.host());
            // A list of {topic, partition}, as in `kgroups describe`: the same shape for the same thing.
            member.put("assignment", m.assignment().entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .flatMap(e -> e.getValue().stream().sorted().map(p -> Map.of("topic", e.getKey(), "partition", p)))
                    .toList());
            member.put("tasks", m.tasks());
            return member;
        }).toList());
        return detail;
    }

    private static void notFound(Context ctx, String group) {
        error(ctx, HttpStatus.NOT_FOUND, "no group '" + group + "' in the last cycle");
    }

    /** An error: the envelope's schemaVersion, command and time, and the error in words instead of data. */
    private static void error(Context ctx, HttpStatus status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("schemaVersion", JsonEnvelope.SCHEMA_VERSION);
        body.put("command", kind(ctx));
        body.put("time", JsonEnvelope.now());
        body.put("error", message);
        ctx.status(status).json(body);
    }

    /** The endpoint kind of a request, as the envelope names it: /api/groups/x/history is api/group/history. */
    private static String kind(Context ctx) {
        String path = ctx.endpointHandlerPath();
        return path.replace("/api/groups/{group}", "/api/group").substring(1);
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}
