package io.kgroups.orders;

import io.kgroups.consumer.Backoff;
import io.kgroups.consumer.BatchHandler;
import io.kgroups.consumer.ConsumerState;
import io.kgroups.consumer.ConsumerStats;
import io.kgroups.consumer.ErrorPolicy;
import io.kgroups.consumer.GroupConsumer;
import io.kgroups.consumer.Health;
import io.kgroups.consumer.OffsetReset;
import io.kgroups.consumer.Ordering;
import io.kgroups.consumer.ShareConsumerStats;
import io.kgroups.consumer.ShareGroupConsumer;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The storage loader of the reference guide, on the kgroups runtime: reads order events from
 * the {@code orders} topic in a consumer group and stores them with {@link OrderStore}, one
 * transaction per batch of waiting records of a partition (or of a key, with Ordering.KEY).
 * Offsets are committed only for stored batches, so a crash replays at most what was not yet
 * committed, and the upsert absorbs the replay.
 *
 * <p>Invalid events go to {@code orders.DLT} with the reason, at once (they would fail the same
 * way every time). A database failure is retried with backoff for about a minute and then stops
 * this loader with health DOWN, without committing: a database outage must not send good events
 * to the dead-letter topic.
 *
 * <p>With {@link Builder#shareGroup()} it is a member of a share group instead: records are
 * handed out one by one to any number of loaders, whatever the partition count, each stored in
 * its own transaction and acknowledged once stored; the upsert that keeps the highest
 * {@code event_version} makes the order of arrival irrelevant. Where a new share group starts is
 * its config {@code share.auto.offset.reset} (latest by default): {@code kgroups load-orders
 * --group-type share} sets it to earliest for a group that has not set it.
 */
public final class StorageLoader implements AutoCloseable {
    /** Ten retries from 200 ms doubling up to 10 s: about a minute of database trouble. */
    static final ErrorPolicy ERROR_POLICY = ErrorPolicy.retry(10, Backoff.exponential(Duration.ofMillis(200),
            Duration.ofSeconds(10))).thenFail().unreadable(ErrorPolicy.Action.DEAD_LETTER);

    /** Exactly one of the two is set. */
    private final GroupConsumer<String, OrderEvent> consumer;
    private final ShareGroupConsumer<String, OrderEvent> shareConsumer;
    private final Outcomes outcomes;

    /** What the batches did, summed over the loader's life (see {@link OrderStore.Result}). */
    private record Outcomes(LongAdder applied, LongAdder superseded, LongAdder absorbed) {
        Outcomes() {
            this(new LongAdder(), new LongAdder(), new LongAdder());
        }

        void add(OrderStore.Result result) {
            applied.add(result.applied());
            superseded.add(result.superseded());
            absorbed.add(result.absorbed());
        }
    }

    private StorageLoader(GroupConsumer<String, OrderEvent> consumer, ShareGroupConsumer<String, OrderEvent> shareConsumer,
            Outcomes outcomes) {
        this.consumer = consumer;
        this.shareConsumer = shareConsumer;
        this.outcomes = outcomes;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Joins the group and starts loading; returns at once. */
    public StorageLoader start() {
        if (shareConsumer != null) {
            shareConsumer.start();
        } else {
            consumer.start();
        }
        return this;
    }

    public Health health() {
        return shareConsumer != null ? shareConsumer.health() : consumer.health();
    }

    public ConsumerState state() {
        return shareConsumer != null ? shareConsumer.state() : consumer.state();
    }

    /** A consumer-group loader's numbers; null on a share group (see {@link #shareStats()}). */
    public ConsumerStats stats() {
        return consumer == null ? null : consumer.stats();
    }

    /** A share-group loader's numbers; null on a consumer group. */
    public ShareConsumerStats shareStats() {
        return shareConsumer == null ? null : shareConsumer.stats();
    }

    /** Why the loader stopped, when it failed; else null. */
    public String failure() {
        return shareConsumer != null ? shareConsumer.failure() : consumer.failure();
    }

    /** Events that changed a row. */
    public long applied() {
        return outcomes.applied().sum();
    }

    /**
     * Events not sent to the database because a newer event of their order came in the same batch
     * (the row ends at that one either way); always 0 on a share group (one event per transaction).
     */
    public long superseded() {
        return outcomes.superseded().sum();
    }

    /** Events the upsert absorbed: a version the row already had (a replay or a duplicate) or an older one. */
    public long absorbed() {
        return outcomes.absorbed().sum();
    }

    /** Leaves the group after storing and committing (acknowledging) what is in flight. */
    @Override
    public void close() {
        if (shareConsumer != null) {
            shareConsumer.close();
        } else {
            consumer.close();
        }
    }

    /** Settings of a {@link StorageLoader}; required: kafkaProperties (bootstrap.servers, group.id) and the store. */
    public static final class Builder {
        private final Properties kafka = new Properties();
        private String topic = "orders";
        private OrderStore store;
        private Ordering ordering = Ordering.PARTITION;
        private int concurrency = 16;
        private int maxBatchSize = 500;
        private MeterRegistry meterRegistry;
        private boolean shareGroup;

        private Builder() {
        }

        /**
         * bootstrap.servers and group.id (e.g. storage_loader); security and client tuning as for any
         * consumer. Without auto.offset.reset, a group with no committed offsets starts at the
         * earliest record: a loader loads the whole topic.
         */
        public Builder kafkaProperties(Map<String, ?> properties) {
            kafka.putAll(properties);
            return this;
        }

        /** The topic of order events (default: orders); dead letters go to {@code <topic>.DLT}. */
        public Builder topic(String topic) {
            this.topic = topic;
            return this;
        }

        /** Where the events go; shared by any number of loaders in one process. */
        public Builder store(OrderStore store) {
            this.store = store;
            return this;
        }

        /**
         * PARTITION (default): a partition's waiting records go in one transaction, the fewest
         * round trips. KEY: events of different orders are stored at once, one transaction per
         * order's waiting events; for databases that prefer many small concurrent writes.
         */
        public Builder ordering(Ordering ordering) {
            this.ordering = ordering;
            return this;
        }

        /** Batches stored at once (default 16); each holds a pooled connection while it runs. */
        public Builder concurrency(int concurrency) {
            this.concurrency = concurrency;
            return this;
        }

        /** Events in one transaction at most (default 500). */
        public Builder maxBatchSize(int maxBatchSize) {
            this.maxBatchSize = maxBatchSize;
            return this;
        }

        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = registry;
            return this;
        }

        /**
         * A member of the share group named by group.id instead of a consumer group: each event in
         * its own transaction, in any order, up to {@code concurrency} at once; ordering and
         * maxBatchSize do not apply.
         */
        public Builder shareGroup() {
            this.shareGroup = true;
            return this;
        }

        public StorageLoader build() {
            Objects.requireNonNull(store, "store is missing: give store(OrderStore.open(jdbcUrl, ...))");
            if (ordering == Ordering.UNORDERED) {
                throw new IllegalArgumentException("ordering: UNORDERED could store version 2 of an order while version 1 is "
                        + "still in flight; the upsert keeps the highest version either way, but use KEY or PARTITION to "
                        + "store each order's events in order");
            }
            Outcomes outcomes = new Outcomes();
            OrderStore target = store;
            if (shareGroup) {
                ShareGroupConsumer.Builder<String, OrderEvent> member = ShareGroupConsumer.<String, OrderEvent>builder()
                        .kafkaProperties(kafka)
                        .topics(topic)
                        .keyDeserializer(new StringDeserializer())
                        .valueDeserializer(new OrderEventJson())
                        .handler(record -> {
                            outcomes.add(target.store(List.of(new OrderStore.Delivery(record.value(),
                                    record.topic(), record.partition(), record.offset()))));
                        })
                        .concurrency(concurrency)
                        .errorPolicy(ERROR_POLICY);
                if (meterRegistry != null) {
                    member.meterRegistry(meterRegistry);
                }
                return new StorageLoader(null, member.build(), outcomes);
            }
            BatchHandler<String, OrderEvent> handler = records -> {
                List<OrderStore.Delivery> batch = new ArrayList<>(records.size());
                for (ConsumerRecord<String, OrderEvent> record : records) {
                    batch.add(new OrderStore.Delivery(record.value(), record.topic(), record.partition(), record.offset()));
                }
                outcomes.add(target.store(batch));
            };
            GroupConsumer.Builder<String, OrderEvent> consumer = GroupConsumer.<String, OrderEvent>builder()
                    .kafkaProperties(kafka)
                    .topics(topic)
                    .keyDeserializer(new StringDeserializer())
                    .valueDeserializer(new OrderEventJson())
                    .batchHandler(handler)
                    .maxBatchSize(maxBatchSize)
                    .ordering(ordering)
                    .concurrency(concurrency)
                    .errorPolicy(ERROR_POLICY);
            if (meterRegistry != null) {
                consumer.meterRegistry(meterRegistry);
            }
            if (!kafka.containsKey(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG)) {
                // A new loader group loads the whole topic, not just what arrives after it joined.
                consumer.offsetReset(OffsetReset.earliest());
            }
            return new StorageLoader(consumer.build(), null, outcomes);
        }
    }
}
