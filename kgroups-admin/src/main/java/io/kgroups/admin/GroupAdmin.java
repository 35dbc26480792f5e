package io.kgroups.admin;

import io.kgroups.admin.internal.Calls;
import io.kgroups.admin.internal.FirstRecordTimestamps;
import io.kgroups.admin.internal.OffsetWriter;
import io.kgroups.admin.internal.ResetPlanner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/**
 * Consumer-group operations on Kafka's {@link Admin} client. Every question is answered with a
 * fixed number of batched calls, whatever the number of groups and partitions: one describe of
 * all groups, one offsets call for all groups, one log-start and one log-end round for all
 * partitions.
 *
 * <pre>{@code
 * try (GroupAdmin groups = GroupAdmin.create(clientProperties, Duration.ofSeconds(30))) {
 *     GroupDetail loader = groups.describe(List.of("storage_loader")).get(0);
 *     loader.totalLag();
 * }
 * }</pre>
 */
public final class GroupAdmin implements AutoCloseable {
    /** How long to wait for the first unconsumed records when measuring time lag. */
    private static final Duration TIME_LAG_WAIT = Duration.ofSeconds(3);

    private final Admin admin;
    private final Properties clientProperties;
    private final Calls calls;
    private final OffsetWriter writer;

    private GroupAdmin(Admin admin, Properties clientProperties, Duration timeout) {
        this.admin = admin;
        this.clientProperties = clientProperties;
        this.calls = new Calls(timeout, clientProperties.getProperty("bootstrap.servers", "?"));
        this.writer = new OffsetWriter(admin, calls, new ResetPlanner(admin, calls, clientProperties));
    }

    /** An admin on the cluster {@code clientProperties} point at (bootstrap.servers, security). */
    public static GroupAdmin create(Properties clientProperties, Duration timeout) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        p.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(ms));
        p.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(Math.min(ms, 30_000)));
        return new GroupAdmin(Admin.create(p), clientProperties, timeout);
    }

    /** Every group the cluster has, of every type, with members, topics and total lag. */
    public List<GroupSummary> listGroups() {
        Collection<GroupListing> listings = calls.await(admin.listGroups().all(), "list groups");
        List<String> consumerGroups = consumerGroupNames(listings);
        Map<String, GroupDetail> details = new HashMap<>();
        for (GroupDetail detail : describe(consumerGroups, false, false, IsolationLevel.READ_UNCOMMITTED)) {
            details.put(detail.group(), detail);
        }
        List<GroupSummary> summaries = new ArrayList<>();
        for (GroupListing listing : listings) {
            GroupDetail detail = details.get(listing.groupId());
            String type = listing.type().map(t -> t.toString().toLowerCase(java.util.Locale.ROOT)).orElse("unknown");
            String state = listing.groupState().map(s -> s.toString()).orElse("Unknown");
            if (detail == null) {
                summaries.add(new GroupSummary(listing.groupId(), state, type, 0, List.of(), null));
            } else {
                Set<String> topics = new TreeSet<>();
                detail.partitions().forEach(p -> topics.add(p.topic()));
                summaries.add(new GroupSummary(listing.groupId(), detail.state(), type, detail.members().size(),
                        List.copyOf(topics), detail.totalLag()));
            }
        }
        summaries.sort(Comparator.comparing(GroupSummary::group));
        return summaries;
    }

    /** The named groups in full, with time lag and retention risk; an unknown group is an error. */
    public List<GroupDetail> describe(Collection<String> groups) {
        return describe(groups, true, true, IsolationLevel.READ_UNCOMMITTED);
    }

    /**
     * As {@link #describe(Collection)}, with log-end offsets read at {@code isolation}: with
     * READ_COMMITTED, lag is measured against the last stable offset, so a topic with
     * transactions shows no phantom lag from commit markers or open transactions.
     */
    public List<GroupDetail> describe(Collection<String> groups, IsolationLevel isolation) {
        return describe(groups, true, true, isolation);
    }

    /** Every consumer group (classic and consumer protocol) in full. */
    public List<GroupDetail> describeAll() {
        return describeAll(IsolationLevel.READ_UNCOMMITTED);
    }

    /** Every consumer group in full, log-end offsets read at {@code isolation}. */
    public List<GroupDetail> describeAll(IsolationLevel isolation) {
        return describe(consumerGroupNames(calls.await(admin.listGroups().all(), "list groups")), true, false, isolation);
    }

    /**
     * Every consumer group whose name {@code include} accepts, without time lag: what a monitor
     * samples each cycle (it estimates time lag from its own history).
     */
    public List<GroupDetail> sample(java.util.function.Predicate<String> include) {
        List<String> groups = consumerGroupNames(calls.await(admin.listGroups().all(), "list groups")).stream()
                .filter(include).toList();
        return describe(groups, false, false, IsolationLevel.READ_UNCOMMITTED);
    }

    /** retention.ms of each topic that deletes (not compact-only); others are left out. */
    public Map<String, Long> retentionMs(Collection<String> topics) {
        Set<TopicPartition> partitions = new HashSet<>();
        topics.forEach(t -> partitions.add(new TopicPartition(t, 0)));
        return calls.await(retentionMsOf(partitions), "read topic retention");
    }

    /**
     * The timestamp of the first record at or after each offset wanted, read from the log; what
     * has no answer within {@code maxWait} is left out.
     */
    public Map<TopicPartition, Map<Long, Long>> recordTimestamps(Map<TopicPartition, java.util.SortedSet<Long>> wanted,
            Duration maxWait) {
        return FirstRecordTimestamps.at(clientProperties, wanted, maxWait);
    }

    /** Groups whose offsets are consumer offsets (classic and consumer protocol), sorted. */
    private static List<String> consumerGroupNames(Collection<GroupListing> listings) {
        return listings.stream()
                .filter(l -> l.type().map(t -> t.toString().equalsIgnoreCase("classic") || t.toString().equalsIgnoreCase("consumer"))
                        .orElse(true))
                .map(GroupListing::groupId).sorted().toList();
    }

    private List<GroupDetail> describe(Collection<String> groups, boolean timeLag, boolean mustExist,
            IsolationLevel isolation) {
        if (groups.isEmpty()) {
            return List.of();
        }
        // The time-lag consumer takes a moment to start: let it start while the Admin calls run.
        CompletableFuture<KafkaConsumer<byte[], byte[]>> timeLagConsumer =
                timeLag ? CompletableFuture.supplyAsync(() -> FirstRecordTimestamps.consumer(clientProperties)) : null;
        try {
            return describe(groups, mustExist, isolation, timeLagConsumer);
        } finally {
            if (timeLagConsumer != null) {
                timeLagConsumer.thenAccept(c -> c.close(Duration.ZERO));
            }
        }
    }

    private List<GroupDetail> describe(Collection<String> groups, boolean mustExist, IsolationLevel isolation,
            CompletableFuture<KafkaConsumer<byte[], byte[]>> timeLagConsumer) {
        boolean timeLag = timeLagConsumer != null;
        Map<String, KafkaFuture<ConsumerGroupDescription>> described = admin.describeConsumerGroups(groups).describedGroups();
        Map<String, ListConsumerGroupOffsetsSpec> specs = new LinkedHashMap<>();
        groups.forEach(g -> specs.put(g, new ListConsumerGroupOffsetsSpec()));
        var offsetsResult = admin.listConsumerGroupOffsets(specs);

        Map<String, ConsumerGroupDescription> descriptions = new LinkedHashMap<>();
        Map<String, Map<TopicPartition, OffsetAndMetadata>> committed = new HashMap<>();
        for (String group : groups) {
            ConsumerGroupDescription description;
            try {
                description = calls.await(described.get(group), "describe group " + group);
            } catch (GroupAdminException e) {
                if (e.getCause() instanceof GroupIdNotFoundException && mustExist) {
                    throw unknownGroup(group);
                }
                if (e.getCause() instanceof GroupIdNotFoundException) {
                    continue;
                }
                throw e;
            }
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            calls.await(offsetsResult.partitionsToOffsetAndMetadata(group), "read the offsets of group " + group)
                    .forEach((tp, o) -> {
                        if (o != null) {
                            offsets.put(tp, o);
                        }
                    });
            boolean dead = description.groupState() != null && description.groupState().toString().equalsIgnoreCase("dead");
            if (dead && offsets.isEmpty()) {
                if (mustExist) {
                    throw unknownGroup(group);
                }
                continue;
            }
            descriptions.put(group, description);
            committed.put(group, offsets);
        }

        Set<TopicPartition> partitions = new HashSet<>();
        for (String group : descriptions.keySet()) {
            partitions.addAll(committed.get(group).keySet());
            for (MemberDescription member : descriptions.get(group).members()) {
                partitions.addAll(member.assignment().topicPartitions());
            }
        }
        // Independent calls go out together; each is one request per broker for all partitions.
        KafkaFuture<Map<TopicPartition, Long>> logStartCall = offsets(partitions, OffsetSpec.earliest(),
                IsolationLevel.READ_UNCOMMITTED);
        KafkaFuture<Map<TopicPartition, Long>> logEndCall = offsets(partitions, OffsetSpec.latest(), isolation);
        KafkaFuture<Map<String, Long>> retentionCall = timeLag ? retentionMsOf(partitions) : null;
        Map<TopicPartition, Long> logStart = calls.await(logStartCall, "read log-start offsets");
        Map<TopicPartition, Long> logEnd = calls.await(logEndCall, "read log-end offsets");

        Map<TopicPartition, Map<Long, Long>> timestamps = Map.of();
        Map<String, Long> retention = Map.of();
        if (timeLag) {
            Map<TopicPartition, java.util.SortedSet<Long>> firstUnconsumed = new HashMap<>();
            for (String group : descriptions.keySet()) {
                committed.get(group).forEach((tp, o) -> {
                    Long end = logEnd.get(tp);
                    if (end != null && o.offset() < end) {
                        firstUnconsumed.computeIfAbsent(tp, k -> new TreeSet<>()).add(firstUnconsumed(o, logStart.get(tp)));
                    }
                });
            }
            timestamps = firstUnconsumed.isEmpty() ? Map.of()
                    : FirstRecordTimestamps.at(timeLagConsumer.join(), firstUnconsumed, TIME_LAG_WAIT);
            retention = calls.await(retentionCall, "read topic retention");
        }

        long now = System.currentTimeMillis();
        List<GroupDetail> result = new ArrayList<>();
        for (Map.Entry<String, ConsumerGroupDescription> entry : descriptions.entrySet()) {
            result.add(detail(entry.getValue(), committed.get(entry.getKey()), logStart, logEnd, timestamps, retention, now,
                    timeLag));
        }
        return result;
    }

    /** The first record a group has not consumed: at its committed offset, or log-start if retention passed it. */
    private static long firstUnconsumed(OffsetAndMetadata committed, Long logStart) {
        return Math.max(committed.offset(), logStart == null ? 0 : logStart);
    }

    private GroupDetail detail(ConsumerGroupDescription description, Map<TopicPartition, OffsetAndMetadata> committed,
            Map<TopicPartition, Long> logStart, Map<TopicPartition, Long> logEnd,
            Map<TopicPartition, Map<Long, Long>> timestamps,
            Map<String, Long> retentionMs, long now, boolean timeLag) {
        Map<TopicPartition, String> owner = new HashMap<>();
        List<MemberDetail> members = new ArrayList<>();
        for (MemberDescription member : description.members()) {
            List<TopicPartition> assigned = sorted(member.assignment().topicPartitions());
            assigned.forEach(tp -> owner.put(tp, member.consumerId()));
            members.add(new MemberDetail(member.consumerId(), member.groupInstanceId().orElse(null), member.clientId(),
                    member.host(), assigned, member.memberEpoch().orElse(null),
                    member.targetAssignment().map(t -> sorted(t.topicPartitions())).orElse(null)));
        }
        members.sort(Comparator.comparing(MemberDetail::clientId).thenComparing(MemberDetail::memberId));

        Set<TopicPartition> partitions = new TreeSet<>(Comparator.comparing(TopicPartition::topic)
                .thenComparingInt(TopicPartition::partition));
        partitions.addAll(committed.keySet());
        partitions.addAll(owner.keySet());
        List<PartitionDetail> details = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata offset = committed.get(tp);
            long start = logStart.getOrDefault(tp, 0L);
            long end = logEnd.getOrDefault(tp, 0L);
            Long committedOffset = offset == null ? null : offset.offset();
            long lag = committedOffset == null ? end - start : Math.max(0, end - committedOffset);
            long deletedUnread = committedOffset != null && committedOffset < start ? start - committedOffset : 0;
            Double lagSeconds = null;
            Double retentionLeft = null;
            if (committedOffset != null && timeLag) {
                if (lag == 0) {
                    lagSeconds = 0.0;
                } else if (timestamps.getOrDefault(tp, Map.of()).containsKey(firstUnconsumed(offset, start))) {
                    lagSeconds = Math.max(0, now - timestamps.get(tp).get(firstUnconsumed(offset, start))) / 1000.0;
                    Long retention = retentionMs.get(tp.topic());
                    if (retention != null && retention > 0) {
                        retentionLeft = retention / 1000.0 - lagSeconds;
                    }
                }
            }
            int metadataBytes = offset == null || offset.metadata() == null ? 0
                    : offset.metadata().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            details.add(new PartitionDetail(tp.topic(), tp.partition(), committedOffset, start, end, lag, lagSeconds,
                    owner.get(tp), metadataBytes, deletedUnread, retentionLeft));
        }
        Node node = description.coordinator();
        return new GroupDetail(description.groupId(),
                description.groupState() == null ? "Unknown" : description.groupState().toString(),
                description.type() == null ? "unknown" : description.type().toString().toLowerCase(java.util.Locale.ROOT),
                description.partitionAssignor(),
                node == null ? null : new GroupDetail.Coordinator(node.id(), node.host(), node.port()),
                description.groupEpoch().orElse(null), description.targetAssignmentEpoch().orElse(null), members, details);
    }

    private KafkaFuture<Map<TopicPartition, Long>> offsets(Set<TopicPartition> partitions, OffsetSpec spec,
            IsolationLevel isolation) {
        if (partitions.isEmpty()) {
            return KafkaFuture.completedFuture(Map.of());
        }
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        return admin.listOffsets(request, new ListOffsetsOptions(isolation)).all().thenApply(answer -> {
            Map<TopicPartition, Long> result = new HashMap<>();
            answer.forEach((tp, info) -> result.put(tp, info.offset()));
            return result;
        });
    }

    /** retention.ms of each topic that deletes (not compact-only); others are left out. */
    private KafkaFuture<Map<String, Long>> retentionMsOf(Set<TopicPartition> partitions) {
        Set<ConfigResource> topics = new HashSet<>();
        partitions.forEach(tp -> topics.add(new ConfigResource(ConfigResource.Type.TOPIC, tp.topic())));
        if (topics.isEmpty()) {
            return KafkaFuture.completedFuture(Map.of());
        }
        return admin.describeConfigs(topics).all().thenApply(configs -> {
            Map<String, Long> result = new HashMap<>();
            configs.forEach((resource, config) -> {
                var policy = config.get("cleanup.policy");
                var retention = config.get("retention.ms");
                if (retention != null && (policy == null || policy.value().contains("delete"))) {
                    result.put(resource.name(), Long.parseLong(retention.value()));
                }
            });
            return result;
        });
    }

    private static List<TopicPartition> sorted(Collection<TopicPartition> partitions) {
        List<TopicPartition> list = new ArrayList<>(partitions);
        list.sort(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
        return list;
    }

    private static GroupAdminException unknownGroup(String group) {
        return new GroupAdminException("group '" + group + "' does not exist: list the groups with `kgroups groups`");
    }

    /**
     * What resetting {@code group} to {@code target} would do, changing nothing.
     *
     * @param topics topic to partitions (an empty set: all of them); null: every topic the group
     *     has committed offsets for
     */
    public ResetPlan planReset(String group, Map<String, Set<Integer>> topics, ResetTarget target) {
        return new ResetPlanner(admin, calls, clientProperties).plan(group, topics, target);
    }

    /**
     * Applies a reset, planned anew from the offsets committed right before the write (so after
     * any wait, members' last commits are the ones moved from): refuses while the group has
     * members; writes a backup that undoes it to {@code backupDir} first (restore it with a
     * {@link ResetTarget.FromOffsets} reset, e.g. {@code OffsetsFile.read(backup)}: partitions
     * that had no offset get none again, commit metadata and leader epochs come back); then
     * commits the targets and appends one JSON line to {@code auditLog}. A member joining after
     * the check makes Kafka refuse the write: then nothing is changed and the backup is removed.
     *
     * @param topics as for {@link #planReset}
     * @param backupDir where the backup goes; null: none is written
     * @param auditLog null: no audit line
     * @return the plan as written (compare it with a dry run: {@link ResetPlan#movedSince}) and the backup
     */
    public ExecutedReset executeReset(String group, Map<String, Set<Integer>> topics, ResetTarget target, Path backupDir,
            Path auditLog) {
        return writer.reset(group, topics, target, backupDir, auditLog);
    }

    /** Test seam: {@code hook} runs right before a reset writes, after every check and the backup. */
    void beforeWrite(Runnable hook) {
        writer.beforeWrite(hook);
    }

    /** The group's committed offsets (an unknown group is an error). */
    public Map<TopicPartition, Long> committedOffsets(String group) {
        Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
        for (PartitionDetail p : describe(List.of(group), false, true, IsolationLevel.READ_UNCOMMITTED).get(0).partitions()) {
            if (p.committedOffset() != null) {
                offsets.put(new TopicPartition(p.topic(), p.partition()), p.committedOffset());
            }
        }
        return offsets;
    }

    /** Deletes groups; Kafka refuses a group with members, and the error says so. */
    public void deleteGroups(Collection<String> groups) {
        writer.deleteGroups(groups);
    }

    /** Deletes the group's committed offsets of one topic; refused while the group consumes it. */
    public void deleteOffsets(String group, String topic) {
        writer.deleteOffsets(group, topic);
    }

    /** Waits until the group has no members, up to {@code wait}; false if it still has some. */
    public boolean awaitInactive(String group, Duration wait) throws InterruptedException {
        return writer.awaitInactive(group, wait);
    }

    /** Kafka's Admin client, for operations this class does not cover. */
    public Admin admin() {
        return admin;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
