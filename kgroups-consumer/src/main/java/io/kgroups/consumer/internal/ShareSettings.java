package io.kgroups.consumer.internal;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

/**
 * Every setting of a share-group member, checked by its builder. {@code consumerProperties} are
 * the KafkaShareConsumer's (explicit acknowledgement, byte-array deserializers: the runtime
 * deserializes); {@code adminProperties} reach the same cluster to read the group's delivery limit.
 */
public record ShareSettings<K, V>(
        Properties consumerProperties,
        Properties adminProperties,
        Properties deadLetterProducerProperties,
        String groupId,
        List<String> topics,
        Handling<K, V> handling,
        int concurrency,
        MeterRegistry meterRegistry,
        Duration commitTimeout,
        Duration stuckThreshold,
        long maxPollIntervalMs) {
}
