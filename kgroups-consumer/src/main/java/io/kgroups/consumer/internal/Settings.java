package io.kgroups.consumer.internal;

import io.kgroups.consumer.BatchHandler;
import io.kgroups.consumer.CommitPolicy;
import io.kgroups.consumer.ErrorPolicy;
import io.kgroups.consumer.GroupListener;
import io.kgroups.consumer.Ordering;
import io.kgroups.consumer.RecordHandler;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.regex.Pattern;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Every setting of a consumer, checked by the builder. {@code consumerProperties} are the ones
 * the KafkaConsumer gets (auto-commit off, byte-array deserializers: the runtime deserializes).
 */
public record Settings<K, V>(
        Properties consumerProperties,
        String groupId,
        List<String> topics,
        Pattern topicPattern,
        Deserializer<K> keyDeserializer,
        Deserializer<V> valueDeserializer,
        RecordHandler<K, V> recordHandler,
        BatchHandler<K, V> batchHandler,
        int maxBatchSize,
        Ordering ordering,
        int concurrency,
        ExecutorService executor,
        CommitPolicy commitPolicy,
        ErrorPolicy errorPolicy,
        MeterRegistry meterRegistry,
        GroupListener listener,
        Duration revokeTimeout,
        Duration commitTimeout,
        int partitionQueueRecords,
        int maxInFlightRecords,
        long maxInFlightBytes,
        Duration stuckThreshold,
        long lagThreshold,
        int commitFailureThreshold,
        long maxPollIntervalMs,
        int metadataBudget,
        Properties deadLetterProducerProperties) {

    Handling<K, V> handling() {
        return new Handling<>(groupId, keyDeserializer, valueDeserializer, recordHandler, batchHandler, errorPolicy);
    }
}
