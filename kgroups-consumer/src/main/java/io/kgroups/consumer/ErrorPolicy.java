package io.kgroups.consumer;

import java.time.Duration;
import java.util.Objects;

/**
 * What happens when a handler throws (or a record cannot be deserialized): retries with
 * backoff, then one final action. Retries of a record hold back only its own partition.
 *
 * <pre>{@code
 * ErrorPolicy.retry(5, Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(10))).thenDeadLetter()
 * }</pre>
 *
 * A record that cannot be deserialized is not retried (it would fail the same way): it goes
 * straight to the final action, or to its own with {@link #unreadable(Action)}, e.g. bad input to
 * the dead-letter topic while a failing database stops the consumer:
 *
 * <pre>{@code
 * ErrorPolicy.retry(10, backoff).thenFail().unreadable(ErrorPolicy.Action.DEAD_LETTER)
 * }</pre>
 */
public final class ErrorPolicy {
    /** The final action once retries are spent. */
    public enum Action {
        /** Write the record to the dead-letter topic with the reason in headers; then it is done. */
        DEAD_LETTER,
        /** Stop the consumer without committing the record; health turns DOWN with the reason. */
        FAIL,
        /** Log it, count it, and go on: the record is done. */
        SKIP
    }

    private final int retries;
    private final Backoff backoff;
    private final Action action;
    private final String deadLetterTopic;
    private final Action unreadableAction;

    private ErrorPolicy(int retries, Backoff backoff, Action action, String deadLetterTopic, Action unreadableAction) {
        this.retries = retries;
        this.backoff = backoff;
        this.action = action;
        this.deadLetterTopic = deadLetterTopic;
        this.unreadableAction = unreadableAction;
    }

    /** Up to {@code retries} more attempts after the first, waiting {@code backoff} between them. */
    public static Retry retry(int retries, Backoff backoff) {
        if (retries < 0) {
            throw new IllegalArgumentException("errorPolicy: retries must not be negative, was " + retries);
        }
        return new Retry(retries, Objects.requireNonNull(backoff, "backoff"));
    }

    /** No retry: dead-letter at once to {@code <topic>.DLT}. */
    public static ErrorPolicy deadLetter() {
        return retry(0, Backoff.fixed(Duration.ZERO)).thenDeadLetter();
    }

    /** No retry: stop at once. */
    public static ErrorPolicy fail() {
        return retry(0, Backoff.fixed(Duration.ZERO)).thenFail();
    }

    /** No retry: skip at once. */
    public static ErrorPolicy skip() {
        return retry(0, Backoff.fixed(Duration.ZERO)).thenSkip();
    }

    /** The default: 3 retries from 200 ms up to 10 s, then stop (nothing is lost or skipped unseen). */
    public static ErrorPolicy defaultPolicy() {
        return retry(3, Backoff.exponential(Duration.ofMillis(200), Duration.ofSeconds(10))).thenFail();
    }

    public int retries() {
        return retries;
    }

    public Backoff backoff() {
        return backoff;
    }

    public Action action() {
        return action;
    }

    /**
     * This policy, with {@code action} for records that cannot be deserialized (instead of the
     * final action). Dead letters go to the same topic as the final action's.
     */
    public ErrorPolicy unreadable(Action action) {
        return new ErrorPolicy(retries, backoff, this.action, deadLetterTopic, Objects.requireNonNull(action, "action"));
    }

    /** What becomes of a record that cannot be deserialized. */
    public Action unreadableAction() {
        return unreadableAction;
    }

    /** The dead-letter topic for records of {@code topic}. */
    public String deadLetterTopic(String topic) {
        return deadLetterTopic != null ? deadLetterTopic : topic + ".DLT";
    }

    @Override
    public String toString() {
        return "retry(" + retries + ", " + backoff + ").then" + action
                + (deadLetterTopic == null ? "" : "(" + deadLetterTopic + ")")
                + (unreadableAction == action ? "" : ".unreadable(" + unreadableAction + ")");
    }

    /** The retry half of a policy; pick the final action. */
    public static final class Retry {
        private final int retries;
        private final Backoff backoff;

        private Retry(int retries, Backoff backoff) {
            this.retries = retries;
            this.backoff = backoff;
        }

        /** Then write it to {@code <topic>.DLT}. */
        public ErrorPolicy thenDeadLetter() {
            return new ErrorPolicy(retries, backoff, Action.DEAD_LETTER, null, Action.DEAD_LETTER);
        }

        /** Then write it to the named topic. */
        public ErrorPolicy thenDeadLetter(String topic) {
            if (topic == null || topic.isBlank()) {
                throw new IllegalArgumentException("errorPolicy: dead-letter topic must not be empty");
            }
            return new ErrorPolicy(retries, backoff, Action.DEAD_LETTER, topic, Action.DEAD_LETTER);
        }

        /** Then stop the consumer without committing it. */
        public ErrorPolicy thenFail() {
            return new ErrorPolicy(retries, backoff, Action.FAIL, null, Action.FAIL);
        }

        /** Then log, count and go on. */
        public ErrorPolicy thenSkip() {
            return new ErrorPolicy(retries, backoff, Action.SKIP, null, Action.SKIP);
        }
    }
}
