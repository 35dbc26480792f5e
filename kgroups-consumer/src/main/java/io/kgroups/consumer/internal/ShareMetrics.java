package io.kgroups.consumer.internal;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.AcknowledgeType;

/**
 * What only a share-group member counts: acknowledgements by type as the broker confirmed them
 * (and those it refused), deliveries (each handled record's delivery count), records delivered
 * again, locks lost, and records that reached the group's delivery limit. Published as
 * {@code kgroups.consumer.*} meters beside {@link ConsumerMetrics}' when a registry is given.
 */
final class ShareMetrics {
    private static final String PREFIX = "kgroups.consumer.";

    final Map<AcknowledgeType, LongAdder> confirmed = new EnumMap<>(AcknowledgeType.class);
    final Map<AcknowledgeType, LongAdder> refused = new EnumMap<>(AcknowledgeType.class);
    final LongAdder redelivered = new LongAdder();
    final LongAdder locksLost = new LongAdder();
    final LongAdder deliveryLimitReached = new LongAdder();
    private final DistributionSummary deliveries;

    ShareMetrics(MeterRegistry registry, String group) {
        for (AcknowledgeType type : AcknowledgeType.values()) {
            confirmed.put(type, new LongAdder());
            refused.put(type, new LongAdder());
        }
        if (registry == null) {
            deliveries = null;
            return;
        }
        Tags tags = Tags.of("group", group);
        for (AcknowledgeType type : AcknowledgeType.values()) {
            String name = type.name().toLowerCase(java.util.Locale.ROOT);
            counter(registry, "acknowledgements", tags.and("type", name, "result", "ok"), confirmed.get(type),
                    "Acknowledgements the broker confirmed, by type (renew: locks renewed)");
            counter(registry, "acknowledgements", tags.and("type", name, "result", "refused"), refused.get(type),
                    "Acknowledgements the broker refused (the lock had expired or the member left): the record is delivered again");
        }
        counter(registry, "records.redelivered", tags, redelivered,
                "Records delivered with a delivery count above 1: an earlier delivery was not acknowledged (a crash, a lock expiry, a release)");
        counter(registry, "locks.lost", tags, locksLost,
                "Records whose lock this member lost while their handler ran: another member may handle them too");
        counter(registry, "records.delivery_limit_reached", tags, deliveryLimitReached,
                "Records released at the group's share.delivery.count.limit: the broker archives them");
        deliveries = DistributionSummary.builder(PREFIX + "deliveries").tags(tags)
                .description("Delivery count of each record handled (1: first delivery)").register(registry);
    }

    void delivered(int deliveryCount) {
        if (deliveryCount > 1) {
            redelivered.increment();
        }
        if (deliveries != null) {
            deliveries.record(deliveryCount);
        }
    }

    private static void counter(MeterRegistry registry, String name, Tags tags, LongAdder adder, String description) {
        FunctionCounter.builder(PREFIX + name, adder, LongAdder::sum).tags(tags).description(description).register(registry);
    }
}
