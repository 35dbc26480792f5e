package io.kgroups.monitor;

import io.javalin.Javalin;
import io.javalin.http.HttpStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * The monitor over HTTP: Prometheus text at {@code /metrics}, JSON at {@code /api/groups},
 * {@code /api/groups/{group}} and {@code /api/groups/{group}/history}, and {@code /health/live},
 * {@code /health/ready} (ready once a first cycle completed). Read-only: it changes nothing.
 */
public final class MonitorServer implements AutoCloseable {
    private final Javalin app;

    private MonitorServer(Javalin app) {
        this.app = app;
    }

    /** Serves {@code monitor} on host:port (port 0: a free one). */
    public static MonitorServer start(LagMonitor monitor, String host, int port) {
        Javalin app = Javalin.create(config -> config.showJavalinBanner = false);
        app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                .result(PrometheusText.render(monitor.snapshot())));
        app.get("/api/groups", ctx -> ctx.json(Map.of("groups", monitor.snapshot().groups().stream()
                .map(MonitorServer::summary).toList())));
        app.get("/api/groups/{group}", ctx -> monitor.snapshot().group(ctx.pathParam("group")).ifPresentOrElse(
                ctx::json, () -> notFound(ctx, ctx.pathParam("group"))));
        app.get("/api/groups/{group}/history", ctx -> {
            String group = ctx.pathParam("group");
            var status = monitor.snapshot().group(group);
            if (status.isEmpty()) {
                notFound(ctx, group);
                return;
            }
            List<Map<String, Object>> partitions = status.get().partitions().stream().map(p -> {
                Window w = monitor.window(group, new TopicPartition(p.topic(), p.partition()));
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("topic", p.topic());
                row.put("partition", p.partition());
                row.put("times", w.times());
                row.put("committed", w.committed());
                row.put("logEnd", w.logEnd());
                return row;
            }).toList();
            ctx.json(Map.of("group", group, "partitions", partitions));
        });
        app.get("/health/live", ctx -> ctx.result("live"));
        app.get("/health/ready", ctx -> {
            if (monitor.snapshot().cycles() - monitor.snapshot().failedCycles() > 0) {
                ctx.result("ready");
            } else {
                ctx.status(HttpStatus.SERVICE_UNAVAILABLE).result("no cycle completed yet");
            }
        });
        app.start(host, port);
        return new MonitorServer(app);
    }

    private static Map<String, Object> summary(GroupStatus g) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("group", g.group());
        summary.put("state", g.state());
        summary.put("status", g.status());
        summary.put("members", g.members());
        summary.put("totalLag", g.totalLag());
        summary.put("maxLagSeconds", g.maxLagSeconds());
        summary.put("reasons", g.reasons());
        return summary;
    }

    private static void notFound(io.javalin.http.Context ctx, String group) {
        ctx.status(HttpStatus.NOT_FOUND).json(Map.of("error", "no group '" + group + "' in the last cycle"));
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}
