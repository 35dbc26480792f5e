package io.kgroups.cli;

import io.kgroups.admin.GroupAdmin;
import io.kgroups.monitor.LagMonitor;
import io.kgroups.monitor.MonitorServer;
import io.kgroups.monitor.PrometheusText;
import io.kgroups.monitor.WebhookNotifier;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Watches every consumer group and serves status, lag and time lag over HTTP (a dashboard too) until Ctrl-C. */
@Command(name = "monitor", header = "Watch every group's lag and status; serve a dashboard.",
        description = {"Samples the consumer, streams and share groups every --interval and gives each partition and "
            + "group a status: OK, WARNING (lag growing), STALLED or STOPPED (no progress while records wait, with or "
            + "without a member), REWIND, AT_RISK (retention deletes unread records) or UNKNOWN (it cannot tell yet). A "
            + "partition is judged over its last --window commits, however often its group commits. A share group "
            + "commits nothing: its lag is the broker's (records not yet delivery-complete), and its progress is each "
            + "record delivered (acknowledged, rejected or archived), in any order: its start offset held by one record "
            + "in flight while the lag falls is progress, no record delivered while records wait is not.", "",
            "Served until Ctrl-C: a web dashboard at /, Prometheus text at /metrics, JSON at /api/groups, and "
            + "/health/live and /health/ready; --webhook posts each change of status. Read-only: every endpoint is a GET "
            + "that changes nothing; reset previews (which read the cluster) are limited to 10 at once, then one every "
            + "3 s (429 with Retry-After).", "",
            "Who may read it: on a loopback address (the default), whoever is on this machine. Any other address "
            + "needs credentials, read from files or environment variables, never from the command line: "
            + "--http-basic-file (user:password lines; a browser asks for them) and --http-token-file (bearer tokens, "
            + "for scripts). Every endpoint but /health/live then answers 401 without them; /metrics takes its own "
            + "--metrics-token-file too, which opens nothing else. Refused logins are counted in /metrics and logged "
            + "with the remote address, never with what was sent. --tls-keystore serves HTTPS."},
        footer = {"", "Examples:", "  A dashboard for the team over HTTPS, alerts to a webhook:",
            "    kgroups monitor --http 0.0.0.0:8443 --http-basic-file users.txt \\",
            "      --tls-keystore monitor.p12 --tls-keystore-password-file p12-pass.txt \\",
            "      --webhook http://alerts.local/kafka",
            "  Prometheus with a token of its own (its authorization: credentials_file):",
            "    openssl rand -hex 32 > metrics-token.txt; chmod 600 metrics-token.txt",
            "    kgroups monitor --http 0.0.0.0:8080 --http-basic-file users.txt \\",
            "      --metrics-token-file metrics-token.txt"})
final class MonitorCommand implements Callable<Integer> {
    @Mixin
    private CommandContext context;

    @Mixin
    private ClusterOptions cluster;

    @Option(names = "--interval", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "5s",
            description = "Time between samples (default: ${DEFAULT-VALUE}).")
    private Duration interval;

    @Option(names = "--window", paramLabel = "N", defaultValue = "10",
            description = "Commits per evaluation window (default: ${DEFAULT-VALUE}): a partition is judged over its "
                    + "last N commits, however often the group commits; no progress for N commit intervals is STALLED "
                    + "or STOPPED.")
    private int window;

    @Option(names = "--allowed-lag", paramLabel = "RECORDS", defaultValue = "0",
            description = "Lag in records at or below which a partition is OK whatever the trend (default: ${DEFAULT-VALUE}).")
    private long allowedLag;

    @Option(names = "--stopped-after", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "15m",
            description = "Before the monitor has seen a partition commit twice (so knows how often it commits), no "
                    + "progress for longer than this is STALLED or STOPPED (default: ${DEFAULT-VALUE}).")
    private Duration stoppedAfter;

    @Option(names = "--retention-risk", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "1h",
            description = "A partition whose first unconsumed record retention deletes within this is AT_RISK (default: "
                    + "${DEFAULT-VALUE}); below a topic's own retention.ms, or any lag on such a topic is AT_RISK.")
    private Duration retentionRisk;

    @Option(names = "--rebalance-storm", paramLabel = "N/DURATION", defaultValue = "10/5m",
            converter = RebalanceStorm.Converter.class,
            description = "At least N membership changes of a group within DURATION is a rebalancing storm: a WARNING "
                    + "naming who came and went and the likely cause (default: ${DEFAULT-VALUE}; a rolling restart of "
                    + "N members makes up to 2N, static members none).")
    private RebalanceStorm rebalanceStorm;

    /** {@code --rebalance-storm N/DURATION}: at least N membership changes within DURATION. */
    record RebalanceStorm(int changes, Duration window) {
        static final class Converter implements picocli.CommandLine.ITypeConverter<RebalanceStorm> {
            private static final String FORM = "N/DURATION, N at least 2 changes and a positive duration, such as 10/5m";

            @Override
            public RebalanceStorm convert(String value) {
                int slash = value.indexOf('/');
                if (slash < 0) {
                    throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not " + FORM);
                }
                int changes;
                Duration window;
                try {
                    changes = Integer.parseInt(value.substring(0, slash).trim());
                    window = io.kgroups.admin.DurationSyntax.parse(value.substring(slash + 1).trim());
                } catch (IllegalArgumentException e) {
                    throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not " + FORM + " ("
                            + e.getMessage() + ")");
                }
                if (changes < 2 || window.isZero() || window.isNegative()) {
                    throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not " + FORM);
                }
                return new RebalanceStorm(changes, window);
            }
        }
    }

    @Option(names = "--exact-time-lag-partitions", paramLabel = "N", defaultValue = "20",
            description = "New places whose time lag is read from the log each cycle, most lagging first (default: "
                    + "${DEFAULT-VALUE}); a place read stays known while the group stands there.")
    private int exactTimeLagPartitions;

    @Option(names = "--groups", paramLabel = "REGEX", defaultValue = ".*", description = "Only groups whose name matches this regular expression (default: every group).")
    private String groups;

    @Option(names = "--exclude", paramLabel = "REGEX", description = "Leave out groups whose name matches this regular expression.")
    private String exclude;

    @Option(names = "--http", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8080", converter = HttpAddress.Converter.class,
            description = "Where to serve the dashboard, /metrics, /api and /health (default: ${DEFAULT-VALUE}; port 0: "
                    + "a free one). An address that is not loopback (0.0.0.0, the machine's own) needs credentials: "
                    + "--http-basic-file or --http-token-file.")
    private HttpAddress http;

    @Option(names = "--metrics", paramLabel = "LEVEL", defaultValue = "topic",
            description = "How fine the /metrics lag series are: group, topic or partition (default: ${DEFAULT-VALUE}). "
                    + "The coarser levels keep the metric names and drop labels (lag summed, time lag the oldest). "
                    + "partition is one series per group and partition: 2.5 million per metric at 10,000 groups x 50 "
                    + "partitions; the dashboard and the JSON API show every partition at any level.")
    private MetricsLevel metrics;

    /** The levels as the option spells them. */
    enum MetricsLevel {
        group(PrometheusText.Granularity.GROUP), topic(PrometheusText.Granularity.TOPIC),
        partition(PrometheusText.Granularity.PARTITION);

        final PrometheusText.Granularity granularity;

        MetricsLevel(PrometheusText.Granularity granularity) {
            this.granularity = granularity;
        }
    }

    @Mixin
    private MonitorAccess access;

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
            throw CliException.usage("--window must be at least 2 commits, was " + window);
        }
        if (allowedLag < 0) {
            throw CliException.usage("--allowed-lag must be 0 or more records, was " + allowedLag);
        }
        if (exactTimeLagPartitions < 0) {
            throw CliException.usage("--exact-time-lag-partitions must be 0 or more, was " + exactTimeLagPartitions);
        }
        if (stoppedAfter.isZero() || stoppedAfter.isNegative()) {
            throw CliException.usage("--stopped-after must be positive, was " + stoppedAfter);
        }
        if (retentionRisk.isNegative()) {
            throw CliException.usage("--retention-risk must be 0s (only records already deleted) or more, was " + retentionRisk);
        }
        MonitorAccess.Settings served = access.read(context.global().environment());
        if (served.credentials().isEmpty() && !MonitorServer.loopback(http.host())) {
            throw CliException.usage("--http " + http.host() + ":" + http.port() + " is not a loopback address: whoever "
                    + "reaches it would read every group, so give credentials: --http-basic-file FILE (people, in a "
                    + "browser) or --http-token-file FILE (scripts), or $" + MonitorAccess.BASIC_ENV + " / $"
                    + MonitorAccess.TOKEN_ENV);
        }
        Pattern include = regex("--groups", groups);
        Pattern excluded = exclude == null ? null : regex("--exclude", exclude);
        // Several --cluster: one monitor per cluster, served together; else the command's one cluster, unnamed.
        Map<String, ClusterOptions.Settings> named = context.clusters();
        Map<String, LagMonitor> monitors = new LinkedHashMap<>();
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            if (named.isEmpty()) {
                monitors.put(null, monitor(ClusterConnection.groupAdminForService(context), include, excluded, opened));
            } else {
                for (Map.Entry<String, ClusterOptions.Settings> cluster : named.entrySet()) {
                    monitors.put(cluster.getKey(), monitor(ClusterConnection.groupAdminForService(context, cluster.getValue()),
                            include, excluded, opened));
                }
            }
            List<WebhookNotifier> notifiers = new ArrayList<>();
            if (!hooks.isEmpty()) {
                monitors.forEach((cluster, monitor) -> {
                    WebhookNotifier notifier = new WebhookNotifier(hooks, 5, cluster);
                    opened.add(notifier);
                    monitor.addListener(notifier);
                    notifiers.add(notifier);
                });
            }
            MonitorServer.Builder serving = named.isEmpty() ? MonitorServer.builder(monitors.get(null))
                    : MonitorServer.builder(monitors);
            notifiers.forEach(serving::webhooks);
            try (MonitorServer server = startServer(serving.metrics(metrics.granularity).credentials(served.credentials())
                    .metricsCredentials(served.metricsCredentials()), served, http)) {
                monitors.values().forEach(LagMonitor::start);
                String url = http.url(served.tls() ? "https" : "http", server.port());
                Output output = context.output();
                served.warnings().forEach(output::warning);
                if (!served.tls() && !MonitorServer.loopback(http.host())) {
                    output.warning("credentials go over plain HTTP to " + http.host() + ", readable on the way: add "
                            + "--tls-keystore (or serve it behind a TLS proxy)");
                }
                output.print(Table.record("url", "dashboard", "metrics", "api", "intervalSeconds", "windowCommits",
                        "allowedLag").row(url, url + "/", url + "/metrics", url + "/api/groups", interval.toMillis() / 1000.0,
                                window, allowedLag));
                // Runs until the JVM ends (Ctrl-C) or the thread is interrupted (an embedding program, a test).
                new CountDownLatch(1).await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stopped by an embedding program or a test
        } finally {
            // The webhooks, then each monitor, then its GroupAdmin: the order they were opened in, reversed.
            for (int i = opened.size() - 1; i >= 0; i--) {
                try {
                    opened.get(i).close();
                } catch (Exception e) {
                    // closing the rest matters more
                }
            }
        }
        return CliException.OK;
    }

    static MonitorServer startServer(LagMonitor monitor, WebhookNotifier webhooks, HttpAddress address) {
        return startServer(MonitorServer.builder(monitor).webhooks(webhooks), null, address);
    }

    /** @param access null: plain HTTP, to anyone who reaches the (loopback) address */
    private static MonitorServer startServer(MonitorServer.Builder server, MonitorAccess.Settings access, HttpAddress address) {
        if (access != null && access.tls()) {
            server.tls(access.keyStore(), access.password());
        }
        try {
            return server.address(address.host(), address.port()).start();
        } catch (RuntimeException e) {
            throw cannotServe(address, e);
        }
    }

    /** The error for a server that could not start at {@code --http}: a port in use above all, in those words. */
    static CliException cannotServe(HttpAddress address, RuntimeException e) {
        String where = address.host() + ":" + address.port();
        String reason = ClusterConnection.rootMessage(e);
        if (reason.contains("already in use")) {
            return CliException.failed("port " + where + " is in use: choose another with --http", e);
        }
        return CliException.failed("cannot serve HTTP on " + where + " (" + reason + "): choose another address with --http",
                e);
    }

    /** A monitor of {@code admin}'s cluster with the command's settings; both are closed with {@code opened}. */
    private LagMonitor monitor(GroupAdmin admin, Pattern include, Pattern excluded, List<AutoCloseable> opened) {
        opened.add(admin);
        LagMonitor.Builder builder = LagMonitor.builder(admin).interval(interval).window(window).allowedLag(allowedLag)
                .stoppedAfter(stoppedAfter).retentionRisk(retentionRisk).exactTimeLagPartitions(exactTimeLagPartitions)
                .include(include)
                .rebalanceStorm(rebalanceStorm.changes(), rebalanceStorm.window());
        if (excluded != null) {
            builder.exclude(excluded);
        }
        LagMonitor monitor = builder.build();
        opened.add(monitor);
        return monitor;
    }

    private static Pattern regex(String option, String value) {
        try {
            return Pattern.compile(value, Pattern.DOTALL);
        } catch (PatternSyntaxException e) {
            throw CliException.usage(option + " '" + value + "' is not a regular expression: " + e.getDescription());
        }
    }
}
