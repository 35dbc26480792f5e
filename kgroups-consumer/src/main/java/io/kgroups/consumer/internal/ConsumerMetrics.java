package io.kgroups.consumer.internal;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;
import org.apache.kafka.common.TopicPartition;

/**
 * The consumer's counts, kept in {@link LongAdder}s (cheap from many threads, and read by
 * {@code stats()}), and published as {@code kgroups.consumer.*} meters when a registry is given.
 * Per-topic meters are made once per topic, so the per-record path allocates nothing.
 */
public final class ConsumerMetrics {
    private static final String PREFIX = "kgroups.consumer.";

    /** The counts of one topic. */
    public final class TopicCounts {
        final LongAdder consumed = new LongAdder();
        final LongAdder processed = new LongAdder();
        final LongAdder failed = new LongAdder();
        final LongAdder retried = new LongAdder();
        final LongAdder deadLettered = new LongAdder();
        final LongAdder skipped = new LongAdder();
        final LongAdder alreadyDone = new LongAdder();
        private final Timer processing;
        private final Timer endToEnd;

        private TopicCounts(String topic) {
            if (registry == null) {
                processing = null;
                endToEnd = null;
                return;
            }
            Tags tags = Tags.of("group", group, "topic", topic);
            counter("records.consumed", tags, consumed, "Records fetched from Kafka");
            counter("records.processed", tags, processed, "Records the handler finished");
            counter("records.failed", tags, failed, "Handler attempts that threw");
            counter("records.retried", tags, retried, "Retries scheduled");
            counter("records.dead_lettered", tags, deadLettered, "Records written to a dead-letter topic");
            counter("records.skipped", tags, skipped, "Records skipped by the error policy");
            counter("records.already_done", tags, alreadyDone,
                    "Records fetched again that a previous owner had recorded as done in the commit metadata");
            processing = Timer.builder(PREFIX + "processing.time").tags(tags)
                    .description("Time the handler took per record").register(registry);
            endToEnd = Timer.builder(PREFIX + "end_to_end.latency").tags(tags)
                    .description("Time from the record's timestamp until it was done").register(registry);
        }

        void processed(long handlerNanos, long recordTimestampMs) {
            processed.increment();
            if (processing != null) {
                processing.record(handlerNanos, TimeUnit.NANOSECONDS);
                long latency = System.currentTimeMillis() - recordTimestampMs;
                if (latency >= 0) {
                    endToEnd.record(latency, TimeUnit.MILLISECONDS);
                }
            }
        }
    }

    private final MeterRegistry registry;
    private final String group;
    private final Map<String, TopicCounts> topics = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Meter> lagGauges = new ConcurrentHashMap<>();
    final LongAdder commits = new LongAdder();
    final LongAdder commitFailures = new LongAdder();
    final LongAdder assigned = new LongAdder();
    final LongAdder revoked = new LongAdder();
    final LongAdder lost = new LongAdder();
    final LongAdder metadataOverflows = new LongAdder();
    private final Timer commitLatency;

    public ConsumerMetrics(MeterRegistry registry, String group) {
        this.registry = registry;
        this.group = group;
        if (registry == null) {
            commitLatency = null;
            return;
        }
        Tags tags = Tags.of("group", group);
        counter("commits", tags.and("result", "ok"), commits, "Commits acknowledged");
        counter("commits", tags.and("result", "failed"), commitFailures, "Commits that failed");
        counter("rebalances", tags.and("kind", "assigned"), assigned, "Assignments received");
        counter("rebalances", tags.and("kind", "revoked"), revoked, "Revocations handled");
        counter("rebalances", tags.and("kind", "lost"), lost, "Partitions lost");
        counter("offset_metadata.overflows", tags, metadataOverflows,
                "Commits whose done offsets did not fit the metadata budget (plain offset committed)");
        commitLatency = Timer.builder(PREFIX + "commit.latency").tags(tags).register(registry);
    }

    /** Gauges read from the poll loop's state ({@code in_flight}, {@code paused.partitions}). */
    public <T> void gauge(String name, T source, ToDoubleFunction<T> value, String description) {
        if (registry != null) {
            Gauge.builder(PREFIX + name, source, value).tags("group", group).description(description).register(registry);
        }
    }

    public TopicCounts topic(String topic) {
        return topics.computeIfAbsent(topic, TopicCounts::new);
    }

    void commitLatency(long nanos) {
        if (commitLatency != null) {
            commitLatency.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** A lag gauge for an assigned partition, read from {@code source}; removed by {@link #removeLag}. */
    <T> void addLag(TopicPartition tp, T source, java.util.function.BiFunction<T, TopicPartition, Double> lag) {
        if (registry == null) {
            return;
        }
        lagGauges.computeIfAbsent(tp, key -> Gauge.builder(PREFIX + "lag", source, s -> lag.apply(s, tp))
                .tags("group", group, "topic", tp.topic(), "partition", String.valueOf(tp.partition()))
                .description("Log-end offset minus the lowest offset not done").register(registry));
    }

    void removeLag(TopicPartition tp) {
        Meter gauge = lagGauges.remove(tp);
        if (gauge != null) {
            registry.remove(gauge);
        }
    }

    long sum(java.util.function.Function<TopicCounts, LongAdder> which) {
        long total = 0;
        for (TopicCounts counts : topics.values()) {
            total += which.apply(counts).sum();
        }
        return total;
    }

    private void counter(String name, Tags tags, LongAdder adder, String description) {
        FunctionCounter.builder(PREFIX + name, adder, LongAdder::sum).tags(tags).description(description).register(registry);
    }
}
