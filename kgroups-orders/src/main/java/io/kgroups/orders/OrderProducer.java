package io.kgroups.orders;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends generated order events to the topic at a steady rate, acks=all and idempotent (a retried
 * send is never written twice), and enters every acknowledgement in a {@link ProducedOrders}.
 */
public final class OrderProducer implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final OrderEventGenerator generator;
    private final ProducedOrders ledger;

    /** {@code properties}: at least bootstrap.servers; acks=all and idempotence unless given. */
    public OrderProducer(Map<String, ?> properties, String topic, OrderEventGenerator generator, ProducedOrders ledger) {
        Map<String, Object> config = new HashMap<>(properties);
        config.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        config.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "kgroups-orders-producer");
        this.producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
        this.topic = topic;
        this.generator = generator;
        this.ledger = ledger;
    }

    /**
     * Sends up to {@code count} events (0: no limit) at {@code perSecond} (0: as fast as the
     * producer takes them) until {@code stop} says so, then waits for every acknowledgement.
     * Returns the number sent.
     */
    public long run(long count, double perSecond, BooleanSupplier stop) {
        long start = System.nanoTime();
        long sent = 0;
        while ((count == 0 || sent < count) && !stop.getAsBoolean()) {
            if (perSecond > 0) {
                long due = start + (long) (sent * 1e9 / perSecond);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(100)));
                    continue;
                }
            }
            send(generator.next());
            sent++;
        }
        producer.flush();
        return sent;
    }

    private void send(OrderEventGenerator.Generated event) {
        producer.send(new ProducerRecord<>(topic, event.key(), event.value()), (metadata, error) -> {
            if (error == null) {
                ledger.acked(metadata.partition(), metadata.offset(), event);
            } else {
                ledger.failed();
            }
        });
    }

    @Override
    public void close() {
        producer.close();
    }
}
