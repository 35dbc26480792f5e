package io.kgroups.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kgroups.monitor.GroupStatus;
import io.kgroups.monitor.PartitionStatus;
import io.kgroups.monitor.RebalanceWatch;
import io.kgroups.monitor.Status;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A running monitor's view of one group as the two looks of a watch, for {@code kgroups doctor
 * --monitor URL}: the last look is the group as the monitor last saw it ({@code /api/group}),
 * the first is its history ({@code /api/group/history}) at the latest time every partition's
 * window reaches back to, so the rates span the same time for every partition. A committed
 * offset there is the one of the window's last commit at or before that time (the window holds
 * every commit); a log-end offset between two samples is interpolated.
 */
final class MonitorReading {
    /** The two looks and their times (epoch ms). */
    record Looks(GroupStatus first, long firstMs, GroupStatus last, long lastMs) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final URI base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    /** @param token a bearer token of the monitor's --http-token-file; null when it takes none */
    MonitorReading(String url, String token) {
        URI uri;
        try {
            uri = URI.create(url.endsWith("/") ? url : url + "/");
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--monitor '" + url + "' is not a URL: give the monitor's address, e.g. "
                    + "http://127.0.0.1:8080");
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw CliException.usage("--monitor '" + url + "' is not an http(s) URL: give the monitor's address, e.g. "
                    + "http://127.0.0.1:8080");
        }
        this.base = uri;
        this.token = token;
    }

    Looks read(String group) {
        String name = URLEncoder.encode(group, StandardCharsets.UTF_8);
        JsonNode now = get("api/group?name=" + name);
        JsonNode history = get("api/group/history?name=" + name);
        GroupStatus last = status(now, now.path("partitions"));
        long lastMs = last.lastSampleMs() == null ? System.currentTimeMillis() : last.lastSampleMs();
        Map<String, JsonNode> samples = new HashMap<>();
        for (JsonNode p : history.path("partitions")) {
            JsonNode s = p.path("samples");
            if (!s.isEmpty()) {
                samples.put(p.path("topic").asText() + "-" + p.path("partition").asInt(), s);
            }
        }
        // The latest of the partitions' oldest samples: every partition's window reaches back to it.
        long firstMs = samples.values().stream().mapToLong(s -> time(s.get(0).path("time"))).max().orElse(lastMs);
        firstMs = Math.min(firstMs, lastMs);
        List<PartitionStatus> then = new ArrayList<>();
        for (PartitionStatus p : last.partitions()) {
            JsonNode s = samples.get(p.topic() + "-" + p.partition());
            if (s != null) {
                then.add(at(p, s, firstMs));
            }
        }
        GroupStatus first = new GroupStatus(last.group(), last.type(), last.state(), last.members(), last.status(), List.of(),
                then.stream().mapToLong(PartitionStatus::lagOrZero).sum(), null, then, last.memberDetails(), firstMs);
        return new Looks(first, firstMs, last, lastMs);
    }

    /** The partition at time {@code t} by its samples: the last commit at or before it, the log end interpolated. */
    private static PartitionStatus at(PartitionStatus p, JsonNode samples, long t) {
        int i = 0;
        while (i + 1 < samples.size() && time(samples.get(i + 1).path("time")) <= t) {
            i++;
        }
        JsonNode s = samples.get(i);
        long logEnd = s.path("logEndOffset").asLong();
        if (i + 1 < samples.size()) {
            JsonNode next = samples.get(i + 1);
            long t0 = time(s.path("time"));
            long t1 = time(next.path("time"));
            if (t1 > t0) {
                logEnd += Math.round((next.path("logEndOffset").asLong() - logEnd) * (double) (t - t0) / (t1 - t0));
            }
        }
        Long committed = longOrNull(s.path("committedOffset"));
        Long lag = longOrNull(s.path("lag"));
        if (lag != null) {
            lag += logEnd - s.path("logEndOffset").asLong();
        }
        return new PartitionStatus(p.topic(), p.partition(), committed, null, logEnd, lag, null, null, 0, Status.UNKNOWN,
                null, p.memberId(), t);
    }

    /** The group of /api/group's data. */
    private static GroupStatus status(JsonNode g, JsonNode partitions) {
        List<PartitionStatus> ps = new ArrayList<>();
        for (JsonNode p : partitions) {
            ps.add(new PartitionStatus(p.path("topic").asText(), p.path("partition").asInt(), longOrNull(p.path("committedOffset")),
                    longOrNull(p.path("startOffset")), longOrNull(p.path("logEndOffset")), longOrNull(p.path("lag")),
                    doubleOrNull(p.path("lagSeconds")), doubleOrNull(p.path("retentionSecondsLeft")),
                    p.path("deletedUnread").asLong(0), Status.valueOf(p.path("status").asText("UNKNOWN")),
                    textOrNull(p.path("reason")), textOrNull(p.path("memberId")), timeOrNull(p.path("lastSampleTime"))));
        }
        List<GroupStatus.Member> members = new ArrayList<>();
        for (JsonNode m : g.path("memberDetails")) {
            Map<String, List<Integer>> assignment = new LinkedHashMap<>();
            m.path("assignment").forEach(tp -> assignment.computeIfAbsent(tp.path("topic").asText(), k -> new ArrayList<>())
                    .add(tp.path("partition").asInt()));
            members.add(new GroupStatus.Member(m.path("memberId").asText(), textOrNull(m.path("groupInstanceId")),
                    m.path("clientId").asText(), m.path("host").asText(), assignment, null));
        }
        List<RebalanceWatch.Change> changes = new ArrayList<>();
        for (JsonNode c : g.path("rebalances").path("recent")) {
            changes.add(new RebalanceWatch.Change(time(c.path("time")), c.path("rebalances").asInt(), strings(c.path("joined")),
                    strings(c.path("left")), c.path("epoch").isNull() ? null : c.path("epoch").asInt()));
        }
        RebalanceWatch.Rebalances rebalances = new RebalanceWatch.Rebalances(g.path("rebalances").path("total").asLong(),
                changes, textOrNull(g.path("rebalances").path("storm")));
        return new GroupStatus(g.path("group").asText(), g.path("type").asText(), g.path("state").asText(),
                g.path("members").asInt(), Status.valueOf(g.path("status").asText("UNKNOWN")), strings(g.path("reasons")),
                g.path("totalLag").asLong(), doubleOrNull(g.path("maxLagSeconds")), ps, members,
                timeOrNull(g.path("lastSampleTime")), rebalances);
    }

    /** The data of an answer of the monitor; an error in one line, saying what to do. */
    private JsonNode get(String path) {
        URI uri = base.resolve(path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Accept", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw CliException.failed("cannot reach the monitor at " + base + ": " + ClusterConnection.rootMessage(e)
                    + ": is `kgroups monitor` running there?", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.failed("interrupted while reading the monitor at " + base, e);
        }
        if (response.statusCode() == 401) {
            throw CliException.failed("the monitor at " + base + " asks for credentials: give one of its tokens with "
                    + "--monitor-token-file FILE (or $" + MonitorAccess.TOKEN_ENV + ")", null);
        }
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            throw CliException.failed(uri + " answered " + response.statusCode() + ", not the monitor's JSON: is --monitor the "
                    + "address of `kgroups monitor`?", e);
        }
        if (response.statusCode() != 200) {
            String error = body.path("data").path("error").asText(body.path("error").asText("HTTP " + response.statusCode()));
            throw CliException.failed("the monitor at " + base + ": " + error, null);
        }
        return body.path("data");
    }

    private static long time(JsonNode text) {
        return Instant.parse(text.asText()).toEpochMilli();
    }

    private static Long timeOrNull(JsonNode text) {
        return text.isNull() || text.isMissingNode() ? null : time(text);
    }

    private static Long longOrNull(JsonNode n) {
        return n.isNull() || n.isMissingNode() ? null : n.asLong();
    }

    private static Double doubleOrNull(JsonNode n) {
        return n.isNull() || n.isMissingNode() ? null : n.asDouble();
    }

    private static String textOrNull(JsonNode n) {
        return n.isNull() || n.isMissingNode() ? null : n.asText();
    }

    private static List<String> strings(JsonNode array) {
        List<String> list = new ArrayList<>();
        array.forEach(n -> list.add(n.asText()));
        return list;
    }
}
