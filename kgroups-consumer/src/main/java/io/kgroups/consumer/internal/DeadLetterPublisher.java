package io.kgroups.consumer.internal;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes a failed record, bytes as fetched, to its dead-letter topic with the reason in
 * {@code kgroups.dlt.*} headers, and waits for the acknowledgement: a record counts as done only
 * once its dead letter is durable. The producer is made on the first dead letter.
 */
public final class DeadLetterPublisher implements DeadLetterSink {
    public static final String HEADER_PREFIX = "kgroups.dlt.";
    private static final int MAX_TRACE_CHARS = 4_000;
    private static final int MAX_MESSAGE_CHARS = 1_000;

    private final Properties producerProperties;
    private final String group;
    private final Duration timeout;
    private Producer<byte[], byte[]> producer;

    public DeadLetterPublisher(Properties producerProperties, String group, Duration timeout) {
        this.producerProperties = producerProperties;
        this.group = group;
        this.timeout = timeout;
    }

    /** The dead-letter producer talks to the member's cluster with the same security settings. */
    public static Properties producerProperties(Properties consumer, String group) {
        Set<String> producerKeys = ProducerConfig.configNames();
        Properties producer = new Properties();
        for (String key : consumer.stringPropertyNames()) {
            if (producerKeys.contains(key) && !key.equals(ProducerConfig.CLIENT_ID_CONFIG)) {
                producer.put(key, consumer.get(key));
            }
        }
        producer.put(ProducerConfig.ACKS_CONFIG, "all");
        producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        producer.put(ProducerConfig.CLIENT_ID_CONFIG, "kgroups-" + group + "-dead-letters");
        return producer;
    }

    /** Throws when the dead letter cannot be written within the timeout. */
    @Override
    public void publish(String topic, ConsumerRecord<byte[], byte[]> record, Throwable error, int attempts)
            throws ExecutionException, InterruptedException, TimeoutException {
        Headers headers = new RecordHeaders();
        for (Header header : record.headers()) {
            headers.add(header);
        }
        add(headers, "original.topic", record.topic());
        add(headers, "original.partition", String.valueOf(record.partition()));
        add(headers, "original.offset", String.valueOf(record.offset()));
        add(headers, "original.timestamp", String.valueOf(record.timestamp()));
        add(headers, "group", group);
        add(headers, "exception.class", error.getClass().getName());
        add(headers, "exception.message", trim(String.valueOf(error.getMessage()), MAX_MESSAGE_CHARS));
        add(headers, "exception.stacktrace", trim(stackTrace(error), MAX_TRACE_CHARS));
        add(headers, "attempts", String.valueOf(attempts));
        producer().send(new ProducerRecord<>(topic, null, record.timestamp(), record.key(), record.value(), headers))
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized Producer<byte[], byte[]> producer() {
        if (producer == null) {
            producer = new KafkaProducer<>(producerProperties, new ByteArraySerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    private static void add(Headers headers, String name, String value) {
        headers.add(HEADER_PREFIX + name, value.getBytes(StandardCharsets.UTF_8));
    }

    private static String stackTrace(Throwable error) {
        StringWriter text = new StringWriter();
        error.printStackTrace(new PrintWriter(text));
        return text.toString();
    }

    private static String trim(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "...";
    }

    @Override
    public synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
