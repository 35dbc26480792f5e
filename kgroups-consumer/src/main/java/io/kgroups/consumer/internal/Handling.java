package io.kgroups.consumer.internal;

import io.kgroups.consumer.BatchHandler;
import io.kgroups.consumer.ErrorPolicy;
import io.kgroups.consumer.RecordHandler;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * What {@link RecordProcessor} needs to run a record: the same for a consumer group's lanes and
 * a share group's deliveries. One of the two handlers is set.
 */
public record Handling<K, V>(
        String groupId,
        Deserializer<K> keyDeserializer,
        Deserializer<V> valueDeserializer,
        RecordHandler<K, V> recordHandler,
        BatchHandler<K, V> batchHandler,
        ErrorPolicy errorPolicy) {
}
