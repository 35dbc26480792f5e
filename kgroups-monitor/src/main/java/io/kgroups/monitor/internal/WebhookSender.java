package io.kgroups.monitor.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kgroups.monitor.GroupStatus;
import io.kgroups.monitor.JsonEnvelope;
import io.kgroups.monitor.Status;
import io.kgroups.monitor.WebhookNotifier;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One webhook receiver: the changes waiting for it, at most one per group (a newer change of a
 * group replaces the waiting one, which keeps its old status: the newest status wins, and a group
 * back where the receiver last knew it is not posted at all), at most {@code maxPending} groups
 * (beyond, the oldest waiting change is dropped), and the thread that posts them one at a time,
 * each attempt cut at {@code timeout}. A failed change waits for its retry (1 s, 2 s, 4 s ...)
 * behind the changes of other groups, never in front of them; a newer change of its own group
 * takes its place. So a receiver that hangs delays the next change by one timeout at most, and
 * the changes of one group arrive in order.
 */
public final class WebhookSender implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_BACKOFF_MS = 30_000;

    /** A change as the receiver will be told of it: from {@code oldStatus} to the newest status. */
    private record Change(Status oldStatus, GroupStatus newest, Instant time, int attempts, long notBeforeNanos) {
        Change retried(long notBeforeNanos) {
            return new Change(oldStatus, newest, time, attempts + 1, notBeforeNanos);
        }
    }

    private final URI url;
    private final String label;
    private final int attempts;
    private final Duration timeout;
    private final int maxPending;
    private final HttpClient http;
    private final Thread thread;
    private final Map<String, Change> pending = new LinkedHashMap<>();
    private boolean closed;
    private final String cluster;
    private long sent;
    private long failed;
    private long dropped;
    private long coalesced;

    /** @param cluster the named cluster whose changes these are (in the body); null when the monitor names none */
    public WebhookSender(URI url, int attempts, Duration timeout, int maxPending, String cluster) {
        if (attempts < 1 || maxPending < 1 || timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("webhook attempts, pending and timeout must be positive, were " + attempts
                    + ", " + maxPending + ", " + timeout);
        }
        this.url = url;
        this.cluster = cluster;
        this.label = withoutSecrets(url);
        this.attempts = attempts;
        this.timeout = timeout;
        this.maxPending = maxPending;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
        this.thread = new Thread(this::run, "kgroups-webhook " + label);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * The URL without user-info, query or fragment, where tokens live: safe for metric labels and
     * logs.
     */
    public static String withoutSecrets(URI url) {
        try {
            return new URI(url.getScheme(), null, url.getHost(), url.getPort(), url.getPath(), null, null).toString();
        } catch (URISyntaxException e) {
            return url.getScheme() + "://" + url.getHost();
        }
    }

    /** The group went from {@code previous} to {@code group.status()}; never blocks. */
    public synchronized void offer(GroupStatus group, Status previous, Instant time) {
        Change waiting = pending.get(group.group());
        if (waiting != null) {
            coalesced++;
            if (waiting.oldStatus() == group.status()) {
                pending.remove(group.group()); // back where the receiver last knew it: nothing to tell
            } else {
                pending.put(group.group(), new Change(waiting.oldStatus(), group, time, 0, waiting.notBeforeNanos()));
            }
            return;
        }
        queue(group.group(), new Change(previous, group, time, 0, System.nanoTime()));
        notifyAll();
    }

    public synchronized WebhookNotifier.Delivery delivery() {
        return new WebhookNotifier.Delivery(label, sent, failed, dropped, coalesced, pending.size());
    }

    private void queue(String group, Change change) {
        if (pending.size() >= maxPending) {
            Iterator<Map.Entry<String, Change>> oldest = pending.entrySet().iterator();
            String lost = oldest.next().getKey();
            oldest.remove();
            dropped++;
            if (Long.bitCount(dropped) == 1) { // 1, 2, 4, 8 ...: the metric counts every one
                LOG.atWarn().setMessage("webhook_dropped").addKeyValue("url", label).addKeyValue("group", lost)
                        .addKeyValue("dropped", dropped).addKeyValue("maxPending", maxPending).log();
            }
        }
        pending.put(group, change);
    }

    private void run() {
        while (true) {
            Map.Entry<String, Change> next;
            try {
                next = takeDue();
            } catch (InterruptedException e) {
                return;
            }
            if (next == null) {
                return;
            }
            String error = post(next.getValue());
            done(next.getKey(), next.getValue(), error);
        }
    }

    /** The oldest change that is due, taken out of the queue; null once closed. */
    private synchronized Map.Entry<String, Change> takeDue() throws InterruptedException {
        while (!closed) {
            long now = System.nanoTime();
            long waitNanos = Long.MAX_VALUE;
            for (Iterator<Map.Entry<String, Change>> it = pending.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, Change> e = it.next();
                long due = e.getValue().notBeforeNanos() - now;
                if (due <= 0) {
                    it.remove();
                    return Map.entry(e.getKey(), e.getValue());
                }
                waitNanos = Math.min(waitNanos, due);
            }
            if (waitNanos == Long.MAX_VALUE) {
                wait();
            } else {
                wait(Math.max(1, waitNanos / 1_000_000));
            }
        }
        return null;
    }

    /** null when the receiver took it, else what went wrong. */
    private String post(Change change) {
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(url).timeout(timeout)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json(change)))
                    .build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() / 100 == 2 ? null : "HTTP " + response.statusCode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (Exception e) {
            return e.toString();
        }
    }

    private synchronized void done(String group, Change change, String error) {
        if (error == null) {
            sent++;
            return;
        }
        Change newer = pending.get(group);
        if (newer != null) {
            // The receiver may not have this one: the newer change starts where this one did.
            coalesced++;
            if (newer.oldStatus() != change.oldStatus()) {
                if (change.oldStatus() == newer.newest().status()) {
                    pending.remove(group);
                } else {
                    pending.put(group, new Change(change.oldStatus(), newer.newest(), newer.time(), newer.attempts(),
                            newer.notBeforeNanos()));
                }
            }
            return;
        }
        int attempt = change.attempts() + 1;
        if (attempt >= attempts || closed) {
            failed++;
            LOG.atWarn().setMessage("webhook_failed").addKeyValue("url", label).addKeyValue("group", group)
                    .addKeyValue("attempts", attempt).addKeyValue("error", error).log();
            return;
        }
        long backoffMs = Math.min(MAX_BACKOFF_MS, 1_000L << Math.min(20, attempt - 1));
        queue(group, change.retried(System.nanoTime() + backoffMs * 1_000_000));
    }

    /** The body: the output contract's envelope (docs/schemas/webhook.schema.json), its time the change's. */
    private String json(Change change) throws JsonProcessingException {
        Map<String, Object> data = new LinkedHashMap<>();
        if (cluster != null) {
            data.put("cluster", cluster);
        }
        data.put("group", change.newest().group());
        data.put("type", change.newest().type());
        data.put("oldStatus", change.oldStatus());
        data.put("newStatus", change.newest().status());
        data.put("reasons", change.newest().reasons());
        data.put("totalLag", change.newest().totalLag());
        data.put("maxLagSeconds", change.newest().maxLagSeconds());
        return JSON.writeValueAsString(new JsonEnvelope(JsonEnvelope.SCHEMA_VERSION, "webhook",
                change.time().truncatedTo(ChronoUnit.MILLIS).toString(), data, List.of()));
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        thread.interrupt();
    }
}
