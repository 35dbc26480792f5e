package io.kgroups.consumer;

import java.util.Collection;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Told what happens to the consumer's membership and commits. Called on the poll thread:
 * return quickly.
 */
public interface GroupListener {
    /** Partitions given to this member; processing starts from their committed offsets. */
    default void onAssigned(Collection<TopicPartition> partitions) {
    }

    /** Partitions taken away cleanly: their done records were committed first. */
    default void onRevoked(Collection<TopicPartition> partitions) {
    }

    /** Partitions lost (the member was too late): nothing was committed for them. */
    default void onLost(Collection<TopicPartition> partitions) {
    }

    /** Offsets the group coordinator has acknowledged. */
    default void onCommitted(Map<TopicPartition, OffsetAndMetadata> offsets) {
    }
}
