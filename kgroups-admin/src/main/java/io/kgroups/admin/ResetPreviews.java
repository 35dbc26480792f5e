package io.kgroups.admin;

import io.kgroups.admin.internal.Calls;
import io.kgroups.admin.internal.FirstRecordReader;
import io.kgroups.admin.internal.ResetPlanner;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SortedSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Reset plans for a server that makes many of them (the monitor's reset previews): the plans of
 * {@link GroupAdmin#planReset}, whose time spans are read by one consumer, made at the first plan
 * that needs it and kept, instead of a consumer started and closed per plan. Plans may be asked
 * for from several threads: their Admin calls run side by side, their reads one at a time (a
 * consumer serves one thread). Its client id is {@value #CLIENT_ID} unless the client properties
 * name one. From {@link GroupAdmin#resetPreviews()}; close it before the GroupAdmin.
 */
public final class ResetPreviews implements AutoCloseable {
    static final String CLIENT_ID = "kgroups-reset-preview";

    private final ResetPlanner planner;
    private final Properties clientProperties;
    private KafkaConsumer<byte[], byte[]> consumer; // guarded by this
    private boolean closed; // guarded by this

    ResetPreviews(Admin admin, Calls calls, Properties clientProperties) {
        this.planner = new ResetPlanner(admin, calls, this::read);
        this.clientProperties = new Properties();
        this.clientProperties.putAll(clientProperties);
        this.clientProperties.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, CLIENT_ID);
    }

    /** As {@link GroupAdmin#planReset}: what resetting {@code group} to {@code target} would do, changing nothing. */
    public ResetPlan plan(String group, Map<String, Set<Integer>> topics, ResetTarget target) {
        return planner.plan(group, topics, target);
    }

    private synchronized FirstRecords read(Map<TopicPartition, SortedSet<Long>> wanted, Map<TopicPartition, Long> logEnd,
            Duration maxWait) {
        if (closed) {
            throw new IllegalStateException("the reset previews are closed");
        }
        if (consumer == null) {
            consumer = FirstRecordReader.consumer(clientProperties, IsolationLevel.READ_UNCOMMITTED);
        }
        try {
            FirstRecords found = FirstRecordReader.read(consumer, wanted, logEnd, maxWait);
            // Idle, it holds no partition: no pause or position carried into the next read, no metadata kept fresh.
            consumer.unsubscribe();
            return found;
        } catch (RuntimeException e) {
            // What state a consumer is left in by a failed read is not worth knowing: the next plan makes a new one.
            consumer.close(Duration.ZERO);
            consumer = null;
            throw e;
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (consumer != null) {
            consumer.close(Duration.ZERO);
            consumer = null;
        }
    }
}
