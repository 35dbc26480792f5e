package io.kgroups.monitor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells webhooks when a group's status changes: a JSON POST of group, old and new status,
 * reasons and lag to every URL. Sent from a thread of its own and retried with backoff (1 s, 2 s,
 * 4 s ...), so a slow or failing receiver never holds up the sampler.
 */
public final class WebhookNotifier implements LagMonitor.StatusListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookNotifier.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<URI> urls;
    private final int attempts;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "kgroups-monitor-webhooks");
        thread.setDaemon(true);
        return thread;
    });

    public WebhookNotifier(List<URI> urls, int attempts) {
        this.urls = List.copyOf(urls);
        this.attempts = attempts;
    }

    @Override
    public void statusChanged(GroupStatus group, Status previous) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("group", group.group());
        body.put("oldStatus", previous);
        body.put("newStatus", group.status());
        body.put("reasons", group.reasons());
        body.put("lag", group.totalLag());
        body.put("lagSeconds", group.maxLagSeconds());
        body.put("time", Instant.now().toString());
        String json;
        try {
            json = JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        for (URI url : urls) {
            sender.execute(() -> send(url, json, 1));
        }
    }

    private void send(URI url, String json, int attempt) {
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                    HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 == 2) {
                return;
            }
            retry(url, json, attempt, "HTTP " + response.statusCode());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            retry(url, json, attempt, e.toString());
        }
    }

    private void retry(URI url, String json, int attempt, String error) {
        if (attempt >= attempts) {
            LOG.atWarn().setMessage("webhook_failed").addKeyValue("url", url).addKeyValue("attempts", attempt)
                    .addKeyValue("error", error).log();
            return;
        }
        sender.schedule(() -> send(url, json, attempt + 1), 1L << (attempt - 1), TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        sender.shutdownNow();
    }
}
