package io.kgroups.consumer;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Handles one record. Returning means the record is done and its offset may be committed;
 * throwing hands it to the {@link ErrorPolicy}. Called from the runtime's handler threads, one
 * record of a partition at a time with {@link Ordering#PARTITION}.
 */
@FunctionalInterface
public interface RecordHandler<K, V> {
    void handle(ConsumerRecord<K, V> record) throws Exception;
}
