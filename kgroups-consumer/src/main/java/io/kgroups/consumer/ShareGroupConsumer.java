package io.kgroups.consumer;

import io.kgroups.consumer.internal.DeadLetterPublisher;
import io.kgroups.consumer.internal.RuntimeThreads;
import io.kgroups.consumer.internal.Handling;
import io.kgroups.consumer.internal.SharePollLoop;
import io.kgroups.consumer.internal.ShareSettings;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * A member of a share group (KIP-932): many members read the same partitions, and each record
 * is acknowledged on its own, only once its handler returned.
 *
 * <pre>{@code
 * ShareGroupConsumer<String, String> consumer = ShareGroupConsumer.<String, String>builder()
 *     .kafkaProperties(props)                      // bootstrap.servers, group.id, security ...
 *     .topics("orders")
 *     .keyDeserializer(new StringDeserializer()).valueDeserializer(new StringDeserializer())
 *     .handler(record -> store(record))
 *     .errorPolicy(ErrorPolicy.retry(5, backoff).thenDeadLetter())
 *     .build().start();
 * }</pre>
 *
 * <p>A sibling of {@link GroupConsumer} rather than a switch on it: the handler, the
 * {@link ErrorPolicy}, {@link Health} and the meters are the same, but half of GroupConsumer's
 * settings (ordering, commit policy, offset reset, partition queues, commit metadata) mean
 * nothing on a share group, where the broker hands out records, not partitions; a builder
 * without them cannot be given one that silently does nothing.
 *
 * <p>How the error policy maps to acknowledgements: a handled record, a dead-lettered one
 * (written with the same {@code kgroups.dlt.*} headers) and a skipped one are ACCEPTed; retries
 * run in the runtime under the same delivery (the lock renewed as needed), so they do not spend
 * the group's {@code share.delivery.count.limit}; {@code thenFail()} RELEASEs the record and what
 * has not started, and stops (health DOWN). Records are handled in any order, up to
 * {@code concurrency} at once.
 */
public final class ShareGroupConsumer<K, V> implements AutoCloseable {
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final ExecutorService handlers;
    private final ScheduledExecutorService retries;
    private final SharePollLoop<K, V> loop;
    private final Thread pollThread;
    private boolean started;

    private ShareGroupConsumer(ShareSettings<K, V> settings) {
        String name = "kgroups-share-" + settings.groupId() + "-" + INSTANCES.incrementAndGet();
        this.handlers = Executors.newFixedThreadPool(settings.concurrency(), RuntimeThreads.named(name + "-handler", true));
        this.retries = Executors.newSingleThreadScheduledExecutor(RuntimeThreads.named(name + "-retry", true));
        this.loop = new SharePollLoop<>(settings,
                properties -> new KafkaShareConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
                handlers, retries, new DeadLetterPublisher(settings.deadLetterProducerProperties(), settings.groupId(),
                        settings.commitTimeout()));
        this.pollThread = RuntimeThreads.named(name + "-poll", false).newThread(loop);
    }

    public static <K, V> Builder<K, V> builder() {
        return new Builder<>();
    }

    /** Joins the share group and starts consuming, on a thread of its own. Returns at once. */
    public synchronized ShareGroupConsumer<K, V> start() {
        if (started) {
            throw new IllegalStateException("this ShareGroupConsumer was already started: build a new one to start again");
        }
        started = true;
        loop.starting();
        pollThread.start();
        return this;
    }

    public ConsumerState state() {
        return loop.state();
    }

    /** UP, DEGRADED or DOWN, with the reasons; cheap enough to call every second. */
    public Health health() {
        return loop.health();
    }

    /** The member's numbers now (the same that it publishes as meters). */
    public ShareConsumerStats stats() {
        return loop.stats();
    }

    /** Why the consumer failed, when {@link #state()} is FAILED; else null. */
    public String failure() {
        return loop.failure();
    }

    /**
     * Stops fetching; records whose handler has not started are released at once (another
     * member gets them now, not when their lock expires); running handlers get {@code timeout}
     * to finish and are acknowledged, and the ones still running then are released. Then leaves
     * the group. Must not be called from a handler.
     */
    public void close(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        synchronized (this) {
            if (!started) {
                shutdownPools();
                return;
            }
        }
        loop.requestStop(timeout);
        try {
            pollThread.join(timeout.toMillis() + 10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            shutdownPools();
        }
    }

    /** {@link #close(Duration)} with 30 seconds. */
    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    private void shutdownPools() {
        retries.shutdownNow();
        RuntimeThreads.stop(handlers);
    }

    /**
     * Settings of a {@link ShareGroupConsumer}. Required: {@code kafkaProperties} with
     * {@code bootstrap.servers} and {@code group.id}, {@code topics}, the deserializers and the
     * handler. {@link #build()} checks them all and names the setting and the fix when one is wrong.
     */
    public static final class Builder<K, V> {
        private static final String ACKNOWLEDGEMENT_MODE = "share.acknowledgement.mode";
        private final Properties kafka = new Properties();
        private List<String> topics;
        private Deserializer<K> keyDeserializer;
        private Deserializer<V> valueDeserializer;
        private RecordHandler<K, V> handler;
        private int concurrency = 16;
        private ErrorPolicy errorPolicy = ErrorPolicy.defaultPolicy();
        private MeterRegistry meterRegistry;
        private Duration commitTimeout = Duration.ofSeconds(30);
        private Duration stuckThreshold = Duration.ofMinutes(1);

        private Builder() {
        }

        /**
         * Kafka client properties: bootstrap.servers, group.id (required), security, client tuning
         * ({@code max.poll.records} bounds the records delivered at once; by default ten per handler, at least 500).
         */
        public Builder<K, V> kafkaProperties(Properties properties) {
            kafka.putAll(Objects.requireNonNull(properties, "kafkaProperties"));
            return this;
        }

        /** Kafka client properties as a map. */
        public Builder<K, V> kafkaProperties(Map<String, ?> properties) {
            kafka.putAll(Objects.requireNonNull(properties, "kafkaProperties"));
            return this;
        }

        public Builder<K, V> topics(String... topics) {
            this.topics = List.of(topics);
            return this;
        }

        public Builder<K, V> topics(Collection<String> topics) {
            this.topics = List.copyOf(topics);
            return this;
        }

        /** Called from handler threads, possibly at once: must be thread-safe (Kafka's own are). */
        public Builder<K, V> keyDeserializer(Deserializer<K> deserializer) {
            this.keyDeserializer = deserializer;
            return this;
        }

        /** Called from handler threads, possibly at once: must be thread-safe (Kafka's own are). */
        public Builder<K, V> valueDeserializer(Deserializer<V> deserializer) {
            this.valueDeserializer = deserializer;
            return this;
        }

        /** The record handler: returning ACCEPTs the record; throwing hands it to the error policy. */
        public Builder<K, V> handler(RecordHandler<K, V> handler) {
            this.handler = handler;
            return this;
        }

        /** Handlers running at once (default 16), on the runtime's own pool, in any order. */
        public Builder<K, V> concurrency(int concurrency) {
            this.concurrency = concurrency;
            return this;
        }

        /** What happens when a handler throws or a record cannot be deserialized (default: 3 retries, then stop). */
        public Builder<K, V> errorPolicy(ErrorPolicy policy) {
            this.errorPolicy = policy;
            return this;
        }

        /** Publish {@code kgroups.consumer.*} meters here (default: none; {@code stats()} works regardless). */
        public Builder<K, V> meterRegistry(MeterRegistry registry) {
            this.meterRegistry = registry;
            return this;
        }

        /** Bound of the acknowledgements sent at close, and of a dead-letter write (default 30 s). */
        public Builder<K, V> commitTimeout(Duration timeout) {
            this.commitTimeout = timeout;
            return this;
        }

        /** Health: a record in a handler longer than this makes the member DEGRADED (default 1 min). */
        public Builder<K, V> stuckThreshold(Duration threshold) {
            this.stuckThreshold = threshold;
            return this;
        }

        /** Checks every setting; throws IllegalArgumentException naming the setting and the fix. */
        public ShareGroupConsumer<K, V> build() {
            return new ShareGroupConsumer<>(settings());
        }

        private ShareSettings<K, V> settings() {
            String bootstrap = kafka.getProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG);
            require(bootstrap != null && !bootstrap.isBlank(),
                    "kafkaProperties: bootstrap.servers is missing: set it to the brokers, e.g. broker1:9092,broker2:9092");
            String group = kafka.getProperty(ConsumerConfig.GROUP_ID_CONFIG);
            require(group != null && !group.isBlank(),
                    "kafkaProperties: group.id is missing: a ShareGroupConsumer is a member of a share group, name it");
            require(topics != null && !topics.isEmpty(), "topics: give topics(...), at least one");
            for (String topic : topics) {
                require(topic != null && !topic.isBlank(), "topics: a topic name is empty");
            }
            require(keyDeserializer != null, "keyDeserializer is missing: e.g. keyDeserializer(new StringDeserializer())");
            require(valueDeserializer != null, "valueDeserializer is missing: e.g. valueDeserializer(new StringDeserializer())");
            require(handler != null, "handler is missing: give handler(record -> ...)");
            require(concurrency >= 1 && concurrency <= 10_000, "concurrency must be 1 to 10000, was " + concurrency);
            require(errorPolicy != null, "errorPolicy must not be null");
            require(commitTimeout != null && commitTimeout.toMillis() > 0, "commitTimeout must be positive, was " + commitTimeout);
            require(stuckThreshold != null && stuckThreshold.toMillis() > 0, "stuckThreshold must be positive, was " + stuckThreshold);
            String mode = kafka.getProperty(ACKNOWLEDGEMENT_MODE, "explicit").trim().toLowerCase(Locale.ROOT);
            require(mode.equals("explicit"), "kafkaProperties: " + ACKNOWLEDGEMENT_MODE + "=" + mode + " acknowledges records "
                    + "the handler has not finished (a crash then loses them): remove it; ShareGroupConsumer acknowledges each "
                    + "record when its handler returns");
            for (String key : List.of(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG)) {
                require(!kafka.containsKey(key), "kafkaProperties: " + key
                        + " is set: the runtime deserializes records itself; give keyDeserializer(...) and valueDeserializer(...) instead");
            }
            for (String key : List.of(ConsumerConfig.GROUP_PROTOCOL_CONFIG, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG)) {
                require(!kafka.containsKey(key), "kafkaProperties: " + key + " does not apply to a share group: remove it"
                        + (key.equals(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG)
                        ? " (where a new share group starts is the group config share.auto.offset.reset: "
                        + "kafka-configs --alter --entity-type groups --entity-name GROUP --add-config share.auto.offset.reset=earliest)"
                        : ""));
            }
            Properties consumer = new Properties();
            consumer.putAll(kafka);
            consumer.put(ACKNOWLEDGEMENT_MODE, "explicit");
            // A poll waits until every record of the last one is acknowledged: ten records per handler keep the
            // handlers busy across that round trip (Kafka's 500 would leave 100 handlers idle half the time).
            consumer.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(Math.max(500, concurrency * 10)));
            Properties admin = new Properties();
            for (String key : kafka.stringPropertyNames()) {
                if (AdminClientConfig.configNames().contains(key) && !key.equals(AdminClientConfig.CLIENT_ID_CONFIG)) {
                    admin.put(key, kafka.get(key));
                }
            }
            long maxPollInterval = Long.parseLong(consumer.getProperty(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "300000").trim());
            return new ShareSettings<>(consumer, admin, DeadLetterPublisher.producerProperties(consumer, group.trim()),
                    group.trim(), topics, new Handling<>(group.trim(), keyDeserializer, valueDeserializer, handler, null,
                    errorPolicy), concurrency, meterRegistry, commitTimeout, stuckThreshold, maxPollInterval);
        }

        private static void require(boolean condition, String message) {
            if (!condition) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
