package io.kgroups.consumer.internal;

import java.util.Properties;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;

/**
 * What the runtime talks to outside itself: Kafka (one consumer per run, made from the
 * settings' properties), the threads handlers run on, time, and the dead-letter topic.
 * {@code GroupConsumer} gives the real ones; the simulation gives fakes it controls.
 */
public record Environment(
        Function<Properties, Consumer<byte[], byte[]>> consumers,
        Executor handlers,
        Clock clock,
        DeadLetterSink deadLetters) {
}
