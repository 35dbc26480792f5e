package io.kgroups.monitor;

import io.kgroups.monitor.internal.WebhookSender;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Tells webhooks when a group's status changes: a JSON POST of group, old and new status,
 * reasons, lag and time to every URL. Each receiver has a queue of its own, bounded, with at most
 * one waiting change per group (the newest status wins; changes of one group arrive in order),
 * posted from a thread of its own with a short timeout per attempt and retried with backoff
 * (1 s, 2 s, 4 s ...): a slow, failing or hung receiver never holds up the sampler, the other
 * receivers, or for longer than one timeout the changes of other groups. What was sent, failed,
 * dropped and coalesced is counted per receiver ({@link #deliveries()}, in /metrics).
 */
public final class WebhookNotifier implements LagMonitor.StatusListener, AutoCloseable {
    /** Per attempt, connecting included. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    /** Groups with a change waiting, per receiver. */
    public static final int DEFAULT_MAX_PENDING = 1_000;

    /**
     * What became of the changes for one receiver.
     *
     * @param url the receiver without user-info or query string (no secrets in labels)
     * @param sent changes the receiver took (HTTP 2xx)
     * @param failed changes given up after all attempts
     * @param dropped changes dropped because the queue was full (the oldest waiting goes)
     * @param coalesced changes replaced by a newer change of the same group before they were sent
     * @param pending changes waiting now
     */
    public record Delivery(String url, long sent, long failed, long dropped, long coalesced, int pending) {
    }

    private final List<WebhookSender> senders;
    private final String cluster;

    public WebhookNotifier(List<URI> urls, int attempts) {
        this(urls, attempts, DEFAULT_TIMEOUT, DEFAULT_MAX_PENDING, null);
    }

    /** The changes of the named cluster's monitor: {@code cluster} in each body and on its counters in /metrics. */
    public WebhookNotifier(List<URI> urls, int attempts, String cluster) {
        this(urls, attempts, DEFAULT_TIMEOUT, DEFAULT_MAX_PENDING, cluster);
    }

    public WebhookNotifier(List<URI> urls, int attempts, Duration timeout, int maxPending) {
        this(urls, attempts, timeout, maxPending, null);
    }

    /**
     * @param attempts tries per change (1: no retry)
     * @param timeout per attempt
     * @param maxPending groups with a change waiting, per receiver; beyond, the oldest is dropped
     * @param cluster the named cluster whose monitor this listens to; null when it names none
     */
    public WebhookNotifier(List<URI> urls, int attempts, Duration timeout, int maxPending, String cluster) {
        this.cluster = cluster;
        this.senders = urls.stream().map(u -> new WebhookSender(u, attempts, timeout, maxPending, cluster)).toList();
    }

    /** The named cluster whose changes these are; null when the monitor names none. */
    public String cluster() {
        return cluster;
    }

    @Override
    public void statusChanged(GroupStatus group, Status previous) {
        Instant now = Instant.now();
        senders.forEach(s -> s.offer(group, previous, now));
    }

    public List<Delivery> deliveries() {
        return senders.stream().map(WebhookSender::delivery).toList();
    }

    @Override
    public void close() {
        senders.forEach(WebhookSender::close);
    }
}
