package io.kgroups.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * More partitions (or keys) than handler slots, a backlog: every one starts soon and gets its
 * share. Before the fair scheduler a lane kept its slot until its queue was empty: with 20
 * partitions × 2,000 records, concurrency 4 and a 2 ms handler the last partitions started 16.7 s
 * after the first, after some 30,000 records; with records arriving steadily they never started.
 *
 * <p>What is asserted does not depend on the machine's speed: how much of the backlog was handled
 * before the last one started (a chain gives its slot back after at most 100 records or 20 ms).
 * The times are printed, for the record.
 */
class FairnessTest extends SharedKafkaTest {
    private static final int PARTITIONS = 20;
    private static final int PER_PARTITION = 2_000;
    private static final int SLOTS = 4;

    /** When each partition or key got its first handler call, and how many records were handled before it. */
    static final class FirstStarts {
        final long begin = System.nanoTime();
        final Map<String, Long> nanos = new ConcurrentHashMap<>();
        final Map<String, Long> handledBefore = new ConcurrentHashMap<>();
        final AtomicLong handled = new AtomicLong();

        void started(String which) {
            if (!nanos.containsKey(which)) {
                handledBefore.putIfAbsent(which, handled.get());
                nanos.putIfAbsent(which, System.nanoTime());
            }
        }

        String report(String what) {
            List<Long> ms = new ArrayList<>();
            long first = Collections.min(nanos.values());
            for (long n : nanos.values()) {
                ms.add((n - first) / 1_000_000);
            }
            Collections.sort(ms);
            return what + ": all " + nanos.size() + " started; the last " + ms.get(ms.size() - 1) + " ms after the first (median "
                    + ms.get(ms.size() / 2) + " ms), after " + Collections.max(handledBefore.values()) + " records";
        }
    }

    @Test
    void withMorePartitionsThanSlotsEveryPartitionStartsBeforeOneTenthOfTheBacklogIsDone() throws Exception {
        String topic = fixture.topic(PARTITIONS);
        String group = Fixture.unique("g");
        fixture.produce(topic, PARTITIONS, "v", 0, PARTITIONS * PER_PARTITION);
        FirstStarts starts = new FirstStarts();
        try (GroupConsumer<String, String> consumer = fixture.builder(group, "classic", topic)
                .concurrency(SLOTS)
                .handler(record -> {
                    starts.started("partition " + record.partition());
                    Thread.sleep(2);
                    starts.handled.incrementAndGet();
                })
                .build().start()) {
            await().atMost(Duration.ofSeconds(60)).failFast(() -> consumer.state() == ConsumerState.FAILED)
                    .untilAsserted(() -> assertThat(starts.nanos).as("partitions started").hasSize(PARTITIONS));
        }
        System.out.println(starts.report(PARTITIONS + " partitions x " + PER_PARTITION + " records, concurrency " + SLOTS));
        assertThat(Collections.max(starts.handledBefore.values()))
                .as("records handled before the last partition started (of %d)", PARTITIONS * PER_PARTITION)
                .isLessThan(PARTITIONS * PER_PARTITION / 10);
    }

    @Test
    void withMoreHotKeysThanSlotsEveryKeyStartsBeforeOneTenthOfTheBacklogIsDone() throws Exception {
        // One partition, 20 keys of 2,000 records each, in runs: key 0's records first, then key 1's ...
        String topic = fixture.topic(1);
        String group = Fixture.unique("g");
        int keys = 20;
        fixture.produceInRuns(topic, keys, PER_PARTITION);
        FirstStarts starts = new FirstStarts();
        try (GroupConsumer<String, String> consumer = fixture.builder(group, "classic", topic)
                .ordering(Ordering.KEY)
                .concurrency(SLOTS)
                .partitionQueueRecords(keys * PER_PARTITION)
                .handler(record -> {
                    starts.started(record.key());
                    Thread.sleep(2);
                    starts.handled.incrementAndGet();
                })
                .build().start()) {
            await().atMost(Duration.ofSeconds(60)).failFast(() -> consumer.state() == ConsumerState.FAILED)
                    .untilAsserted(() -> assertThat(starts.nanos).as("keys started").hasSize(keys));
        }
        System.out.println(starts.report(keys + " hot keys x " + PER_PARTITION + " records, concurrency " + SLOTS));
        assertThat(Collections.max(starts.handledBefore.values()))
                .as("records handled before the last key started (of %d)", keys * PER_PARTITION)
                .isLessThan(keys * PER_PARTITION / 10);
    }
}
