package io.kgroups.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.junit.jupiter.api.Test;

/**
 * The poll thread's reads never crash the loop nor hold it up. Before, the lag refresh called
 * {@code position()} and {@code currentLag()} bare: during an ordinary rolling restart a position
 * awaiting validation blocked, and a handler's wakeup or a timeout came out as "poll loop crashed",
 * state FAILED; and the retry of {@code committed()} after a wakeup was outside its try.
 */
class ConsumerQueriesTest {
    private static final TopicPartition TP = new TopicPartition("orders", 0);

    /** Throws what it is told, in turn, then answers. */
    static final class Throwing extends MockConsumer<byte[], byte[]> {
        final ArrayDeque<RuntimeException> position = new ArrayDeque<>();
        final ArrayDeque<RuntimeException> committed = new ArrayDeque<>();
        final ArrayDeque<RuntimeException> lag = new ArrayDeque<>();
        Duration positionTimeout;

        Throwing() {
            super("earliest");
        }

        @Override
        public synchronized long position(TopicPartition partition, Duration timeout) {
            positionTimeout = timeout;
            if (!position.isEmpty()) {
                throw position.poll();
            }
            return 42;
        }

        @Override
        public synchronized Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions, Duration timeout) {
            if (!committed.isEmpty()) {
                throw committed.poll();
            }
            return Map.of(TP, new OffsetAndMetadata(40));
        }

        @Override
        public OptionalLong currentLag(TopicPartition partition) {
            if (!lag.isEmpty()) {
                throw lag.poll();
            }
            return OptionalLong.of(8);
        }
    }

    private final Throwing consumer = new Throwing();
    private final CommitterTest.ManualClock clock = new CommitterTest.ManualClock();
    private final ConsumerQueries queries = new ConsumerQueries(consumer, clock, "g");

    @Test
    void aPositionIsReadWithoutWaiting() {
        assertThat(queries.position(TP)).isEqualTo(42);
        assertThat(consumer.positionTimeout).isEqualTo(Duration.ZERO);
    }

    @Test
    void aWakeupInAPositionReadIsSpentAndTheReadTriedAgain() {
        consumer.position.add(new WakeupException());
        assertThat(queries.position(TP)).isEqualTo(42);
    }

    @Test
    void aPositionNotKnownYetIsMinusOne() {
        consumer.position.addAll(List.of(new TimeoutException("awaiting validation after a leader change")));
        assertThat(queries.position(TP)).isEqualTo(-1);
        consumer.position.addAll(List.of(new WakeupException(), new WakeupException()));
        assertThat(queries.position(TP)).isEqualTo(-1);
        consumer.position.add(new IllegalStateException("not assigned any more"));
        assertThat(queries.position(TP)).isEqualTo(-1);
    }

    @Test
    void theLogEndIsThePositionPlusTheLagOrMinusOne() {
        assertThat(queries.logEnd(TP, 42)).isEqualTo(50);
        assertThat(queries.logEnd(TP, -1)).isEqualTo(-1);
        consumer.lag.add(new IllegalStateException("not assigned any more"));
        assertThat(queries.logEnd(TP, 42)).isEqualTo(-1);
    }

    @Test
    void wakeupsDoNotEndTheReadOfCommittedOffsets() {
        consumer.committed.addAll(List.of(new WakeupException(), new WakeupException()));
        assertThat(queries.committed(Set.of(TP), Duration.ofSeconds(5))).containsEntry(TP, new OffsetAndMetadata(40));
    }

    @Test
    void committedOffsetsThatCannotBeReadAreNullNotAnEmptyMap() {
        // "Nothing committed" and "could not read" differ: the first may commit its position at once,
        // the second must not (it would drop the committed offset's leader epoch).
        consumer.committed.add(new TimeoutException("coordinator not available"));
        assertThat(queries.committed(Set.of(TP), Duration.ofSeconds(5))).isNull();
    }
}
