package io.kgroups.consumer.internal;

import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Dead letters in the log at a bounded rate: the first {@value #FIRST} a line each, then at most
 * one line per {@value #INTERVAL_SECONDS} s saying how many more there were and the last one's
 * record and reason. A producer that gets a field wrong sends thousands; one line each would bury
 * everything else. The exact count is in the consumer's stats and meters.
 */
final class DeadLetterLog {
    static final int FIRST = 10;
    static final long INTERVAL_SECONDS = 30;
    private static final long INTERVAL_NANOS = INTERVAL_SECONDS * 1_000_000_000L;
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterLog.class);

    private final String group;
    private final LongSupplier nanos;
    private int logged;                  // guarded by this
    private long lastLineNanos;          // guarded by this
    private volatile long unlogged;      // written under this; read without it by flushDue's fast path
    private String lastRecord;           // guarded by this
    private String lastTopic;            // guarded by this
    private String lastError;            // guarded by this

    DeadLetterLog(String group, LongSupplier nanos) {
        this.group = group;
        this.nanos = nanos;
    }

    /** A record was written to {@code topic} after {@code attempts}, for {@code error}. Handler threads. */
    synchronized void deadLettered(String record, String topic, int attempts, String error) {
        long now = nanos.getAsLong();
        if (logged < FIRST) {
            logged++;
            lastLineNanos = now;
            LoggingEventBuilder line = LOG.atWarn().setMessage("dead_lettered").addKeyValue("group", group).addKeyValue("record", record)
                    .addKeyValue("dead_letter_topic", topic).addKeyValue("attempts", attempts).addKeyValue("error", error);
            if (logged == FIRST) {
                line = line.addKeyValue("next", "one line per " + INTERVAL_SECONDS + "s with the count");
            }
            line.log();
            return;
        }
        unlogged++;
        lastRecord = record;
        lastTopic = topic;
        lastError = error;
        if (now - lastLineNanos >= INTERVAL_NANOS) {
            logMore(now);
        }
    }

    /** The count of those not logged yet, once an interval has passed since the last line. Poll thread, every turn. */
    void flushDue() {
        if (unlogged > 0) {
            synchronized (this) {
                long now = nanos.getAsLong();
                if (unlogged > 0 && now - lastLineNanos >= INTERVAL_NANOS) {
                    logMore(now);
                }
            }
        }
    }

    /** The count of those not logged yet, now (the consumer stops). */
    synchronized void flush() {
        if (unlogged > 0) {
            logMore(nanos.getAsLong());
        }
    }

    private void logMore(long now) {
        LOG.atWarn().setMessage("dead_lettered_more").addKeyValue("group", group).addKeyValue("count", unlogged)
                .addKeyValue("seconds", (now - lastLineNanos) / 1_000_000_000L).addKeyValue("dead_letter_topic", lastTopic)
                .addKeyValue("last_record", lastRecord).addKeyValue("last_error", lastError).log();
        unlogged = 0;
        lastLineNanos = now;
    }
}
