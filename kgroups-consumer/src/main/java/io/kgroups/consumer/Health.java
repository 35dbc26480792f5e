package io.kgroups.consumer;

import java.util.List;

/**
 * How the consumer is doing, from real signals: its poll loop, its membership, its handlers,
 * its commits and its lag. {@code reasons} says why, in words, whenever the status is not UP.
 */
public record Health(Status status, List<String> reasons) {
    public enum Status {
        /** Polling, a member, handlers finishing, commits going through. */
        UP,
        /** Working, but something needs a look: a stuck handler, failing commits, lag over the threshold. */
        DEGRADED,
        /** Not consuming: stopped, failed, or its poll loop stalled. */
        DOWN
    }

    public Health {
        reasons = List.copyOf(reasons);
    }

    public boolean isUp() {
        return status == Status.UP;
    }
}
