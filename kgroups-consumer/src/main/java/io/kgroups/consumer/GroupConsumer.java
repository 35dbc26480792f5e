package io.kgroups.consumer;

import io.kgroups.consumer.internal.DeadLetterPublisher;
import io.kgroups.consumer.internal.RuntimeThreads;
import io.kgroups.consumer.internal.Environment;
import io.kgroups.consumer.internal.PollLoop;
import io.kgroups.consumer.internal.Settings;
import io.kgroups.consumer.internal.SystemClock;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * A consumer-group member that processes records at least once and never commits an offset it
 * has not processed.
 *
 * <pre>{@code
 * GroupConsumer<String, String> consumer = GroupConsumer.<String, String>builder()
 *     .kafkaProperties(props)                      // bootstrap.servers, group.id, security ...
 *     .topics("orders")
 *     .keyDeserializer(new StringDeserializer()).valueDeserializer(new StringDeserializer())
 *     .handler(record -> store(record))
 *     .errorPolicy(ErrorPolicy.retry(5, Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(10))).thenDeadLetter())
 *     .build();
 * consumer.start();
 * ...
 * consumer.close(Duration.ofSeconds(30));
 * }</pre>
 *
 * <p>One thread owns the KafkaConsumer and only polls, dispatches and commits; handlers run on a
 * pool. A committed offset N means every record below N was handled (or dead-lettered or
 * skipped by the error policy). See {@link Builder} for every setting and its default.
 */
public final class GroupConsumer<K, V> implements AutoCloseable {
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final Settings<K, V> settings;
    private final ExecutorService ownedExecutor;
    private final ScheduledExecutorService scheduler;
    private final PollLoop<K, V> loop;
    private final Thread pollThread;
    private boolean started;

    private GroupConsumer(Settings<K, V> settings) {
        this.settings = settings;
        int instance = INSTANCES.incrementAndGet();
        String name = "kgroups-" + settings.groupId() + "-" + instance;
        this.ownedExecutor = settings.executor() == null
                ? Executors.newFixedThreadPool(settings.concurrency(), RuntimeThreads.named(name + "-handler", true)) : null;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(RuntimeThreads.named(name + "-retry", true));
        this.loop = new PollLoop<>(settings, new Environment(
                properties -> new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
                ownedExecutor != null ? ownedExecutor : settings.executor(), new SystemClock(scheduler),
                new DeadLetterPublisher(settings.deadLetterProducerProperties(), settings.groupId(), settings.commitTimeout())));
        this.pollThread = RuntimeThreads.named(name + "-poll", false).newThread(loop);
    }

    public static <K, V> Builder<K, V> builder() {
        return new Builder<>();
    }

    /** Joins the group and starts consuming, on a thread of its own. Returns at once. */
    public synchronized GroupConsumer<K, V> start() {
        if (started) {
            throw new IllegalStateException("this GroupConsumer was already started: build a new one to start again");
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

    /** The consumer's numbers now (the same that it publishes as meters). */
    public ConsumerStats stats() {
        return loop.stats();
    }

    /** Why the consumer failed, when {@link #state()} is FAILED; else null. */
    public String failure() {
        return loop.failure();
    }

    /**
     * Stops fetching, lets records in handlers finish within {@code timeout}, commits what is done
     * synchronously, and leaves the group (a static member stays, so that its partitions wait for
     * it). Must not be called from a handler.
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
        scheduler.shutdownNow();
        if (ownedExecutor != null) {
            RuntimeThreads.stop(ownedExecutor);
        }
    }

    /**
     * Settings of a {@link GroupConsumer}. Required: {@code kafkaProperties} with
     * {@code bootstrap.servers} and {@code group.id}, {@code topics} (or a pattern), the
     * deserializers and one handler. Everything else has a default. {@link #build()} checks them
     * all and names the setting and the fix when one is wrong.
     */
    public static final class Builder<K, V> {
        /**
         * Far above the brokers' default offset.metadata.max.bytes (4,096), for clusters that raised it; a
         * budget over the brokers' limit is also caught at run time (the commit is refused, the budget halves).
         */
        private static final int MAX_METADATA_BUDGET = 1 << 20;
        private final Properties kafka = new Properties();
        private List<String> topics;
        private Pattern topicPattern;
        private Deserializer<K> keyDeserializer;
        private Deserializer<V> valueDeserializer;
        private RecordHandler<K, V> recordHandler;
        private BatchHandler<K, V> batchHandler;
        private int maxBatchSize = 500;
        private Ordering ordering = Ordering.PARTITION;
        private int concurrency = 16;
        private ExecutorService executor;
        private CommitPolicy commitPolicy = CommitPolicy.periodic(Duration.ofSeconds(1), 10_000);
        private ErrorPolicy errorPolicy = ErrorPolicy.defaultPolicy();
        private OffsetReset offsetReset;
        private MeterRegistry meterRegistry;
        private GroupListener listener = new GroupListener() { };
        private Duration revokeTimeout = Duration.ofSeconds(10);
        private Duration commitTimeout = Duration.ofSeconds(30);
        private int partitionQueueRecords = 5_000;
        private int maxInFlightRecords = 50_000;
        private long maxInFlightBytes = 64L * 1024 * 1024;
        private Duration stuckThreshold = Duration.ofMinutes(1);
        private long lagThreshold = Long.MAX_VALUE;
        private int commitFailureThreshold = 3;
        private int offsetMetadataBudget = 4_000;

        private Builder() {
        }

        /** Kafka client properties: bootstrap.servers, group.id (required), security, client tuning. */
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

        public Builder<K, V> topics(java.util.Collection<String> topics) {
            this.topics = List.copyOf(topics);
            return this;
        }

        /** Subscribe to every topic whose name matches, now and later. */
        public Builder<K, V> topicPattern(Pattern pattern) {
            this.topicPattern = pattern;
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

        /** The record handler (or {@link #batchHandler}, not both). */
        public Builder<K, V> handler(RecordHandler<K, V> handler) {
            this.recordHandler = handler;
            return this;
        }

        /** A batch handler: the waiting records of a partition, up to {@code maxBatchSize} (default 500). */
        public Builder<K, V> batchHandler(BatchHandler<K, V> handler) {
            this.batchHandler = handler;
            return this;
        }

        public Builder<K, V> maxBatchSize(int maxBatchSize) {
            this.maxBatchSize = maxBatchSize;
            return this;
        }

        /** Which records may be handled at once (default PARTITION). */
        public Builder<K, V> ordering(Ordering ordering) {
            this.ordering = ordering;
            return this;
        }

        /** Handlers running at once (default 16), on the runtime's own pool. */
        public Builder<K, V> concurrency(int concurrency) {
            this.concurrency = concurrency;
            return this;
        }

        /**
         * Run handlers on this executor instead of the runtime's pool (not shut down by close). It
         * must accept every task: the runtime bounds them to {@code concurrency} itself. A task it
         * refuses fails the consumer (state FAILED, health DOWN with the reason).
         */
        public Builder<K, V> executor(ExecutorService executor) {
            this.executor = executor;
            return this;
        }

        /** When done offsets are committed (default {@code periodic(1s, 10_000)}). */
        public Builder<K, V> commitPolicy(CommitPolicy policy) {
            this.commitPolicy = policy;
            return this;
        }

        /** What happens when a handler throws (default: 3 retries, then stop). */
        public Builder<K, V> errorPolicy(ErrorPolicy policy) {
            this.errorPolicy = policy;
            return this;
        }

        /** Where to start without a committed offset (default: auto.offset.reset, else latest). */
        public Builder<K, V> offsetReset(OffsetReset reset) {
            this.offsetReset = reset;
            return this;
        }

        /** Publish {@code kgroups.consumer.*} meters here (default: none; {@code stats()} works regardless). */
        public Builder<K, V> meterRegistry(MeterRegistry registry) {
            this.meterRegistry = registry;
            return this;
        }

        public Builder<K, V> listener(GroupListener listener) {
            this.listener = listener;
            return this;
        }

        /** How long revoked partitions' in-flight records may take to finish (default 10 s). */
        public Builder<K, V> revokeTimeout(Duration timeout) {
            this.revokeTimeout = timeout;
            return this;
        }

        /** Bound of a synchronous commit with its retries, and of a dead-letter write (default 30 s). */
        public Builder<K, V> commitTimeout(Duration timeout) {
            this.commitTimeout = timeout;
            return this;
        }

        /** Records queued per partition before it is paused (default 5,000: more than one fetch of small records). */
        public Builder<K, V> partitionQueueRecords(int records) {
            this.partitionQueueRecords = records;
            return this;
        }

        /** Records and bytes fetched but not done, over all partitions, before all are paused (default 50,000 and 64 MiB). */
        public Builder<K, V> maxInFlight(int records, long bytes) {
            this.maxInFlightRecords = records;
            this.maxInFlightBytes = bytes;
            return this;
        }

        /** Health: a record in a handler longer than this makes the consumer DEGRADED (default 1 min). */
        public Builder<K, V> stuckThreshold(Duration threshold) {
            this.stuckThreshold = threshold;
            return this;
        }

        /** Health: total lag over this makes the consumer DEGRADED (default: no threshold). */
        public Builder<K, V> lagThreshold(long records) {
            this.lagThreshold = records;
            return this;
        }

        /** Health: this many failed commits in a row make the consumer DEGRADED (default 3). */
        public Builder<K, V> commitFailureThreshold(int failures) {
            this.commitFailureThreshold = failures;
            return this;
        }

        /**
         * Characters of commit metadata for offsets done out of order (default 4,000, under the
         * broker's {@code offset.metadata.max.bytes} of 4,096; at most 1 MiB). Intake slows down at
         * half of it; if it still overflows, the plain offset is committed and counted. Should the
         * brokers refuse it as too large, the budget halves until they take it (logged once).
         */
        public Builder<K, V> offsetMetadataBudget(int characters) {
            this.offsetMetadataBudget = characters;
            return this;
        }

        /** Checks every setting; throws IllegalArgumentException naming the setting and the fix. */
        public GroupConsumer<K, V> build() {
            return new GroupConsumer<>(settings());
        }

        private Settings<K, V> settings() {
            String bootstrap = kafka.getProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG);
            require(bootstrap != null && !bootstrap.isBlank(),
                    "kafkaProperties: bootstrap.servers is missing: set it to the brokers, e.g. broker1:9092,broker2:9092");
            String group = kafka.getProperty(ConsumerConfig.GROUP_ID_CONFIG);
            require(group != null && !group.isBlank(),
                    "kafkaProperties: group.id is missing: a GroupConsumer is a member of a consumer group, name it");
            String autoCommit = kafka.getProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG);
            require(autoCommit == null || !autoCommit.trim().equalsIgnoreCase("true"),
                    "kafkaProperties: enable.auto.commit=true commits offsets of records the handler has not finished "
                            + "(a crash then loses them): remove it; GroupConsumer commits only done records, choose when "
                            + "with commitPolicy(CommitPolicy.periodic(...) | perBatch(...) | perRecord())");
            require((topics != null && !topics.isEmpty()) ^ topicPattern != null,
                    "topics: give topics(...) or topicPattern(...), exactly one of them");
            if (topics != null) {
                for (String topic : topics) {
                    require(topic != null && !topic.isBlank(), "topics: a topic name is empty");
                }
            }
            require(keyDeserializer != null, "keyDeserializer is missing: e.g. keyDeserializer(new StringDeserializer())");
            require(valueDeserializer != null, "valueDeserializer is missing: e.g. valueDeserializer(new StringDeserializer())");
            require(recordHandler != null ^ batchHandler != null,
                    "handler: give handler(record -> ...) or batchHandler(records -> ...), exactly one of them");
            require(ordering != null, "ordering must not be null");
            require(ordering == Ordering.PARTITION || commitPolicy == null
                    || commitPolicy.kind() != CommitPolicy.Kind.PER_RECORD, "commitPolicy perRecord() needs "
                    + "Ordering.PARTITION (it commits each record before the next); with " + ordering
                    + " use perBatch(...) or periodic(...)");
            require(offsetMetadataBudget >= 0 && offsetMetadataBudget <= MAX_METADATA_BUDGET, "offsetMetadataBudget must be 0 to "
                    + MAX_METADATA_BUDGET + " characters, was " + offsetMetadataBudget + ": it must stay under the brokers' "
                    + "offset.metadata.max.bytes (4096 by default), or every commit with done offsets fails");
            require(maxBatchSize >= 1, "maxBatchSize must be at least 1, was " + maxBatchSize);
            require(concurrency >= 1 && concurrency <= 10_000, "concurrency must be 1 to 10000, was " + concurrency);
            require(commitPolicy != null, "commitPolicy must not be null");
            require(errorPolicy != null, "errorPolicy must not be null");
            require(listener != null, "listener must not be null");
            requirePositive(revokeTimeout, "revokeTimeout");
            requirePositive(commitTimeout, "commitTimeout");
            requirePositive(stuckThreshold, "stuckThreshold");
            require(partitionQueueRecords >= 1, "partitionQueueRecords must be at least 1, was " + partitionQueueRecords);
            require(maxInFlightRecords >= 1 && maxInFlightBytes >= 1, "maxInFlight: records and bytes must be at least 1");
            require(lagThreshold >= 0, "lagThreshold must not be negative");
            require(commitFailureThreshold >= 1, "commitFailureThreshold must be at least 1");

            Properties consumer = new Properties();
            consumer.putAll(kafka);
            consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            for (String key : List.of(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG)) {
                require(!consumer.containsKey(key), "kafkaProperties: " + key
                        + " is set: the runtime deserializes records itself; give keyDeserializer(...) and valueDeserializer(...) instead");
            }
            String protocol = consumer.getProperty(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic").trim().toLowerCase(Locale.ROOT);
            require(protocol.equals("classic") || protocol.equals("consumer"),
                    "kafkaProperties: group.protocol '" + protocol + "' is not classic or consumer");
            if (protocol.equals("classic")) {
                consumer.putIfAbsent(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
            } else {
                require(!consumer.containsKey(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG),
                        "kafkaProperties: partition.assignment.strategy does not apply with group.protocol=consumer "
                                + "(the broker assigns): remove it, or set group.remote.assignor");
            }
            OffsetReset reset = offsetReset;
            if (reset == null) {
                String configured = consumer.getProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG);
                try {
                    reset = configured == null ? OffsetReset.latest() : OffsetReset.parse(configured);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("kafkaProperties: auto.offset.reset: " + e.getMessage());
                }
            }
            consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, reset.kafkaValue());
            long maxPollInterval = Long.parseLong(consumer.getProperty(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "300000").trim());
            require(revokeTimeout.toMillis() < maxPollInterval, "revokeTimeout " + revokeTimeout
                    + " must be shorter than max.poll.interval.ms (" + maxPollInterval + " ms): the poll thread waits "
                    + "that long in a rebalance; lower revokeTimeout or raise max.poll.interval.ms");

            return new Settings<>(consumer, group.trim(), topics, topicPattern, keyDeserializer,
                    valueDeserializer, recordHandler, batchHandler, maxBatchSize, ordering, concurrency, executor, commitPolicy,
                    errorPolicy, meterRegistry, listener, revokeTimeout, commitTimeout, partitionQueueRecords,
                    maxInFlightRecords, maxInFlightBytes, stuckThreshold, lagThreshold, commitFailureThreshold,
                    maxPollInterval, offsetMetadataBudget, DeadLetterPublisher.producerProperties(consumer, group.trim()));
        }

        private static void requirePositive(Duration value, String name) {
            require(value != null && !value.isNegative() && !value.isZero(), name + " must be positive, was " + value);
        }

        private static void require(boolean condition, String message) {
            if (!condition) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
