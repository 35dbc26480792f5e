package io.kgroups.consumer;

import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Handles the records of one partition that are waiting, in offset order (at most
 * {@code maxBatchSize}). Returning means all of them are done; throwing retries the batch under
 * the {@link ErrorPolicy}, and once retries are spent, the records are handled one by one so
 * that the error policy applies only to the record that fails.
 */
@FunctionalInterface
public interface BatchHandler<K, V> {
    void handle(List<ConsumerRecord<K, V>> records) throws Exception;
}
