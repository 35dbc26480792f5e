package io.kgroups.consumer.internal;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Where records that failed for good go; a record counts as done only once {@link #publish} returned. */
public interface DeadLetterSink extends AutoCloseable {
    /** Writes {@code record} to {@code topic} with the reason, and waits until it is durable; throws if it is not. */
    void publish(String topic, ConsumerRecord<byte[], byte[]> record, Throwable error, int attempts) throws Exception;

    @Override
    void close();
}
