package io.kgroups.consumer.internal;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll thread's reads of the KafkaConsumer besides poll: positions, log-end offsets and
 * committed offsets. None of them may crash the loop or hold it up: a handler's
 * {@code wakeup()} can land in any of them, a position can be unknown (awaiting validation
 * after a leader change, or a reset) during an ordinary rolling restart. A position or log end
 * that is not known right now is -1; the caller tries again next time.
 */
final class ConsumerQueries {
    private static final Logger LOG = LoggerFactory.getLogger(ConsumerQueries.class);

    private final Consumer<byte[], byte[]> consumer;
    private final Clock clock;
    private final String group;

    ConsumerQueries(Consumer<byte[], byte[]> consumer, Clock clock, String group) {
        this.consumer = consumer;
        this.clock = clock;
        this.group = group;
    }

    /** The consumer's position in {@code tp} if it is known now (never waits), else -1. */
    long position(TopicPartition tp) {
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                return consumer.position(tp, Duration.ZERO);
            } catch (WakeupException e) {
                // a handler asked for attention; the wakeup is spent, ask once more
            } catch (InterruptException e) {
                throw e;
            } catch (KafkaException | IllegalStateException e) {
                return -1; // not known yet (TimeoutException), or no longer assigned
            }
        }
        return -1;
    }

    /** The log-end offset of {@code tp} (the last stable offset under read_committed), from the last fetch; -1 if not known. */
    long logEnd(TopicPartition tp, long position) {
        if (position < 0) {
            return -1;
        }
        try {
            var lag = consumer.currentLag(tp);
            return lag.isPresent() ? position + lag.getAsLong() : -1;
        } catch (InterruptException e) {
            throw e;
        } catch (KafkaException | IllegalStateException e) {
            return -1;
        }
    }

    /**
     * The group's committed offsets for {@code partitions}, waiting up to {@code timeout} (wakeups
     * do not end the wait); null when they cannot be read in time: only an optimisation is lost
     * (done offsets in the metadata), the records are handled again, at least once as always.
     */
    Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions, Duration timeout) {
        long deadline = clock.nanos() + timeout.toNanos();
        while (true) {
            long left = deadline - clock.nanos();
            try {
                return consumer.committed(partitions, Duration.ofNanos(Math.max(left, 1)));
            } catch (WakeupException e) {
                if (clock.nanos() >= deadline) {
                    return null;
                }
            } catch (InterruptException e) {
                throw e;
            } catch (KafkaException e) {
                LOG.atWarn().setMessage("offset_metadata_unread").addKeyValue("group", group)
                        .addKeyValue("partitions", partitions).addKeyValue("error", e.toString()).log();
                return null;
            }
        }
    }
}
