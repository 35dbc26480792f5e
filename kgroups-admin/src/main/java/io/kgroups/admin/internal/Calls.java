package io.kgroups.admin.internal;

import io.kgroups.admin.GroupAdminException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.TopicAuthorizationException;

/** Waits for Admin results within the timeout and turns failures into one-line errors. */
public final class Calls {
    private final Duration timeout;
    private final String bootstrap;

    public Calls(Duration timeout, String bootstrap) {
        this.timeout = timeout;
        this.bootstrap = bootstrap;
    }

    public Duration timeout() {
        return timeout;
    }

    public <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GroupAdminException("interrupted while waiting to " + what, e);
        } catch (TimeoutException e) {
            throw timedOut(what, e);
        } catch (ExecutionException e) {
            throw translate(e.getCause(), what);
        }
    }

    /** As {@link #await}, for a description of one group: null when the group does not exist. */
    public <T> T awaitGroup(KafkaFuture<T> future, String what) {
        try {
            return await(future, what);
        } catch (GroupAdminException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return null;
            }
            throw e;
        }
    }

    /** The one-line error for a failed call. */
    public GroupAdminException translate(Throwable cause, String what) {
        for (Throwable c = cause; c != null; c = c.getCause()) {
            if (c instanceof org.apache.kafka.common.errors.TimeoutException) {
                return timedOut(what, cause);
            }
        }
        if (cause instanceof GroupAuthorizationException e) {
            return new GroupAdminException("not authorized to " + what + " (" + e.getMessage()
                    + "): ask for DESCRIBE/READ on the group, or use a principal that has it", e);
        }
        if (cause instanceof TopicAuthorizationException e) {
            return new GroupAdminException("not authorized to " + what + " on topics " + e.unauthorizedTopics()
                    + ": ask for DESCRIBE on those topics", e);
        }
        if (cause instanceof GroupAdminException e) {
            return e;
        }
        return new GroupAdminException("cannot " + what + ": " + cause.getMessage(), cause);
    }

    private GroupAdminException timedOut(String what, Throwable cause) {
        return new GroupAdminException("cannot reach Kafka at " + bootstrap + " within " + timeout.toSeconds() + "s (to "
                + what + "): check the bootstrap servers and that the cluster is up; security settings go in the client "
                + "properties (--command-config)", cause);
    }
}
