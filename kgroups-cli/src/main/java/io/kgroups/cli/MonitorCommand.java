package io.kgroups.cli;

import io.kgroups.admin.GroupAdmin;
import io.kgroups.monitor.LagMonitor;
import io.kgroups.monitor.MonitorServer;
import io.kgroups.monitor.WebhookNotifier;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Watches every consumer group and serves status, lag and time lag over HTTP (a dashboard too) until Ctrl-C. */
@Command(name = "monitor", description = {"Watch the consumer groups: status per group (OK, WARNING, STALLED, STOPPED,",
    "REWIND, AT_RISK), lag and time lag, served as a web dashboard at /, Prometheus /metrics and",
    "a JSON API. Read-only."})
final class MonitorCommand implements Callable<Integer> {
    @Mixin
    private CommandContext context;

    @Option(names = "--interval", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "5s",
            description = "Time between samples (default: ${DEFAULT-VALUE}).")
    private Duration interval;

    @Option(names = "--window", paramLabel = "N", defaultValue = "10",
            description = "Samples per evaluation window (default: ${DEFAULT-VALUE}).")
    private int window;

    @Option(names = "--groups", paramLabel = "REGEX", defaultValue = ".*", description = "Only groups whose name matches.")
    private String groups;

    @Option(names = "--exclude", paramLabel = "REGEX", description = "Leave out groups whose name matches.")
    private String exclude;

    @Option(names = "--http", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8080", converter = HttpAddress.Converter.class,
            description = "Where to serve the dashboard, /metrics, /api and /health (default: ${DEFAULT-VALUE}; port 0: a free one).")
    private HttpAddress http;

    @Option(names = "--webhook", paramLabel = "URL",
            description = "POST a JSON body here when a group's status changes; repeatable.")
    private List<String> webhooks = List.of();

    @Override
    public Integer call() {
        List<URI> hooks = new ArrayList<>();
        for (String hook : webhooks) {
            try {
                URI uri = URI.create(hook);
                if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
                    throw new IllegalArgumentException("not http(s)");
                }
                hooks.add(uri);
            } catch (IllegalArgumentException e) {
                throw CliException.usage("--webhook '" + hook + "' is not an http(s) URL, e.g. http://alerts.local/kafka");
            }
        }
        if (window < 2) {
            throw CliException.usage("--window must be at least 2 samples, was " + window);
        }
        LagMonitor.Builder builder;
        GroupAdmin admin = ClusterConnection.groupAdmin(context);
        try {
            builder = LagMonitor.builder(admin).interval(interval).window(window).include(regex("--groups", groups));
            if (exclude != null) {
                builder.exclude(regex("--exclude", exclude));
            }
        } catch (RuntimeException e) {
            admin.close();
            throw e;
        }
        try (LagMonitor monitor = builder.build();
             WebhookNotifier notifier = new WebhookNotifier(hooks, 5);
             MonitorServer server = startServer(monitor, http)) {
            if (!hooks.isEmpty()) {
                monitor.addListener(notifier);
            }
            monitor.start();
            String url = http.url(server.port());
            context.print(Table.record("url", "dashboard", "metrics", "api", "interval", "window")
                    .row(url, url + "/", url + "/metrics", url + "/api/groups", CommandContext.seconds(interval), window));
            // Runs until the JVM ends (Ctrl-C) or the thread is interrupted (an embedding program, a test).
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stopped by an embedding program or a test
        } finally {
            admin.close();
        }
        return CliException.OK;
    }

    static MonitorServer startServer(LagMonitor monitor, HttpAddress address) {
        try {
            return MonitorServer.start(monitor, address.host(), address.port());
        } catch (RuntimeException e) {
            throw cannotServe(address, e);
        }
    }

    static CliException cannotServe(HttpAddress address, RuntimeException e) {
        return CliException.failed("cannot serve HTTP on " + address.host() + ":" + address.port() + " ("
                + ClusterConnection.rootMessage(e) + "): choose another --http address or port", e);
    }

    private static Pattern regex(String option, String value) {
        try {
            return Pattern.compile(value);
        } catch (PatternSyntaxException e) {
            throw CliException.usage(option + " '" + value + "' is not a regular expression: " + e.getDescription());
        }
    }
}
