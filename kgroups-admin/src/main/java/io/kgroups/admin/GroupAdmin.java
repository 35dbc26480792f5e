package io.kgroups.admin;

import io.kgroups.admin.internal.Access;
import io.kgroups.admin.internal.Calls;
import io.kgroups.admin.internal.Chunks;
import io.kgroups.admin.internal.DeletePlanner;
import io.kgroups.admin.internal.FirstRecordReader;
import io.kgroups.admin.internal.GroupReads;
import io.kgroups.admin.internal.OffsetStore;
import io.kgroups.admin.internal.OffsetWriter;
import io.kgroups.admin.internal.ResetPlanner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicAuthorizationException;

/**
 * Consumer-group operations on Kafka's {@link Admin} client. Every question is answered with a
 * fixed number of batched calls per {@value #GROUPS_PER_CHUNK} groups, whatever the number of
 * partitions: one describe of the chunk's groups, one offsets call for them, one log-start and one
 * log-end round for all their partitions. The streamed reads hand each chunk on before the next is
 * read.
 *
 * <pre>{@code
 * try (GroupAdmin groups = GroupAdmin.create(clientProperties, Duration.ofSeconds(30))) {
 *     GroupDetail loader = groups.describe(List.of("storage_loader")).get(0);
 *     loader.totalLag();
 * }
 * }</pre>
 */
public final class GroupAdmin implements AutoCloseable {
    /**
     * Groups read and handed on at a time by the streamed reads ({@link #describe(Collection,
     * IsolationLevel, Consumer)}, {@link #listGroups(List, Consumer)}), the next chunk read while one
     * is handed on (read and assembled on a thread of its own). Batched by coordinator: Kafka's Admin client does it within each call of a
     * chunk: describeConsumerGroups (and of the other types) finds the coordinators of all the
     * chunk's groups in one FindCoordinator request per broker and sends each coordinator one
     * describe request for all of its groups; listConsumerGroupOffsets of a map of specs, one
     * OffsetFetch per coordinator; listOffsets, one request per partition leader. A few hundred
     * groups keep those requests few and a chunk's details small (500 groups of 24 partitions:
     * 12,000 partition rows).
     */
    public static final int GROUPS_PER_CHUNK = 500;
    /** How long to wait for the first unconsumed records when measuring time lag. */
    private static final Duration TIME_LAG_WAIT = Duration.ofSeconds(3);

    private final Admin admin;
    private final Properties clientProperties;
    private final Calls calls;
    private final GroupReads reads;
    private final DeletePlanner deletes;
    private final OffsetWriter writer;
    /**
     * The consumers that read the logs for time lag, one per isolation level: started in the
     * background at the first need and kept until {@link #close}, since a consumer takes a moment to
     * start and a streamed read (a read per chunk) or a monitor (a read per cycle) reads again and
     * again. Reads take turns on one (a consumer serves one thread).
     */
    private final Map<IsolationLevel, CompletableFuture<KafkaConsumer<byte[], byte[]>>> logReaders =
            new EnumMap<>(IsolationLevel.class);

    private GroupAdmin(Admin admin, Properties clientProperties, Duration timeout) {
        this.admin = admin;
        this.clientProperties = clientProperties;
        this.calls = new Calls(timeout, clientProperties.getProperty("bootstrap.servers", "?"),
                Access.principal(clientProperties));
        this.reads = new GroupReads(admin, calls);
        this.deletes = new DeletePlanner(admin, calls, clientProperties);
        this.writer = new OffsetWriter(admin, calls, new ResetPlanner(admin, calls, clientProperties), deletes);
    }

    /** An admin on the cluster {@code clientProperties} point at (bootstrap.servers, security). */
    public static GroupAdmin create(Properties clientProperties, Duration timeout) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        p.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(ms));
        p.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(Math.min(ms, 30_000)));
        // describeConsumerGroups asks a classic group with ConsumerGroupDescribe (KIP-848) first and with
        // DescribeGroups on the retry, after retry.backoff.ms: Kafka's 100 ms was most of a chunk's read (measured at
        // 10,000 classic groups: 2.3 s of 20 describes; 0.5 s at 10 ms). Real retries still back off, exponentially,
        // up to retry.backoff.max.ms (1 s); a value in the client properties wins.
        p.putIfAbsent(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, "10");
        return new GroupAdmin(Admin.create(p), clientProperties, timeout);
    }

    /** Every group the cluster has, of every type, with members, topics and total lag. */
    public List<GroupSummary> listGroups() {
        List<GroupSummary> summaries = new ArrayList<>();
        listGroups(listed(), summaries::addAll);
        return summaries;
    }

    /** Every group of the cluster as the group list names it (one call): name, type, protocol type, state. */
    public List<OffsetReadings.Listed> listed() {
        return List.copyOf(reads.list().values());
    }

    /**
     * The summaries of {@code groups} (from {@link #listed}), in their order, handed to {@code sink}
     * {@value #GROUPS_PER_CHUNK} groups at a time: each chunk is read (one batch of calls) and
     * handed on before the next is read, so the first groups are out before the last are asked for,
     * and only one chunk's details are in memory.
     */
    public void listGroups(List<OffsetReadings.Listed> groups, Consumer<List<GroupSummary>> sink) {
        Map<String, OffsetReadings.Listed> listed = new HashMap<>();
        groups.forEach(l -> listed.put(l.group(), l));
        Chunks.readAhead(Chunks.of(groups, GROUPS_PER_CHUNK), chunk -> {
            OffsetReadings readings = reads.read(chunk.stream().filter(OffsetReadings.Listed::readable)
                    .map(OffsetReadings.Listed::group).toList(), listed, IsolationLevel.READ_UNCOMMITTED);
            // Records left are read only where few offsets are: that is where transaction markers make phantom lag.
            FirstRecords firstRecords = readLogs(readings.smallLags(), readings.logEnd(), IsolationLevel.READ_UNCOMMITTED,
                    TIME_LAG_WAIT);
            Map<String, GroupDetail> details = new HashMap<>();
            readings.details(firstRecords, Map.of(), System.currentTimeMillis()).forEach(d -> details.put(d.group(), d));
            return chunk.stream().map(l -> summary(l, details.get(l.group()))).toList();
        }, sink);
    }

    private static GroupSummary summary(OffsetReadings.Listed l, GroupDetail detail) {
        if (detail == null) {
            return new GroupSummary(l.group(), l.state(), l.type(), l.protocolType(), null, List.of(), null, null);
        }
        Set<String> topics = new TreeSet<>();
        detail.partitions().forEach(p -> topics.add(p.topic()));
        return new GroupSummary(l.group(), detail.error() == null ? detail.state() : l.state(), l.type(),
                l.protocolType(), detail.error() == null ? detail.members().size() : null, List.copyOf(topics),
                detail.hasLag() && detail.error() == null ? detail.totalLag() : null, detail.error());
    }

    /** The named groups in full, with time lag and retention risk; an unknown group is an error. */
    public List<GroupDetail> describe(Collection<String> groups) {
        return describe(groups, IsolationLevel.READ_UNCOMMITTED);
    }

    /**
     * As {@link #describe(Collection)}, with log-end offsets read at {@code isolation}: with
     * READ_COMMITTED, lag is measured against the last stable offset and aborted records are not
     * records, so a topic with transactions shows no phantom lag from open or aborted transactions.
     */
    public List<GroupDetail> describe(Collection<String> groups, IsolationLevel isolation) {
        List<GroupDetail> details = new ArrayList<>();
        describe(groups, isolation, details::addAll);
        return details;
    }

    /** Every group of the cluster in full (those that are not consumer groups: as far as Kafka describes them). */
    public List<GroupDetail> describeAll() {
        return describeAll(IsolationLevel.READ_UNCOMMITTED);
    }

    /** Every group in full, log-end offsets read at {@code isolation}. */
    public List<GroupDetail> describeAll(IsolationLevel isolation) {
        return describe(null, isolation);
    }

    /**
     * The groups in full, in their order, handed to {@code sink} {@value #GROUPS_PER_CHUNK} at a
     * time: each chunk is read (one batch of calls, its time lags and the retention of topics not
     * seen before) and handed on before the next is read, so the first groups are out before the
     * last are asked for, and only one chunk's details are in memory. An unknown named group is an
     * error, thrown before any chunk is handed on.
     *
     * @param groups null: every group listed (those that are not consumer groups: as far as Kafka
     *     describes them)
     */
    public void describe(Collection<String> groups, IsolationLevel isolation, Consumer<List<GroupDetail>> sink) {
        if (groups != null && groups.isEmpty()) {
            return;
        }
        Map<String, OffsetReadings.Listed> listed = reads.list();
        List<String> names = List.copyOf(groups == null ? listed.keySet() : new LinkedHashSet<>(groups));
        boolean mustExist = groups != null;
        if (mustExist && names.size() > GROUPS_PER_CHUNK) {
            // A group the list does not name may not exist: found out in a later chunk, the answer would be cut short.
            for (List<String> chunk : Chunks.of(names.stream().filter(g -> !listed.containsKey(g)).toList(),
                    GROUPS_PER_CHUNK)) {
                checkExist(chunk, reads.read(chunk, listed, isolation), listed);
            }
        }
        logReader(isolation); // it takes a moment to start: let it start while the Admin calls run
        Map<String, Long> retention = new HashMap<>(); // read once per topic, whatever the number of chunks
        Set<String> retentionAsked = new HashSet<>();
        Chunks.readAhead(Chunks.of(names, GROUPS_PER_CHUNK), chunk -> describeChunk(chunk,
                reads.read(readable(chunk, listed), listed, isolation), listed, mustExist, isolation, retention,
                retentionAsked), sink);
    }

    /**
     * One batched read of the groups whose name {@code include} accepts (consumer groups, share
     * groups and the classic groups of other protocols), failures kept per group and partition: what a monitor
     * samples each cycle. Add time lag with {@link #firstRecords} and assemble with
     * {@link OffsetReadings#details}.
     */
    public OffsetReadings readOffsets(java.util.function.Predicate<String> include, IsolationLevel isolation) {
        Map<String, OffsetReadings.Listed> listed = reads.list();
        List<String> groups = listed.values().stream()
                .filter(l -> include.test(l.group()) && l.readable())
                .map(OffsetReadings.Listed::group).toList();
        return reads.read(groups, listed, isolation);
    }

    /**
     * Reads the logs at the offsets wanted: the first record at or after each (its timestamp: the
     * time lag), or that none stands before {@code logEnd}; what has no answer within
     * {@code maxWait} is left out. Read by a consumer this admin keeps until closed.
     */
    public FirstRecords firstRecords(Map<TopicPartition, SortedSet<Long>> wanted, Map<TopicPartition, Long> logEnd,
            IsolationLevel isolation, Duration maxWait) {
        return readLogs(wanted, logEnd, isolation, maxWait);
    }

    /**
     * retention.ms of each topic that deletes (not compact-only); others are left out, as are
     * topics whose configs the principal may not read.
     */
    public Map<String, Long> retentionMs(Collection<String> topics) {
        Set<TopicPartition> partitions = new HashSet<>();
        topics.forEach(t -> partitions.add(new TopicPartition(t, 0)));
        return retention(retentionMsOf(partitions));
    }

    /** Of these groups, those the read path describes (and those not listed: maybe a group with offsets only). */
    private static List<String> readable(List<String> groups, Map<String, OffsetReadings.Listed> listed) {
        return groups.stream().filter(g -> !listed.containsKey(g) || listed.get(g).readable()).toList();
    }

    /** A chunk's groups in full, from its readings: time lags, retention of topics not seen before, assembly. */
    private List<GroupDetail> describeChunk(List<String> names, OffsetReadings readings,
            Map<String, OffsetReadings.Listed> listed, boolean mustExist, IsolationLevel isolation,
            Map<String, Long> retention, Set<String> retentionAsked) {
        if (mustExist) {
            checkExist(readable(names, listed), readings, listed);
        }
        Set<TopicPartition> unseenTopics = new HashSet<>();
        readings.logEnd().keySet().stream().filter(tp -> retentionAsked.add(tp.topic())).forEach(unseenTopics::add);
        Map<ConfigResource, KafkaFuture<Config>> retentionCall = retentionMsOf(unseenTopics);
        FirstRecords firstRecords = readLogs(readings.firstUnconsumed(), readings.logEnd(), isolation, TIME_LAG_WAIT);
        retention.putAll(retention(retentionCall));
        Map<String, GroupDetail> byName = new HashMap<>();
        readings.details(firstRecords, retention, System.currentTimeMillis()).forEach(d -> byName.put(d.group(), d));
        List<GroupDetail> result = new ArrayList<>();
        for (String group : names) {
            if (byName.containsKey(group)) {
                result.add(byName.get(group));
            } else if (listed.containsKey(group) && !listed.get(group).readable()) {
                OffsetReadings.Listed l = listed.get(group); // a type of group kgroups does not know: what the list says
                result.add(new GroupDetail(group, l.state(), l.type(), l.protocolType(), null, null, null, null, null,
                        List.of(), List.of(), List.of(), null));
            }
        }
        return result;
    }

    /** Every group of {@code groups} was read, or the command fails with why (rather than answer in part). */
    private static void checkExist(List<String> groups, OffsetReadings readings, Map<String, OffsetReadings.Listed> listed) {
        for (String group : groups) {
            if (!readings.groups().contains(group)) {
                throw GroupAdminException.unknownGroup(group);
            }
            // Not listed and not readable: Kafka lists only the groups one may describe, so this is a refusal
            // (or a group that is not there).
            if (!listed.containsKey(group) && readings.groupErrors().containsKey(group)) {
                throw new GroupAdminException(readings.groupErrors().get(group));
            }
        }
    }

    private synchronized CompletableFuture<KafkaConsumer<byte[], byte[]>> logReader(IsolationLevel isolation) {
        return logReaders.computeIfAbsent(isolation,
                level -> CompletableFuture.supplyAsync(() -> FirstRecordReader.consumer(clientProperties, level)));
    }

    private FirstRecords readLogs(Map<TopicPartition, SortedSet<Long>> wanted, Map<TopicPartition, Long> logEnd,
            IsolationLevel isolation, Duration maxWait) {
        if (wanted.isEmpty()) {
            return FirstRecords.none();
        }
        KafkaConsumer<byte[], byte[]> consumer = logReader(isolation).join();
        synchronized (consumer) {
            return FirstRecordReader.read(consumer, wanted, logEnd, maxWait);
        }
    }

    /** The configs of the topics of {@code partitions}, asked for: read them with {@link #retention}. */
    private Map<ConfigResource, KafkaFuture<Config>> retentionMsOf(Set<TopicPartition> partitions) {
        Set<ConfigResource> topics = new HashSet<>();
        partitions.forEach(tp -> topics.add(new ConfigResource(ConfigResource.Type.TOPIC, tp.topic())));
        return topics.isEmpty() ? Map.of() : admin.describeConfigs(topics).values();
    }

    /**
     * retention.ms of each topic that deletes (not compact-only); others are left out, and so is a
     * topic whose configs the principal may not read (no DescribeConfigs): its retention risk is
     * unknown, and the others' are read.
     */
    private Map<String, Long> retention(Map<ConfigResource, KafkaFuture<Config>> described) {
        Map<String, Long> result = new HashMap<>();
        described.forEach((resource, future) -> {
            Config config;
            try {
                config = calls.await(future, "read the retention of topic " + resource.name(),
                        Access.topics("DescribeConfigs"));
            } catch (GroupAdminException e) {
                if (e.getCause() instanceof TopicAuthorizationException) {
                    return;
                }
                throw e;
            }
            var policy = config.get("cleanup.policy");
            var retention = config.get("retention.ms");
            if (retention != null && (policy == null || policy.value().contains("delete"))) {
                result.put(resource.name(), Long.parseLong(retention.value()));
            }
        });
        return result;
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
     * Plans as {@link #planReset} makes them, for a server that makes many: one consumer, kept
     * until closed, reads the time spans of all of them (see {@link ResetPreviews}).
     */
    public ResetPreviews resetPreviews() {
        return new ResetPreviews(admin, calls, clientProperties);
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

    /**
     * The group's offsets, in topic and partition order: a consumer or streams group's committed
     * offsets, a share group's positions (its start offsets, or the log end where nothing is left
     * to deliver): what a reset from them restores. An unknown group is an error.
     */
    public Map<TopicPartition, Long> committedOffsets(String group) {
        OffsetReadings.Listed listed = reads.list().get(group);
        if (listed == null) {
            throw GroupAdminException.unknownGroup(group);
        }
        Map<TopicPartition, Long> offsets = new TreeMap<>(Comparator.comparing(TopicPartition::topic)
                .thenComparingInt(TopicPartition::partition));
        OffsetStore.of(listed, null, admin, calls, "exports").offsets(group).forEach((tp, o) -> offsets.put(tp, o.offset()));
        return offsets;
    }

    /**
     * What deleting the group would remove, changing nothing: every offset (with its leader epoch,
     * metadata and lag) and, unless {@code keepConfigs}, its dynamic configs; with {@code
     * internalTopics}, a streams group's repartition and changelog topics; and the members in the
     * way. A group that does not exist, or has no offsets of its own (a Kafka Connect worker
     * group), is an error; so is {@code internalTopics} for a group that is not a streams group.
     */
    public DeletePlan planDelete(String group, boolean keepConfigs, boolean internalTopics) {
        return deletes.group(group, keepConfigs, internalTopics).plan();
    }

    /**
     * Deletes the group, as {@link #planDelete} plans it right before the delete: refused while it
     * has members; a backup that restores it (offsets with epochs and metadata, and the configs
     * deleted) is written to {@code backupDir} first (restore it with a {@link ResetTarget.FromOffsets}
     * reset of {@code OffsetsFile.read(backup)}); then one JSON line is appended to {@code auditLog}.
     * Kafka keeps a group's dynamic configs when the group is deleted, and they would apply to the
     * next group of the name: they are deleted too unless {@code keepConfigs}. A streams group's
     * internal topics, with {@code internalTopics}, are deleted last, once the group is gone (no
     * backup brings their records back). A member joining after the check makes Kafka refuse: then
     * nothing is changed and the backup is removed.
     *
     * @param backupDir null: no backup is written
     * @param auditLog null: no audit line
     * @return what was deleted, and the backup (null when none was asked for, or there was nothing to restore)
     */
    public ExecutedDelete executeDelete(String group, boolean keepConfigs, boolean internalTopics, Path backupDir,
            Path auditLog) {
        return writer.deleteGroup(group, keepConfigs, internalTopics, backupDir, auditLog);
    }

    /**
     * What deleting some of the group's committed offsets would remove, changing nothing, and the
     * members in the way (those assigned a partition of the topics). A topic or partition the
     * group has no offset for is an error (a typo).
     *
     * @param topics topic to partitions (an empty set: all of them); null: every topic the group has offsets for
     */
    public DeletePlan planDeleteOffsets(String group, Map<String, Set<Integer>> topics) {
        return deletes.offsets(group, topics).plan();
    }

    /**
     * Deletes some of the group's committed offsets, as {@link #planDeleteOffsets} plans it right
     * before the delete, backed up and audited as {@link #executeDelete}: refused while a member is
     * assigned a partition of the topics; Kafka refusing because the group subscribes to a topic
     * changes nothing and leaves no backup.
     *
     * @param topics as for {@link #planDeleteOffsets}
     */
    public ExecutedDelete executeDeleteOffsets(String group, Map<String, Set<Integer>> topics, Path backupDir,
            Path auditLog) {
        return writer.deleteOffsets(group, topics, backupDir, auditLog);
    }

    /** Waits until the group has no members, up to {@code wait}; false if it still has some. */
    public boolean awaitInactive(String group, Duration wait) throws InterruptedException {
        return writer.awaitInactive(group, wait);
    }

    /**
     * Of these topics, those the principal may not describe, each with why in words (what to
     * grant): Kafka leaves such a topic out of a group's offsets without a word, so a topic a group
     * had offsets on that a later read does not return is either gone or hidden; this tells which.
     */
    public Map<String, String> hiddenTopics(Collection<String> topics) {
        Map<String, String> hidden = new TreeMap<>();
        if (topics.isEmpty()) {
            return hidden;
        }
        var described = admin.describeTopics(topics).topicNameValues();
        described.forEach((topic, future) -> {
            try {
                calls.await(future, "describe topic " + topic, Access.topics("Describe", List.of(topic)));
            } catch (GroupAdminException e) {
                if (e.getCause() instanceof TopicAuthorizationException) {
                    hidden.put(topic, "offsets of topic " + topic + " not visible: " + e.getMessage());
                }
            }
        });
        return hidden;
    }

    /** Kafka's Admin client, for operations this class does not cover. */
    public Admin admin() {
        return admin;
    }

    @Override
    public void close() {
        synchronized (this) {
            logReaders.values().forEach(reader -> reader.thenAccept(c -> c.close(Duration.ZERO)));
        }
        admin.close(Duration.ofSeconds(5));
    }
}
