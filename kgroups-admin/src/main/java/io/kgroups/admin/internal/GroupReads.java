package io.kgroups.admin.internal;

import io.kgroups.admin.GroupAdminException;
import io.kgroups.admin.GroupDetail;
import io.kgroups.admin.OffsetReadings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ClassicGroupDescription;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeClassicGroupsOptions;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.DescribeShareGroupsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.clients.admin.ShareMemberDescription;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.clients.admin.DescribeStreamsGroupsOptions;
import org.apache.kafka.clients.admin.ListStreamsGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListStreamsGroupOffsetsSpec;
import org.apache.kafka.clients.admin.StreamsGroupDescription;
import org.apache.kafka.clients.admin.StreamsGroupMemberDescription;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/**
 * The read path's Kafka calls, batched and failure-local: one list of groups, one describe and
 * one offsets call for all groups of a type (consumer and streams groups commit offsets alike), one
 * config call for all share groups, one topic-metadata call, one log-start and one log-end round
 * for all partitions, whatever their number. Each group and partition has its own future, so a
 * coordinator that does not answer, an offline partition (no leader: not asked for offsets at
 * all, so it costs no wait), a deleted or denied topic marks only what it touches.
 */
public final class GroupReads {
    private final Admin admin;
    private final Calls calls;
    private final GroupConfigs configs;

    public GroupReads(Admin admin, Calls calls) {
        this.admin = admin;
        this.calls = calls;
        this.configs = new GroupConfigs(admin, calls);
    }

    /** Every group of the cluster, as the group list says; a failure here is the cluster's (one line). */
    public Map<String, OffsetReadings.Listed> list() {
        Collection<GroupListing> listings = calls.await(admin.listGroups(new ListGroupsOptions()
                .timeoutMs(millis(calls.timeout()))).all(), "list groups");
        Map<String, OffsetReadings.Listed> listed = new java.util.TreeMap<>();
        for (GroupListing l : listings) {
            listed.put(l.groupId(), new OffsetReadings.Listed(l.groupId(),
                    l.type().map(t -> t.toString().toLowerCase(Locale.ROOT)).orElse("classic"),
                    l.protocol() == null ? "" : l.protocol(),
                    l.groupState().map(Object::toString).orElse("Unknown")));
        }
        return listed;
    }

    /**
     * Reads {@code groups} (names from {@link #list}); a group not listed is read as a consumer
     * group (it may have only committed offsets). Groups that turn out not to exist are left out.
     */
    public OffsetReadings read(List<String> groups, Map<String, OffsetReadings.Listed> listed, IsolationLevel isolation) {
        long readAt = System.currentTimeMillis();
        int timeoutMs = millis(calls.timeout());
        List<String> consumer = new ArrayList<>();
        List<String> foreign = new ArrayList<>();
        List<String> share = new ArrayList<>();
        List<String> streams = new ArrayList<>();
        for (String g : groups) {
            OffsetReadings.Listed l = listed.get(g);
            if (l == null || l.consumerGroup()) {
                consumer.add(g);
            } else if (l.classic()) {
                foreign.add(g);
            } else if (l.share()) {
                share.add(g);
            } else if (l.streams()) {
                streams.add(g);
            }
        }
        Map<String, KafkaFuture<ConsumerGroupDescription>> describing = consumer.isEmpty() ? Map.of()
                : admin.describeConsumerGroups(consumer, new DescribeConsumerGroupsOptions().timeoutMs(timeoutMs))
                        .describedGroups();
        Map<String, ListConsumerGroupOffsetsSpec> specs = new LinkedHashMap<>();
        consumer.forEach(g -> specs.put(g, new ListConsumerGroupOffsetsSpec()));
        var offsetsResult = consumer.isEmpty() ? null
                : admin.listConsumerGroupOffsets(specs, new ListConsumerGroupOffsetsOptions().timeoutMs(timeoutMs));
        Map<String, KafkaFuture<ClassicGroupDescription>> describingForeign = foreign.isEmpty() ? Map.of()
                : admin.describeClassicGroups(foreign, new DescribeClassicGroupsOptions().timeoutMs(timeoutMs))
                        .describedGroups();
        Map<String, KafkaFuture<ShareGroupDescription>> describingShare = share.isEmpty() ? Map.of()
                : admin.describeShareGroups(share, new DescribeShareGroupsOptions().timeoutMs(timeoutMs)).describedGroups();
        Map<String, ListShareGroupOffsetsSpec> shareSpecs = new LinkedHashMap<>();
        share.forEach(g -> shareSpecs.put(g, new ListShareGroupOffsetsSpec()));
        var shareOffsetsResult = share.isEmpty() ? null
                : admin.listShareGroupOffsets(shareSpecs, new ListShareGroupOffsetsOptions().timeoutMs(timeoutMs));
        Map<String, KafkaFuture<Config>> describingShareConfigs = share.isEmpty() ? Map.of()
                : configs.describe(share, timeoutMs);
        Map<String, KafkaFuture<StreamsGroupDescription>> describingStreams = streams.isEmpty() ? Map.of()
                : admin.describeStreamsGroups(streams, new DescribeStreamsGroupsOptions().timeoutMs(timeoutMs))
                        .describedGroups();
        Map<String, ListStreamsGroupOffsetsSpec> streamsSpecs = new LinkedHashMap<>();
        streams.forEach(g -> streamsSpecs.put(g, new ListStreamsGroupOffsetsSpec()));
        var streamsOffsetsResult = streams.isEmpty() ? null
                : admin.listStreamsGroupOffsets(streamsSpecs, new ListStreamsGroupOffsetsOptions().timeoutMs(timeoutMs));

        Map<String, ConsumerGroupDescription> described = new LinkedHashMap<>();
        Map<String, ClassicGroupDescription> foreignDescribed = new LinkedHashMap<>();
        Map<String, ShareGroupDescription> shareDescribed = new LinkedHashMap<>();
        Map<String, Map<TopicPartition, SharePartitionOffsetInfo>> shareOffsets = new HashMap<>();
        Map<String, List<GroupDetail.Config>> shareConfigs = new HashMap<>();
        Map<String, StreamsGroupDescription> streamsDescribed = new LinkedHashMap<>();
        Map<String, Map<TopicPartition, OffsetAndMetadata>> committed = new HashMap<>();
        Map<String, String> groupErrors = new LinkedHashMap<>();
        Set<String> missing = new HashSet<>();
        for (String group : consumer) {
            Map<TopicPartition, OffsetAndMetadata> present = readGroup(group, describing.get(group),
                    offsetsResult.partitionsToOffsetAndMetadata(group), "group ", "offsets",
                    ConsumerGroupDescription::groupState, described, missing, groupErrors);
            if (present != null) {
                committed.put(group, present);
            }
        }
        for (String group : foreign) {
            ClassicGroupDescription description = attempt(describingForeign.get(group), "describe group " + group,
                    groupFailure(group, missing, groupErrors));
            if (description != null) {
                foreignDescribed.put(group, description);
            }
        }
        for (String group : share) {
            Map<TopicPartition, SharePartitionOffsetInfo> present = readGroup(group, describingShare.get(group),
                    shareOffsetsResult.partitionsToOffsetInfo(group), "share group ", "start offsets",
                    ShareGroupDescription::groupState, shareDescribed, missing, groupErrors);
            if (present == null) {
                continue;
            }
            shareOffsets.put(group, present);
            try {
                shareConfigs.put(group, configs.shareConfigs(group, describingShareConfigs.get(group)));
            } catch (GroupAdminException e) {
                // Not the group's failure (configs may be denied where the group is not): it is shown without them.
            }
        }
        for (String group : streams) {
            Map<TopicPartition, OffsetAndMetadata> present = readGroup(group, describingStreams.get(group),
                    streamsOffsetsResult.partitionsToOffsetAndMetadata(group), "streams group ", "offsets",
                    StreamsGroupDescription::groupState, streamsDescribed, missing, groupErrors);
            if (present != null) {
                committed.put(group, present);
            }
        }

        Set<TopicPartition> partitions = new HashSet<>();
        for (String group : described.keySet()) {
            partitions.addAll(committed.get(group).keySet());
            for (MemberDescription member : described.get(group).members()) {
                partitions.addAll(member.assignment().topicPartitions());
            }
        }
        for (String group : shareDescribed.keySet()) {
            partitions.addAll(shareOffsets.get(group).keySet());
            for (ShareMemberDescription member : shareDescribed.get(group).members()) {
                partitions.addAll(member.assignment().topicPartitions());
            }
        }
        for (StreamsGroupDescription description : streamsDescribed.values()) {
            partitions.addAll(committed.get(description.groupId()).keySet());
            for (StreamsGroupMemberDescription member : description.members()) {
                partitions.addAll(GroupAssembly.inputPartitions(description, member.assignment().activeTasks()));
            }
        }
        Map<TopicPartition, String> partitionErrors = new HashMap<>();
        Set<TopicPartition> readable = readable(partitions, partitionErrors, timeoutMs);
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        readable.forEach(tp -> {
            earliest.put(tp, OffsetSpec.earliest());
            latest.put(tp, OffsetSpec.latest());
        });
        // Independent calls go out together; each is one request per leader for all its partitions.
        ListOffsetsResult starts = readable.isEmpty() ? null
                : admin.listOffsets(earliest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED).timeoutMs(timeoutMs));
        ListOffsetsResult ends = readable.isEmpty() ? null
                : admin.listOffsets(latest, new ListOffsetsOptions(isolation).timeoutMs(timeoutMs));
        Map<TopicPartition, Long> logStart = new HashMap<>();
        Map<TopicPartition, Long> logEnd = new HashMap<>();
        for (TopicPartition tp : readable) {
            var start = attempt(starts.partitionResult(tp), "read the log-start offset of " + tp,
                    e -> partitionErrors.put(tp, e.getMessage()));
            var end = attempt(ends.partitionResult(tp), "read the log-end offset of " + tp,
                    e -> partitionErrors.putIfAbsent(tp, e.getMessage()));
            if (start != null && end != null) {
                logStart.put(tp, start.offset());
                logEnd.put(tp, end.offset());
            }
        }
        List<String> read = groups.stream().filter(g -> !missing.contains(g) && (described.containsKey(g)
                || foreignDescribed.containsKey(g) || shareDescribed.containsKey(g) || streamsDescribed.containsKey(g)
                || groupErrors.containsKey(g))).toList();
        return new OffsetReadings(read, listed, described, foreignDescribed, shareDescribed, shareOffsets, streamsDescribed,
                committed, groupErrors, logStart, logEnd, partitionErrors, readAt, shareConfigs);
    }

    /**
     * The partitions whose log offsets can be asked for: the topic exists, is visible, and the
     * partition has a leader. Asking for an offline one would wait the whole timeout in retries.
     */
    private Set<TopicPartition> readable(Set<TopicPartition> partitions, Map<TopicPartition, String> errors, int timeoutMs) {
        Set<String> topics = new HashSet<>();
        partitions.forEach(tp -> topics.add(tp.topic()));
        if (topics.isEmpty()) {
            return Set.of();
        }
        Map<String, KafkaFuture<TopicDescription>> describing = admin.describeTopics(topics,
                new DescribeTopicsOptions().timeoutMs(timeoutMs)).topicNameValues();
        Map<String, TopicDescription> described = new HashMap<>();
        Map<String, String> topicErrors = new HashMap<>();
        for (String topic : topics) {
            // A topic the principal may not describe is also one whose offsets Kafka leaves out of a group's: say so,
            // rather than show the group's lag without it as if it were whole.
            TopicDescription d = attempt(describing.get(topic), "describe topic " + topic, e -> topicErrors.put(topic,
                    e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException
                            ? "topic " + topic + " does not exist (deleted?): the group's offsets for it are left over"
                            : e.getCause() instanceof org.apache.kafka.common.errors.TopicAuthorizationException
                            ? "offsets of topic " + topic + " not visible: " + e.getMessage()
                            : e.getMessage()), Access.topics("Describe", List.of(topic)));
            if (d != null) {
                described.put(topic, d);
            }
        }
        Set<TopicPartition> readable = new HashSet<>();
        for (TopicPartition tp : partitions) {
            TopicDescription d = described.get(tp.topic());
            if (d == null) {
                errors.put(tp, topicErrors.get(tp.topic()));
                continue;
            }
            TopicPartitionInfo info = d.partitions().size() > tp.partition() ? d.partitions().get(tp.partition()) : null;
            if (info == null) {
                errors.put(tp, "topic " + tp.topic() + " has " + d.partitions().size() + " partitions now, not "
                        + (tp.partition() + 1) + ": the group's offset for " + tp + " is left over");
            } else if (info.leader() == null || info.leader().isEmpty()) {
                errors.put(tp, tp + " is offline (no leader; replicas on brokers "
                        + info.replicas().stream().map(n -> String.valueOf(n.id())).toList() + ")");
            } else {
                readable.add(tp);
            }
        }
        return readable;
    }

    /** A group that is gone is left out; any other failure is the group's error, in words. */
    private static Consumer<GroupAdminException> groupFailure(String group, Set<String> missing, Map<String, String> errors) {
        return e -> {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                missing.add(group);
            } else {
                errors.put(group, e.getMessage());
            }
        };
    }

    /**
     * One group's description and offsets: the offsets it has (those Kafka answers null for left
     * out), its description put in {@code described}; null when it is not shown, with why in
     * {@code missing} (a dead group without offsets, as good as none) or {@code groupErrors}.
     *
     * @param kind how messages name it: "group ", "share group " ...
     * @param offsetsWord what its offsets are called: "offsets", "start offsets"
     */
    private <D, O> Map<TopicPartition, O> readGroup(String group, KafkaFuture<D> describing,
            KafkaFuture<Map<TopicPartition, O>> reading, String kind, String offsetsWord, Function<D, GroupState> state,
            Map<String, D> described, Set<String> missing, Map<String, String> groupErrors) {
        D description = attempt(describing, "describe " + kind + group, groupFailure(group, missing, groupErrors));
        if (description == null) {
            return null;
        }
        Map<TopicPartition, O> offsets = attempt(reading, "read the " + offsetsWord + " of " + kind + group,
                e -> groupErrors.put(group, e.getMessage()));
        if (offsets == null) {
            return null;
        }
        Map<TopicPartition, O> present = new HashMap<>();
        offsets.forEach((tp, o) -> {
            if (o != null) {
                present.put(tp, o);
            }
        });
        if (state.apply(description) == GroupState.DEAD && present.isEmpty()) {
            missing.add(group);
            return null;
        }
        described.put(group, description);
        return present;
    }

    private <T> T attempt(KafkaFuture<T> future, String what, Consumer<GroupAdminException> onError, Access... needs) {
        try {
            return calls.await(future, what, needs);
        } catch (GroupAdminException e) {
            onError.accept(e);
            return null;
        }
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
    }
}
