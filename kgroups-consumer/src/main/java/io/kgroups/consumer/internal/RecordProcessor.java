package io.kgroups.consumer.internal;

import io.kgroups.consumer.ErrorPolicy;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the user's handler on a fetched record: deserializes it (here, not in the
 * KafkaConsumer, so that a poison pill follows the error policy instead of wedging the poll
 * loop), calls the handler, and applies the error policy when it throws.
 *
 * <p>Every throwable from a deserializer, a handler or the dead-letter write goes to the error
 * policy, errors included (a {@code StackOverflowError} from a deeply nested payload, a
 * {@code LinkageError} from a missing class), except the {@linkplain #fatal fatal} ones: those
 * propagate, and the lane fails the consumer with them.
 */
final class RecordProcessor<K, V> {
    private static final Logger LOG = LoggerFactory.getLogger(RecordProcessor.class);

    /** What became of an attempt. */
    /**
     * @param doneBefore of a RETRY of a batch gone record by record: how many of its first records
     *     are done (the retry is of the rest)
     */
    record Outcome(Kind kind, long retryDelayMs, String reason, Throwable cause, int doneBefore) {
        enum Kind { DONE, RETRY, EXHAUSTED, FAIL }

        static final Outcome DONE = new Outcome(Kind.DONE, 0, null, null);
        static final Outcome EXHAUSTED = new Outcome(Kind.EXHAUSTED, 0, null, null);

        Outcome(Kind kind, long retryDelayMs, String reason, Throwable cause) {
            this(kind, retryDelayMs, reason, cause, 0);
        }

        Outcome afterDone(int done) {
            return new Outcome(kind, retryDelayMs, reason, cause, done);
        }
    }

    private final Handling<K, V> settings;
    private final ConsumerMetrics metrics;
    private final DeadLetterSink deadLetters;
    private final DeadLetterLog deadLetterLog;

    RecordProcessor(Handling<K, V> settings, ConsumerMetrics metrics, DeadLetterSink deadLetters, DeadLetterLog deadLetterLog) {
        this.settings = settings;
        this.metrics = metrics;
        this.deadLetters = deadLetters;
        this.deadLetterLog = deadLetterLog;
    }

    /**
     * Errors after which this JVM cannot be trusted to go on: out of memory, internal errors.
     * A {@code StackOverflowError} is not one of them: its stack has unwound by the time it is
     * caught, and it comes from one input (a deeply nested payload), like an exception.
     */
    static boolean fatal(Throwable error) {
        return error instanceof VirtualMachineError && !(error instanceof StackOverflowError);
    }

    /** Rethrows {@code error} when it is fatal, so that it is never taken for a handler failure. */
    private static void rethrowFatal(Throwable error) {
        if (fatal(error)) {
            throw (VirtualMachineError) error;
        }
    }

    /** The counts of a topic, for a lane to keep (one map lookup per lane, not per record). */
    ConsumerMetrics.TopicCounts counts(String topic) {
        return metrics.topic(topic);
    }

    /** Attempt {@code attempt} (1 for the first) of one record with the record handler. */
    Outcome handleRecord(ConsumerRecord<byte[], byte[]> raw, int attempt, ConsumerMetrics.TopicCounts counts) {
        ConsumerRecord<K, V> record;
        try {
            record = deserialize(raw);
        } catch (Throwable e) {
            rethrowFatal(e);
            counts.failed.increment();
            return unreadable(raw, e, attempt, counts);
        }
        long start = System.nanoTime();
        try {
            settings.recordHandler().handle(record);
        } catch (Throwable e) {
            rethrowFatal(e);
            counts.failed.increment();
            return afterFailure(raw, e, attempt, counts);
        }
        counts.processed(System.nanoTime() - start, raw.timestamp());
        return Outcome.DONE;
    }

    /**
     * Attempt {@code attempt} of a batch with the batch handler. EXHAUSTED when its retries are
     * spent, or when a record of it cannot be deserialized: the caller then goes record by record.
     */
    Outcome handleBatch(List<ConsumerRecord<byte[], byte[]>> raws, int attempt, ConsumerMetrics.TopicCounts counts) {
        List<ConsumerRecord<K, V>> records = new ArrayList<>(raws.size());
        try {
            for (ConsumerRecord<byte[], byte[]> raw : raws) {
                records.add(deserialize(raw));
            }
        } catch (Throwable e) {
            rethrowFatal(e);
            return Outcome.EXHAUSTED;
        }
        long start = System.nanoTime();
        try {
            settings.batchHandler().handle(records);
        } catch (Throwable e) {
            rethrowFatal(e);
            counts.failed.increment();
            if (attempt <= settings.errorPolicy().retries()) {
                counts.retried.increment();
                log("processing_failed", raws.get(0), e, attempt, "retry");
                return new Outcome(Outcome.Kind.RETRY, settings.errorPolicy().backoff().delayMs(attempt), null, e);
            }
            return Outcome.EXHAUSTED;
        }
        long perRecord = (System.nanoTime() - start) / raws.size();
        for (ConsumerRecord<byte[], byte[]> raw : raws) {
            counts.processed(perRecord, raw.timestamp());
        }
        return Outcome.DONE;
    }

    /**
     * One record of a batch gone record by record, alone, at attempt {@code attempt} of the
     * batch. Retries left (the batch went record by record for a record it could not
     * deserialize, not for its retries): a failure is retried, as any record's is — a database
     * blip during that pass must not fail the consumer at once. Retries spent: the final action.
     */
    Outcome handleAlone(ConsumerRecord<byte[], byte[]> raw, int attempt, ConsumerMetrics.TopicCounts counts) {
        ConsumerRecord<K, V> record;
        try {
            record = deserialize(raw);
        } catch (Throwable e) {
            rethrowFatal(e);
            counts.failed.increment();
            return unreadable(raw, e, 1, counts);
        }
        long start = System.nanoTime();
        try {
            settings.batchHandler().handle(List.of(record));
        } catch (Throwable e) {
            rethrowFatal(e);
            counts.failed.increment();
            // Spent: this alone try came after the batch's last one.
            return attempt <= settings.errorPolicy().retries() ? afterFailure(raw, e, attempt, counts)
                    : finalAction(raw, e, attempt + 1, counts, settings.errorPolicy().action());
        }
        counts.processed(System.nanoTime() - start, raw.timestamp());
        return Outcome.DONE;
    }

    private Outcome afterFailure(ConsumerRecord<byte[], byte[]> raw, Throwable error, int attempt,
            ConsumerMetrics.TopicCounts counts) {
        ErrorPolicy policy = settings.errorPolicy();
        if (attempt <= policy.retries()) {
            counts.retried.increment();
            log("processing_failed", raw, error, attempt, "retry");
            return new Outcome(Outcome.Kind.RETRY, policy.backoff().delayMs(attempt), null, error);
        }
        return finalAction(raw, error, attempt, counts, policy.action());
    }

    private Outcome unreadable(ConsumerRecord<byte[], byte[]> raw, Throwable e, int attempts,
            ConsumerMetrics.TopicCounts counts) {
        return finalAction(raw, new SerializationException("cannot deserialize " + where(raw) + ": " + e, e), attempts,
                counts, settings.errorPolicy().unreadableAction());
    }

    private Outcome finalAction(ConsumerRecord<byte[], byte[]> raw, Throwable error, int attempts,
            ConsumerMetrics.TopicCounts counts, ErrorPolicy.Action action) {
        ErrorPolicy policy = settings.errorPolicy();
        switch (action) {
            case SKIP -> {
                log("processing_failed", raw, error, attempts, "skip");
                counts.skipped.increment();
                return Outcome.DONE;
            }
            case DEAD_LETTER -> {
                String topic = policy.deadLetterTopic(raw.topic());
                try {
                    deadLetters.publish(topic, raw, error, attempts);
                } catch (Throwable e) {
                    rethrowFatal(e);
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                    }
                    return new Outcome(Outcome.Kind.FAIL, 0, "cannot write " + where(raw) + " to dead-letter topic "
                            + topic + ": " + e + "; the record was not committed", e);
                }
                counts.deadLettered.increment();
                deadLetterLog.deadLettered(where(raw), topic, attempts, error.toString());
                return Outcome.DONE;
            }
            default -> {
                log("processing_failed", raw, error, attempts, "fail");
                return new Outcome(Outcome.Kind.FAIL, 0, "handler failed on " + where(raw) + " after " + attempts
                        + " attempt(s): " + error + "; stopped without committing it (error policy: fail)", error);
            }
        }
    }

    private void log(String event, ConsumerRecord<byte[], byte[]> raw, Throwable error, int attempt, String next) {
        LOG.atWarn().setMessage(event).addKeyValue("group", settings.groupId()).addKeyValue("record", where(raw))
                .addKeyValue("attempt", attempt).addKeyValue("next", next).addKeyValue("error", error.toString()).log();
    }

    static String where(ConsumerRecord<?, ?> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }

    private ConsumerRecord<K, V> deserialize(ConsumerRecord<byte[], byte[]> raw) {
        K key = settings.keyDeserializer().deserialize(raw.topic(), raw.headers(), raw.key());
        V value = settings.valueDeserializer().deserialize(raw.topic(), raw.headers(), raw.value());
        return new ConsumerRecord<>(raw.topic(), raw.partition(), raw.offset(), raw.timestamp(), raw.timestampType(),
                raw.serializedKeySize(), raw.serializedValueSize(), key, value, raw.headers(), raw.leaderEpoch(), raw.deliveryCount());
    }
}
