package io.kgroups.admin.internal;

import io.kgroups.admin.GroupAdminException;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.TopicAuthorizationException;

/** Waits for Admin results within the timeout and turns failures into one-line errors. */
public final class Calls {
    private final Duration timeout;
    private final String bootstrap;
    private final String principal;

    /** @param principal who the client authenticates as, for errors that say what to grant; null when not known */
    public Calls(Duration timeout, String bootstrap, String principal) {
        this.timeout = timeout;
        this.bootstrap = bootstrap;
        this.principal = principal;
    }

    public Duration timeout() {
        return timeout;
    }

    /**
     * @param needs the ACLs the call needs: a refusal then says which is missing and how to grant
     *     it (without: the resource Kafka names, and Describe)
     */
    public <T> T await(KafkaFuture<T> future, String what, Access... needs) {
        try {
            return future.get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GroupAdminException("interrupted while waiting to " + what, e);
        } catch (TimeoutException e) {
            throw timedOut(what, e);
        } catch (ExecutionException e) {
            throw translate(e.getCause(), what, needs);
        }
    }

    /** As {@link #await}, for a description of one group: null when the group does not exist. */
    public <T> T awaitGroup(KafkaFuture<T> future, String what, Access... needs) {
        try {
            return await(future, what, needs);
        } catch (GroupAdminException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return null;
            }
            throw e;
        }
    }

    /** The one-line error for a failed call; an authorization error says what to grant. */
    public GroupAdminException translate(Throwable cause, String what, Access... needs) {
        for (Throwable c = cause; c != null; c = c.getCause()) {
            if (c instanceof org.apache.kafka.common.errors.TimeoutException) {
                return timedOut(what, cause);
            }
        }
        if (cause instanceof GroupAuthorizationException e) {
            return new GroupAdminException(need(needs, "group", "Describe").denied(what, principal, bootstrap,
                    e.groupId() == null ? List.of() : List.of(e.groupId())), e);
        }
        if (cause instanceof TopicAuthorizationException e) {
            return new GroupAdminException(need(needs, "topic", "Describe").denied(what, principal, bootstrap,
                    List.copyOf(new TreeSet<>(e.unauthorizedTopics()))), e);
        }
        if (cause instanceof ClusterAuthorizationException e) {
            return new GroupAdminException(need(needs, "cluster", "Describe").denied(what, principal, bootstrap,
                    List.of()), e);
        }
        if (cause instanceof GroupAdminException e) {
            return e;
        }
        return new GroupAdminException("cannot " + what + ": " + cause.getMessage(), cause);
    }

    private static Access need(Access[] needs, String resourceType, String operation) {
        for (Access a : needs) {
            if (a.resourceType().equals(resourceType)) {
                return a;
            }
        }
        return new Access(operation, resourceType, List.of());
    }

    private GroupAdminException timedOut(String what, Throwable cause) {
        return new GroupAdminException("cannot reach Kafka at " + bootstrap + " within " + timeout.toSeconds() + "s (to "
                + what + "): check the bootstrap servers and that the cluster is up; security settings go in the client "
                + "properties (--command-config)", cause);
    }
}
