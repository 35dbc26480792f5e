package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kgroups.admin.GroupAdmin;
import io.kgroups.monitor.LagMonitor;
import io.kgroups.monitor.MonitorServer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The monitor of `kgroups monitor` (its LagMonitor and MonitorServer) on one group, whose cycles
 * the test runs itself, so that what the API and /metrics serve is the cycle it just ran.
 * {@code --stopped-after 1s}: a group that makes no progress is STALLED or STOPPED a second on.
 */
final class MonitorProbe implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final GroupAdmin admin;
    private final LagMonitor monitor;
    private final MonitorServer server;
    private final String group;

    MonitorProbe(String bootstrap, String group) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        this.group = group;
        this.admin = GroupAdmin.create(props, Duration.ofSeconds(30));
        this.monitor = LagMonitor.builder(admin).include(Pattern.compile(Pattern.quote(group))).interval(Duration.ofMillis(200))
                .window(3).stoppedAfter(Duration.ofSeconds(1)).build();
        // Partition level: the tests read the partitions' own series.
        this.server = MonitorServer.builder(monitor).metrics(io.kgroups.monitor.PrometheusText.Granularity.PARTITION)
                .address("127.0.0.1", 0).start();
    }

    /** One sample-and-evaluate cycle; it must read the cluster. */
    MonitorProbe cycle() {
        long failed = monitor.snapshot().failedCycles();
        monitor.cycle();
        assertThat(monitor.snapshot().failedCycles()).as("the cycle failed: %s", monitor.lastFailure()).isEqualTo(failed);
        return this;
    }

    /** The group in /api/groups (valid by api-groups.schema.json). */
    JsonNode summary() throws Exception {
        for (JsonNode g : api("/api/groups", "api/groups").get("groups")) {
            if (g.get("group").asText().equals(group)) {
                return g;
            }
        }
        throw new AssertionError("no group " + group + " in /api/groups");
    }

    /** The group in /api/group?name= (valid by api-group.schema.json). */
    JsonNode detail() throws Exception {
        return api("/api/group?name=" + URLEncoder.encode(group, StandardCharsets.UTF_8), "api/group");
    }

    /** The data of an endpoint's answer, valid by the schema of its kind. */
    JsonNode api(String path, String kind) throws Exception {
        HttpResponse<String> response = get(path);
        assertThat(response.statusCode()).as("%s: %s", path, response.body()).isEqualTo(200);
        return JsonContract.valid(kind, response.body()).get("data");
    }

    String metrics() throws Exception {
        return get("/metrics").body();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        server.close();
        monitor.close();
        admin.close();
    }
}
