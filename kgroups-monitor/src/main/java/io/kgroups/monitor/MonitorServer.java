package io.kgroups.monitor;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.staticfiles.Location;
import io.kgroups.admin.GroupAdminException;
import io.kgroups.admin.ResetPlan;
import io.kgroups.admin.ResetSpec;
import io.kgroups.admin.ResetTarget;
import com.fasterxml.jackson.databind.util.RawValue;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitor over HTTP: the dashboard at {@code /} (static files from the classpath, uPlot from
 * its webjar), Prometheus text at {@code /metrics}, JSON at {@code /api/groups},
 * {@code /api/groups/{group}}, {@code /api/groups/{group}/history} and
 * {@code /api/groups/{group}/reset-plan} (also as {@code /api/group?name=GROUP} and so on, for names
 * with '/' or '%'), and {@code /health/live}, {@code /health/ready} (see {@link #notReady}).
 * Every JSON answer is a {@link JsonEnvelope}, of the kind its schema in docs/schemas names
 * ({@code api/groups}: api-groups.schema.json). Read-only: every route is a GET, and none changes
 * anything, a reset plan included.
 *
 * <p>Who may read it: anyone who reaches a loopback address, unless {@link HttpCredentials} are
 * given; any other address only with them (see {@link Builder#start()}). With credentials, every
 * request but {@code /health/live} (a liveness probe carries none) must present one, else 401;
 * {@code /metrics} also takes its own ({@link Builder#metricsCredentials}), which open nothing
 * else. Optionally over TLS. Every answer carries headers that keep the dashboard's page to its
 * own files ({@link #CONTENT_SECURITY_POLICY}); reset previews, which read the cluster, are
 * rate-limited (429 with Retry-After).
 */
public final class MonitorServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MonitorServer.class);
    /**
     * The dashboard's pages run their own scripts and styles only (no inline script or style, no
     * eval, nothing from elsewhere), talk to the monitor only, and are framed by no one.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    /** A refused login is logged at most this often (with the count since the last line): a scan fills no disk. */
    private static final Duration LOG_REFUSED_EVERY = Duration.ofSeconds(10);
    private static final String REALM = "kgroups monitor";
    /** Jetty's threads (its acceptor and selector among them): Javalin's default is 250. */
    static final int HTTP_THREADS = 16;

    private final Javalin app;
    /** The clusters served, in the order given; one unnamed when the monitor watches one cluster. */
    private final List<Watched> watched;
    private final List<WebhookNotifier> webhooks;
    private final MetricsPage metricsPage;
    /** /api/groups pages made of the current snapshots, by query: ten dashboards cost what one does. */
    private final AnswerCache pages = new AnswerCache(64);
    private final java.util.function.Consumer<MonitorSnapshot> onCycle;
    private final HttpCredentials credentials;
    private final HttpCredentials metricsCredentials;
    private final TokenBucket resetPreviews;
    private final AtomicLong failedLogins = new AtomicLong();
    private final AtomicLong unauthenticated = new AtomicLong();
    private long refusedSinceLogged; // guarded by this
    private long lastRefusedLogNanos; // guarded by this
    private boolean refusedLogged; // guarded by this

    private MonitorServer(Builder b) {
        this.watched = List.copyOf(b.watched);
        this.webhooks = List.copyOf(b.webhooks);
        this.metricsPage = new MetricsPage(b.granularity, snapshots());
        // Any cluster's new snapshot: the page is made again, of every cluster's latest.
        this.onCycle = snapshot -> metricsPage.update(snapshots());
        watched.forEach(w -> w.monitor().addCycleListener(onCycle));
        this.credentials = b.credentials;
        this.metricsCredentials = b.metricsCredentials.isEmpty() ? b.metricsCredentials
                : b.metricsCredentials.and(b.credentials);
        this.resetPreviews = new TokenBucket(b.previewBurst, b.previewRefill, System::nanoTime);
        this.app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            // Few request threads: requests beyond them wait their turn in Jetty's queue, and a burst of
            // readers cannot take every core from the sampler, whose cycle is what they read.
            config.jetty.threadPool = new QueuedThreadPool(HTTP_THREADS, 2, 60_000);
            config.staticFiles.add(files -> {
                files.hostedPath = "/";
                files.directory = "/io/kgroups/monitor/dashboard";
                files.location = Location.CLASSPATH;
            });
            config.staticFiles.enableWebjars();
            if (b.keyStore != null) {
                config.jetty.addConnector((server, http) -> tlsConnector(server, http, b));
            }
        });
        // Before every request, a static file's and a 404's too.
        app.before(this::guard);
        app.get("/metrics", this::metrics);
        app.get("/api/status", ctx -> answer(ctx, "api/status", status(snapshots())));
        app.get("/api/groups", this::groups);
        // Group names may hold '/' or '%', which Jetty refuses encoded in a path: the dashboard uses the
        // query forms (/api/group?name=...); the path forms stay for names without them.
        app.get("/api/groups/{group}", ctx -> group(ctx, ctx.pathParam("group")));
        app.get("/api/group", ctx -> group(ctx, ctx.queryParam("name")));
        app.get("/api/groups/{group}/history", ctx -> history(ctx, ctx.pathParam("group")));
        app.get("/api/group/history", ctx -> history(ctx, ctx.queryParam("name")));
        app.get("/api/groups/{group}/reset-plan", ctx -> resetPlan(ctx, ctx.pathParam("group")));
        app.get("/api/groups/{group}/scaling", ctx -> scaling(ctx, ctx.pathParam("group")));
        app.get("/api/group/scaling", ctx -> scaling(ctx, ctx.queryParam("name")));
        app.get("/api/group/reset-plan", ctx -> resetPlan(ctx, ctx.queryParam("name")));
        app.get("/health/live", ctx -> ctx.result("live"));
        app.get("/health/ready", ctx -> {
            String notReady = notReady(snapshots());
            if (notReady == null) {
                ctx.result("ready");
            } else {
                ctx.status(HttpStatus.SERVICE_UNAVAILABLE).result(notReady);
            }
        });
    }

    /** Serves {@code monitor} on host:port (port 0: a free one), a loopback address, to anyone who reaches it. */
    public static MonitorServer start(LagMonitor monitor, String host, int port) {
        return builder(monitor).address(host, port).start();
    }

    /** As {@link #start(LagMonitor, String, int)}, with the counters of {@code webhooks} (may be null) in /metrics. */
    public static MonitorServer start(LagMonitor monitor, WebhookNotifier webhooks, String host, int port) {
        return builder(monitor).webhooks(webhooks).address(host, port).start();
    }

    public static Builder builder(LagMonitor monitor) {
        return new Builder(List.of(new Watched(null, Objects.requireNonNull(monitor, "monitor"))));
    }

    /**
     * Serves the monitors of several clusters, by name, in one dashboard, API and /metrics: every
     * series labelled {@code cluster}, every group in the API with its {@code cluster}; one
     * cluster that cannot be read is UNKNOWN on its own and leaves the others as they are.
     */
    public static Builder builder(Map<String, LagMonitor> clusters) {
        if (clusters.isEmpty()) {
            throw new IllegalArgumentException("no cluster to serve");
        }
        List<Watched> watched = new ArrayList<>();
        clusters.forEach((name, monitor) -> {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("a cluster served by name needs a name");
            }
            watched.add(new Watched(name, Objects.requireNonNull(monitor, "monitor of " + name)));
        });
        return new Builder(watched);
    }

    /** A cluster's monitor and the cluster's name (null for the one cluster of a monitor that names none). */
    private record Watched(String cluster, LagMonitor monitor) {
    }

    /** The latest snapshot of every cluster, in the order served. */
    private List<ClusterSnapshot> snapshots() {
        List<ClusterSnapshot> all = new ArrayList<>(watched.size());
        for (Watched w : watched) {
            all.add(new ClusterSnapshot(w.cluster(), w.monitor().snapshot()));
        }
        return all;
    }

    /** Where, to whom and how the monitor is served. */
    public static final class Builder {
        private final List<Watched> watched;
        private final List<WebhookNotifier> webhooks = new ArrayList<>();
        private String host = "127.0.0.1";
        private int port = 8080;
        private HttpCredentials credentials = HttpCredentials.none();
        private HttpCredentials metricsCredentials = HttpCredentials.none();
        private KeyStore keyStore;
        private char[] keyStorePassword;
        private PrometheusText.Granularity granularity = PrometheusText.Granularity.TOPIC;
        private int previewBurst = 10;
        private Duration previewRefill = Duration.ofSeconds(3);

        private Builder(List<Watched> watched) {
            this.watched = watched;
        }

        /** Whose counters /metrics shows (null: none); once per cluster when there are several. */
        public Builder webhooks(WebhookNotifier webhooks) {
            if (webhooks != null) {
                this.webhooks.add(webhooks);
            }
            return this;
        }

        /** Where to listen (default 127.0.0.1:8080; port 0: a free one). */
        public Builder address(String host, int port) {
            this.host = Objects.requireNonNull(host, "host");
            this.port = port;
            return this;
        }

        /**
         * How fine the /metrics series are (default TOPIC: one series per group and topic; the
         * partitions' figures are on the dashboard and in the JSON API at every level, and
         * PARTITION at 10,000 groups × 50 partitions is 2.5 million series per metric).
         */
        public Builder metrics(PrometheusText.Granularity granularity) {
            this.granularity = Objects.requireNonNull(granularity, "granularity");
            return this;
        }

        /** What every request but {@code /health/live} must present (default: none, on a loopback address only). */
        public Builder credentials(HttpCredentials credentials) {
            this.credentials = Objects.requireNonNull(credentials, "credentials");
            return this;
        }

        /** What {@code /metrics} takes besides {@link #credentials} (a scraper's, which opens nothing else). */
        public Builder metricsCredentials(HttpCredentials credentials) {
            this.metricsCredentials = Objects.requireNonNull(credentials, "credentials");
            return this;
        }

        /** Serve HTTPS with the key and certificate of {@code keyStore} (loaded), whose key has {@code password}. */
        public Builder tls(KeyStore keyStore, char[] password) {
            this.keyStore = Objects.requireNonNull(keyStore, "keyStore");
            this.keyStorePassword = password.clone();
            return this;
        }

        /** Reset previews: {@code burst} at once, then one per {@code refill} (default: 10, then one per 3 s). */
        public Builder resetPreviewLimit(int burst, Duration refill) {
            this.previewBurst = burst;
            this.previewRefill = refill;
            return this;
        }

        /**
         * Starts serving. An address that is not loopback without credentials is refused
         * (IllegalArgumentException): anyone who reaches it would read every group, and have
         * the cluster read for them.
         */
        public MonitorServer start() {
            if (credentials.isEmpty() && !loopback(host)) {
                throw new IllegalArgumentException(host + " is not a loopback address: serving it needs credentials");
            }
            MonitorServer server = new MonitorServer(this);
            try {
                if (keyStore == null) {
                    server.app.start(host, port);
                } else {
                    server.app.start(); // on the TLS connector, at host:port
                }
            } catch (RuntimeException e) {
                server.close(); // a port in use: no thread of the server is left behind
                throw e;
            }
            return server;
        }
    }

    /** Whether {@code host} is only ever a loopback address (127.0.0.0/8, ::1, localhost); an unknown host is not. */
    public static boolean loopback(String host) {
        try {
            InetAddress[] addresses = InetAddress.getAllByName(host);
            return Arrays.stream(addresses).allMatch(InetAddress::isLoopbackAddress);
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static Connector tlsConnector(Server server, HttpConfiguration http, Builder b) {
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStore(b.keyStore);
        tls.setKeyStorePassword(new String(b.keyStorePassword));
        http.addCustomizer(new SecureRequestCustomizer());
        ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(tls, "http/1.1"),
                new HttpConnectionFactory(http));
        connector.setHost(b.host);
        connector.setPort(b.port);
        return connector;
    }

    /**
     * Before every request: the headers every answer carries, then the credentials, where any are
     * configured: every path but {@code /health/live} needs one, /metrics takes its own too. A
     * refused request ends here, with 401 and how to authenticate.
     */
    private void guard(Context ctx) {
        ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Cross-Origin-Opener-Policy", "same-origin");
        ctx.header("Cross-Origin-Resource-Policy", "same-origin");
        String path = ctx.path();
        HttpCredentials accepted = path.equals("/metrics") && !metricsCredentials.isEmpty() ? metricsCredentials : credentials;
        if (path.equals("/health/live") || accepted.isEmpty()) {
            return;
        }
        String authorization = ctx.header("Authorization");
        if (accepted.accepts(authorization)) {
            return;
        }
        if (authorization == null) {
            unauthenticated.incrementAndGet();
        } else {
            failedLogins.incrementAndGet();
            refused(ctx.ip(), path);
        }
        ctx.header("WWW-Authenticate", "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
        if (accepted.bearer()) {
            ctx.res().addHeader("WWW-Authenticate", "Bearer realm=\"" + REALM + "\"");
        }
        ctx.status(HttpStatus.UNAUTHORIZED).contentType("text/plain; charset=utf-8")
                .result(authorization == null ? "401 unauthorized: this monitor needs credentials (basic auth, or a bearer token)\n"
                        : "401 unauthorized: the credentials are not accepted\n");
        ctx.skipRemainingHandlers();
    }

    /**
     * Logs a refused login, without what was presented: where from and for what; at most one line per
     * {@link #LOG_REFUSED_EVERY}, saying how many were refused since the last.
     */
    private synchronized void refused(String remote, String path) {
        refusedSinceLogged++;
        long now = System.nanoTime();
        if (refusedLogged && now - lastRefusedLogNanos < LOG_REFUSED_EVERY.toNanos()) {
            return;
        }
        LOG.atWarn().setMessage("monitor_login_refused").addKeyValue("remote", remote)
                .addKeyValue("path", printable(path)).addKeyValue("refused_since_last_line", refusedSinceLogged).log();
        refusedLogged = true;
        lastRefusedLogNanos = now;
        refusedSinceLogged = 0;
    }

    /** A path as a log shows it: no control character (a %0A in a URL cannot forge a line), 200 characters at most. */
    private static String printable(String path) {
        String clean = path.replaceAll("\\p{Cntrl}", "?");
        return clean.length() <= 200 ? clean : clean.substring(0, 200) + "...";
    }

    /**
     * The page rendered at the end of the last cycle ({@link MetricsPage}) and the few series that
     * change between cycles: gzip as it is kept to a scraper that takes it, else inflated as it is
     * sent. Javalin's own compression is off here: the page is compressed already.
     */
    private void metrics(Context ctx) throws java.io.IOException {
        java.io.StringWriter tail = new java.io.StringWriter();
        PrometheusText.writeWebhooks(webhooks, tail);
        tail.append(loginMetrics());
        MetricsPage.Rendered page = metricsPage.current();
        tail.append("# HELP kgroups_monitor_metrics_render_seconds How long rendering this page took, at the end of the last cycle\n"
                + "# TYPE kgroups_monitor_metrics_render_seconds gauge\n"
                + "kgroups_monitor_metrics_render_seconds " + page.renderMillis() / 1000.0 + "\n"
                + "# HELP kgroups_monitor_metrics_bytes The size of the page rendered each cycle (all of it but these few "
                + "series written per request): as text, and gzip-compressed\n"
                + "# TYPE kgroups_monitor_metrics_bytes gauge\n"
                + "kgroups_monitor_metrics_bytes{encoding=\"identity\"} " + page.textBytes() + "\n"
                + "kgroups_monitor_metrics_bytes{encoding=\"gzip\"} " + page.gzipBytes() + "\n");
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").disableCompression();
        if (takesGzip(ctx.header("Accept-Encoding"))) {
            ctx.header("Content-Encoding", "gzip");
            ctx.result(MetricsPage.gzip(page, tail.toString()));
        } else {
            ctx.result(MetricsPage.text(page, tail.toString()));
        }
    }

    /** Whether an Accept-Encoding header takes gzip (and not with q=0). */
    static boolean takesGzip(String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        for (String coding : acceptEncoding.split(",")) {
            String[] parts = coding.trim().split(";");
            if (parts[0].trim().equalsIgnoreCase("gzip")) {
                for (int i = 1; i < parts.length; i++) {
                    String q = parts[i].trim().replace(" ", "");
                    if (q.matches("q=0(\\.0*)?")) {
                        return false;
                    }
                }
                return true;
            }
        }
        return false;
    }

    /**
     * One page of groups: {@code type}, {@code status} and {@code q} (a text in the name, state,
     * type or a topic) filter, {@code sort} and {@code order} sort, {@code limit} (default
     * {@value GroupPage#DEFAULT_LIMIT}) cuts, {@code after} (the {@code next} of the previous
     * page) goes on. With it: how many groups match, per status how many match the other
     * filters, and how many the monitor watches.
     */
    private void groups(Context ctx) {
        List<ClusterSnapshot> snapshots = snapshots();
        String key = ctx.queryString() == null ? "" : ctx.queryString();
        byte[] cached = pages.get(snapshots, key);
        if (cached != null) {
            answerKept(ctx, "api/groups", cached);
            return;
        }
        GroupPage page;
        try {
            String cluster = ctx.queryParam("cluster");
            if (cluster != null && !cluster.isEmpty() && snapshots.stream().noneMatch(c -> cluster.equals(c.cluster()))) {
                throw new IllegalArgumentException("cluster=" + cluster + " is not a cluster this monitor watches"
                        + clusterNames());
            }
            page = GroupPage.of(snapshots, GroupPage.Query.parse(cluster, ctx.queryParam("type"), ctx.queryParam("status"),
                    ctx.queryParam("q"), ctx.queryParam("sort"), ctx.queryParam("order"), ctx.queryParam("limit"),
                    ctx.queryParam("after")));
        } catch (IllegalArgumentException e) {
            error(ctx, HttpStatus.BAD_REQUEST, e.getMessage());
            return;
        }
        Map<String, Object> body = status(snapshots);
        body.put("total", snapshots.stream().mapToInt(c -> c.snapshot().groups().size()).sum());
        body.put("matched", page.matched());
        body.put("counts", page.counts());
        body.put("next", page.next());
        body.put("groups", page.groups().stream().map(l -> summary(l.cluster(), l.group())).toList());
        List<Map<String, Object>> skipped = new ArrayList<>();
        for (ClusterSnapshot c : snapshots) {
            c.snapshot().skipped().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
                Map<String, Object> one = new LinkedHashMap<>();
                if (c.cluster() != null) {
                    one.put("cluster", c.cluster());
                }
                one.put("group", e.getKey());
                one.put("reason", e.getValue());
                skipped.add(one);
            });
        }
        body.put("skipped", skipped);
        byte[] json = ctx.jsonMapper().toJsonString(body, Map.class).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        pages.put(snapshots, key, json);
        answerKept(ctx, "api/groups", json);
    }

    /** ": a, b", the clusters' names, for an error; empty for one unnamed cluster. */
    private String clusterNames() {
        List<String> names = watched.stream().map(Watched::cluster).filter(Objects::nonNull).toList();
        return names.isEmpty() ? " (it watches one, unnamed)" : ": " + String.join(", ", names);
    }

    /** The counters of refused requests, in Prometheus' text format. */
    private String loginMetrics() {
        return "# HELP kgroups_monitor_failed_logins_total Requests to the monitor whose credentials were refused\n"
                + "# TYPE kgroups_monitor_failed_logins_total counter\n"
                + "kgroups_monitor_failed_logins_total " + failedLogins.get() + "\n"
                + "# HELP kgroups_monitor_unauthenticated_requests_total Requests to the monitor without credentials (401)\n"
                + "# TYPE kgroups_monitor_unauthenticated_requests_total counter\n"
                + "kgroups_monitor_unauthenticated_requests_total " + unauthenticated.get() + "\n";
    }

    /** Every JSON answer goes out in the one envelope of the contract (docs/schemas/api-*.schema.json). */
    private static void answer(Context ctx, String kind, Object data, List<String> warnings) {
        ctx.json(JsonEnvelope.of(kind, data, warnings));
    }

    /**
     * An answer whose data was made before (JSON bytes): the envelope of the contract, made now,
     * around them as they are, so a kept answer costs no JSON work.
     */
    private static void answerKept(Context ctx, String kind, byte[] data) {
        String envelope = ctx.jsonMapper().toJsonString(JsonEnvelope.of(kind, new RawValue("0"), List.of()),
                JsonEnvelope.class);
        // {"schemaVersion":1,"command":"...","time":"...","data":0,"warnings":[]}: the data goes where the 0 is.
        int at = envelope.lastIndexOf(",\"warnings\"");
        byte[] head = envelope.substring(0, at - 1).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] tail = envelope.substring(at).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] whole = new byte[head.length + data.length + tail.length];
        System.arraycopy(head, 0, whole, 0, head.length);
        System.arraycopy(data, 0, whole, head.length, data.length);
        System.arraycopy(tail, 0, whole, head.length + data.length, tail.length);
        ctx.contentType("application/json").result(whole);
    }

    private static void answer(Context ctx, String kind, Object data) {
        answer(ctx, kind, data, List.of());
    }

    /**
     * How fresh the figures are: the sample time (with the envelope's time, the server's clock: the
     * dashboard shows the age by these, not by the browser's clock), the interval (how often to
     * look), and lastError (that the cluster cannot be read, and why).
     */
    private Map<String, Object> status(List<ClusterSnapshot> snapshots) {
        LagMonitor first = watched.get(0).monitor(); // the same settings for every cluster: one command made them
        Map<String, Object> body = new LinkedHashMap<>();
        if (snapshots.size() == 1 && snapshots.get(0).cluster() == null) {
            freshness(body, snapshots.get(0).snapshot());
        } else {
            // Across clusters: the oldest sample, the worst run of failures, every error named by its cluster.
            long oldest = snapshots.stream().mapToLong(c -> c.snapshot().timeMs()).filter(t -> t > 0).min().orElse(0);
            body.put("lastSampleTime", oldest <= 0 ? null : JsonEnvelope.time(oldest));
            body.put("cycles", snapshots.stream().mapToLong(c -> c.snapshot().cycles()).sum());
            body.put("failedCycles", snapshots.stream().mapToLong(c -> c.snapshot().failedCycles()).sum());
            body.put("consecutiveFailures", snapshots.stream().mapToInt(c -> c.snapshot().consecutiveFailures()).max().orElse(0));
            List<String> errors = snapshots.stream().filter(c -> c.snapshot().lastError() != null)
                    .map(c -> "cluster " + c.cluster() + ": " + c.snapshot().lastError()).toList();
            body.put("lastError", errors.isEmpty() ? null : String.join("; ", errors));
            body.put("ready", notReady(snapshots) == null);
        }
        body.put("intervalSeconds", first.interval().toMillis() / 1000.0);
        // The rules say what a status means here: the window in commits, the lag allowed, when no progress is stopped.
        body.put("windowCommits", first.rules().commits());
        body.put("allowedLag", first.rules().allowedLag());
        body.put("stoppedAfterSeconds", first.rules().stoppedAfterMs() / 1000.0);
        if (snapshots.size() > 1 || snapshots.get(0).cluster() != null) {
            body.put("clusters", snapshots.stream().map(c -> {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("cluster", c.cluster());
                freshness(one, c.snapshot());
                one.put("groups", c.snapshot().groups().size());
                return one;
            }).toList());
        }
        return body;
    }

    /**
     * How fresh a cluster's figures are: the sample time (with the envelope's time, the server's
     * clock: the dashboard shows the age by these, not by the browser's clock), and lastError
     * (that the cluster cannot be read, and why).
     */
    private static void freshness(Map<String, Object> body, MonitorSnapshot snapshot) {
        body.put("lastSampleTime", snapshot.timeMs() <= 0 ? null : JsonEnvelope.time(snapshot.timeMs()));
        body.put("cycles", snapshot.cycles());
        body.put("failedCycles", snapshot.failedCycles());
        body.put("consecutiveFailures", snapshot.consecutiveFailures());
        body.put("lastError", snapshot.lastError());
        body.put("ready", notReady(snapshot) == null);
    }

    /** Cycles in a row that could not read the cluster before the monitor says it is not ready. */
    static final int UNREADY_AFTER_FAILURES = 3;

    /**
     * Why the monitor is not ready, in words; null when it is: a first cycle read the cluster, and
     * fewer than {@link #UNREADY_AFTER_FAILURES} cycles in a row since could not (one failed cycle
     * is a blip; several mean every figure served is getting old).
     */
    /**
     * Of several clusters: not ready only while none is; the answer names those that are not.
     * One cluster down does not take the monitor of the others out of service.
     */
    static String notReady(List<ClusterSnapshot> snapshots) {
        if (snapshots.size() == 1 && snapshots.get(0).cluster() == null) {
            return notReady(snapshots.get(0).snapshot());
        }
        List<String> why = new ArrayList<>();
        for (ClusterSnapshot c : snapshots) {
            String notReady = notReady(c.snapshot());
            if (notReady != null) {
                why.add("cluster " + c.cluster() + " " + notReady);
            }
        }
        return why.size() < snapshots.size() ? null : String.join("; ", why);
    }

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

    /** Where a group named in a request is: its cluster's monitor and the group as the last cycle saw it. */
    private record Found(Watched where, MonitorSnapshot snapshot, GroupStatus group) {
    }

    /**
     * The group of the request ({@code cluster=} says which cluster's, needed only where the name is
     * in several); null when it answered already: 400 without a name, 404 when no cluster has it.
     */
    private Found find(Context ctx, String group) {
        if (group == null || group.isEmpty()) {
            error(ctx, HttpStatus.BAD_REQUEST, "name the group: /api/group?name=GROUP");
            return null;
        }
        String cluster = ctx.queryParam("cluster");
        List<Found> found = new ArrayList<>();
        for (Watched w : watched) {
            if (cluster != null && !cluster.isEmpty() && !cluster.equals(w.cluster())) {
                continue;
            }
            MonitorSnapshot snapshot = w.monitor().snapshot();
            snapshot.group(group).ifPresent(g -> found.add(new Found(w, snapshot, g)));
        }
        if (found.isEmpty()) {
            notFound(ctx, group);
            return null;
        }
        if (found.size() > 1) {
            error(ctx, HttpStatus.BAD_REQUEST, "group '" + group + "' is in clusters " + String.join(", ",
                    found.stream().map(f -> f.where().cluster()).toList()) + ": add cluster=NAME");
            return null;
        }
        return found.get(0);
    }

    private void group(Context ctx, String group) {
        Found f = find(ctx, group);
        if (f != null) {
            answer(ctx, "api/group", detail(f.where().cluster(), f.group()));
        }
    }

    private void history(Context ctx, String group) {
        Found f = find(ctx, group);
        if (f == null) {
            return;
        }
        LagMonitor monitor = f.where().monitor();
        GroupStatus g = f.group();
        answer(ctx, "api/group/history", new GroupHistory(group, g.partitions().stream().map(p -> g.type().equals("share")
                ? shareHistory(monitor, f.snapshot(), group, p) : history(monitor, f.snapshot(), group, p)).toList()));
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
    /**
     * The members the group should have for its lag ({@link ScalingAdvice}), for an autoscaler:
     * {@code lagThreshold=RECORDS} or {@code lagSecondsThreshold=SECONDS}. 503 while its cluster
     * cannot be read, so that the autoscaler holds (KEDA: its fallback) rather than scale on old figures.
     */
    private void scaling(Context ctx, String group) {
        String records = ctx.queryParam("lagThreshold");
        String seconds = ctx.queryParam("lagSecondsThreshold");
        if ((records == null) == (seconds == null)) {
            error(ctx, HttpStatus.BAD_REQUEST, "give one of lagThreshold=RECORDS (the lag one member is to carry, as "
                    + "KEDA's Kafka scaler) or lagSecondsThreshold=SECONDS (the time lag to stay under)");
            return;
        }
        ScalingAdvice.Basis basis = records != null ? ScalingAdvice.Basis.RECORDS : ScalingAdvice.Basis.SECONDS;
        String given = records != null ? records : seconds;
        Found f = find(ctx, group);
        if (f == null) {
            return;
        }
        MonitorSnapshot snapshot = f.snapshot();
        if (snapshot.consecutiveFailures() > 0) {
            error(ctx, HttpStatus.SERVICE_UNAVAILABLE, (f.where().cluster() == null ? "the cluster" : "cluster "
                    + f.where().cluster()) + " could not be read in the last " + snapshot.consecutiveFailures()
                    + " cycle(s) (" + snapshot.lastError() + "): no advice on old figures");
            return;
        }
        ScalingAdvice advice;
        try {
            advice = ScalingAdvice.of(f.group(), basis, Double.parseDouble(given));
        } catch (NumberFormatException e) {
            error(ctx, HttpStatus.BAD_REQUEST, (records != null ? "lagThreshold" : "lagSecondsThreshold")
                    + " must be a positive number, was '" + given + "'");
            return;
        } catch (IllegalArgumentException e) {
            error(ctx, HttpStatus.BAD_REQUEST, e.getMessage());
            return;
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("group", advice.group());
        data.put("cluster", f.where().cluster());
        data.put("type", advice.type());
        data.put("basis", advice.basis().name().toLowerCase(java.util.Locale.ROOT));
        data.put("threshold", advice.threshold());
        data.put("replicas", advice.replicas());
        data.put("members", advice.members());
        data.put("partitions", advice.partitions());
        data.put("lag", advice.lag());
        data.put("consumableLag", advice.consumableLag());
        data.put("maxLagSeconds", advice.maxLagSeconds());
        data.put("stalledPartitions", advice.stalledPartitions());
        data.put("deletedUnread", advice.deletedUnread());
        data.put("lastSampleTime", f.group().lastSampleMs() == null ? null : JsonEnvelope.time(f.group().lastSampleMs()));
        data.put("reasoning", advice.reasoning());
        answer(ctx, "api/group/scaling", data);
    }

    private void resetPlan(Context ctx, String group) {
        Found f = find(ctx, group);
        if (f == null) {
            return;
        }
        LagMonitor monitor = f.where().monitor();
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
        long waitMs = resetPreviews.take();
        if (waitMs > 0) {
            long seconds = (waitMs + 999) / 1000;
            ctx.header("Retry-After", String.valueOf(seconds));
            error(ctx, HttpStatus.TOO_MANY_REQUESTS, "too many reset previews: " + resetPreviews.burst() + " at once, then one "
                    + "every " + resetPreviews.refill().toSeconds() + " s; try again in " + seconds + " s");
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
                onCluster(f.where().cluster(), spec.command(group, topics, false)),
                onCluster(f.where().cluster(), spec.command(group, topics, true))), plan.warnings());
    }

    /** A kgroups command line run against the named cluster (as is, where the monitor names none). */
    private static String onCluster(String cluster, String command) {
        // ResetSpec.command starts with "kgroups ": the cluster goes right after it.
        return cluster == null ? command
                : "kgroups --cluster " + ResetSpec.shellLine(List.of(cluster)) + command.substring("kgroups".length());
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
    private static Map<String, Object> summary(String cluster, GroupStatus g) {
        Map<String, Object> summary = new LinkedHashMap<>();
        if (cluster != null) {
            summary.put("cluster", cluster);
        }
        summary.put("group", g.group());
        summary.put("type", g.type());
        summary.put("state", g.state());
        summary.put("status", g.status());
        summary.put("members", g.members());
        summary.put("topics", g.partitions().stream().map(PartitionStatus::topic).distinct().sorted().toList());
        summary.put("totalLag", g.totalLag());
        summary.put("maxLagSeconds", g.maxLagSeconds());
        summary.put("reasons", g.reasons().size() <= SUMMARY_REASONS ? g.reasons() : summaryReasons(g));
        summary.put("lastSampleTime", JsonEnvelope.time(g.lastSampleMs()));
        return summary;
    }

    /**
     * Reasons a group in a list shows, at most: a group of 50 partitions that are each behind has
     * 50, and a page of 500 such groups would be mostly reasons. Its page has them all.
     */
    static final int SUMMARY_REASONS = 10;

    static List<String> summaryReasons(GroupStatus g) {
        List<String> shown = new ArrayList<>(g.reasons().subList(0, SUMMARY_REASONS - 1));
        shown.add("... and " + (g.reasons().size() - SUMMARY_REASONS + 1) + " more: /api/group?name="
                + java.net.URLEncoder.encode(g.group(), java.nio.charset.StandardCharsets.UTF_8) + " has them all");
        return shown;
    }

    /** A group in full: its summary (every reason), its partitions and its members (the partitions each holds). */
    private static Map<String, Object> detail(String cluster, GroupStatus g) {
        Map<String, Object> detail = summary(cluster, g);
        detail.put("reasons", g.reasons());
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
            partition.put("deletedUnread", p.deletedUnread());
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
        RebalanceWatch.Rebalances rebalances = g.rebalances();
        Map<String, Object> membership = new LinkedHashMap<>();
        membership.put("total", rebalances.total());
        membership.put("storm", rebalances.storm());
        membership.put("recent", rebalances.recent().stream().map(c -> {
            Map<String, Object> change = new LinkedHashMap<>();
            change.put("time", JsonEnvelope.time(c.timeMs()));
            change.put("rebalances", c.rebalances());
            change.put("joined", c.joined());
            change.put("left", c.left());
            change.put("epoch", c.epoch());
            return change;
        }).toList());
        detail.put("rebalances", membership);
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
        watched.forEach(w -> w.monitor().removeCycleListener(onCycle));
        app.stop();
    }
}
