package io.kgroups.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import io.kgroups.admin.GroupAdmin;
import io.kgroups.admin.GroupDetail;
import io.kgroups.admin.MemberDetail;
import io.kgroups.admin.PartitionDetail;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** A group in full: members, and per partition its offsets, lag, time lag and retention risk. */
@Command(name = "describe", header = "Show groups in full: members, offsets and lag per partition.",
        description = {"The state, coordinator, assignor and epochs of each group; its members and their partitions; "
            + "and per partition: committed offset, log-start, log-end, lag, time lag (the age of the first unconsumed "
            + "record), owner, commit metadata size and retention risk (records deleted unread, or the time left "
            + "before retention deletes the oldest unread one).", "",
            "Lag counts records: transaction markers are never lag. Share groups have no committed offset: per "
            + "partition they show the share-partition start offset (the lowest offset not yet delivery-complete) and "
            + "the lag the broker computes (KIP-1226): the records from the start offset to the end not yet "
            + "acknowledged, rejected or archived, which is not log-end minus the start offset; and the group configs "
            + "that shape them (share.auto.offset.reset, share.record.lock.duration.ms, share.delivery.count.limit, "
            + "... and their dead-letter queue's), each with its value and whether it is the group's own (source "
            + "group) or the broker's default (source default); CSV leaves the configs out. Streams groups "
            + "(KIP-1071) commit offsets like consumer groups: they show their topology epoch, each member's active, "
            + "standby and warm-up tasks (<subtopology>_<partition>), the subtopologies with their source, repartition "
            + "and changelog topics, and per partition of their input topics the offsets and lag. Groups that are "
            + "not consumer, share or streams groups (Kafka Connect's ...) are shown with their state and members. "
            + "What cannot be read is named on stderr and the rest is shown, with exit code 3."},
        footer = {"", "Examples:", "  Consumer stuck? Its members and lag per partition, then whether it moves:",
            "    kgroups describe storage_loader", "    kgroups lag storage_loader --watch 5s"})
final class DescribeCommand implements Callable<Integer> {
    @Mixin
    private CommandContext context;

    @Mixin
    private ClusterOptions cluster;

    static final class Which {
        @Parameters(paramLabel = "GROUP", arity = "1..*", completionCandidates = GroupNameCandidates.class,
                description = "The groups to describe.")
        List<String> groups;

        @Option(names = "--all-groups", required = true, description = "Every group of the cluster, those that are not "
                + "consumer groups included (Kafka Connect's, shown with their state and members).")
        boolean all;
    }

    @ArgGroup(multiplicity = "1")
    private Which which;

    @Option(names = "--isolation", paramLabel = "read_uncommitted|read_committed", defaultValue = "read_uncommitted",
            description = "read_committed measures the lag up to the last stable offset: records of open transactions "
                    + "are not lag, nor aborted ones (default: ${DEFAULT-VALUE}). Transaction markers are never lag.")
    private IsolationLevel isolation;

    /** Streamed: each chunk of groups is printed as it is read (see {@link GroupAdmin#GROUPS_PER_CHUNK}). */
    @Override
    public Integer call() {
        Output output = context.output();
        List<String> groups = which.all ? null : which.groups;
        try (GroupAdmin admin = ClusterConnection.groupAdmin(context)) {
            switch (output.format()) {
                case json -> {
                    Output.JsonList json = output.jsonList();
                    admin.describe(groups, isolation, chunk -> {
                        unreadable(output, chunk);
                        chunk.forEach(g -> json.add(new GroupJson(g)));
                        json.flush();
                    });
                    json.end();
                }
                case csv -> {
                    Output.Rows rows = output.rows(csvColumns());
                    admin.describe(groups, isolation, chunk -> {
                        unreadable(output, chunk);
                        rows.add(csv(chunk));
                    });
                    return rows.end();
                }
                default -> admin.describe(groups, isolation, chunk -> {
                    unreadable(output, chunk);
                    printText(chunk);
                });
            }
        }
        return output.done();
    }

    /** What of these groups could not be read, named on stderr at the end (exit code 3). */
    private static void unreadable(Output output, List<GroupDetail> details) {
        for (GroupDetail g : details) {
            if (g.error() != null) {
                output.unreadable("group " + g.group() + ": " + g.error());
            } else if (g.type().equals("share") && g.configs() == null) {
                output.unreadable("group " + g.group() + ": its configs could not be read (the broker refused or "
                        + "did not answer describeConfigs of the group)");
            }
            for (PartitionDetail p : g.partitions()) {
                if (p.error() != null) {
                    output.unreadable("group " + g.group() + " " + p.topic() + "-" + p.partition() + ": " + p.error());
                }
            }
        }
    }

    private void printText(List<GroupDetail> details) {
        for (GroupDetail group : details) {
            if (group.error() == null && group.type().equals("share")) {
                printShareGroup(group);
                continue;
            }
            if (!group.hasLag()) { // Kafka Connect's and the like
                context.out().println("GROUP " + group.group() + "  state " + group.state() + "  type " + group.type()
                        + (group.protocolType().isEmpty() ? "" : "  protocol type " + group.protocolType())
                        + "  members " + group.members().size() + "  (not a consumer group: no consumer offsets; lag, "
                        + "reset and the monitor leave it out)");
                if (!group.members().isEmpty()) {
                    Table members = Table.of("member", "instance", "client", "host");
                    group.members().forEach(m -> members.row(m.memberId(), m.groupInstanceId(), m.clientId(), m.host()));
                    context.printText(members);
                }
                context.out().println();
                continue;
            }
            if (group.error() != null) {
                context.out().println("GROUP " + group.group() + "  cannot be read: " + group.error());
                context.out().println();
                continue;
            }
            context.out().println("GROUP " + group.group() + "  state " + group.state() + "  type " + group.type()
                    + "  assignor " + (group.protocol() == null || group.protocol().isEmpty() ? "-" : group.protocol())
                    + "  coordinator " + coordinatorText(group)
                    + (group.groupEpoch() == null ? "" : "  epoch " + group.groupEpoch() + "/target "
                    + group.targetAssignmentEpoch()) + (group.topologyEpoch() == null ? ""
                    : "/topology " + group.topologyEpoch()) + "  lag " + lagText(group));
            if (group.type().equals("streams")) {
                printStreamsTopology(group);
            } else if (!group.members().isEmpty()) {
                Table members = Table.of("member", "instance", "client", "host", "epoch", "assigned", "reconciling");
                for (MemberDetail m : group.members()) {
                    members.row(m.memberId(), m.groupInstanceId(), m.clientId(), m.host(), m.memberEpoch(),
                            partitionsText(m.assignment()), m.targetAssignment() == null ? null : m.reconciling() ? "yes" : "no");
                }
                context.printText(members);
            }
            context.printText(partitionsText(group));
            printPartitionWords(group);
            context.out().println();
        }
        context.out().flush();
    }

    /** A share group: a start offset and the broker's lag per partition, members that share partitions. */
    private void printShareGroup(GroupDetail group) {
        context.out().println("GROUP " + group.group() + "  state " + group.state() + "  type share  coordinator "
                + coordinatorText(group) + "  epoch " + group.groupEpoch() + "/assignment "
                + group.targetAssignmentEpoch() + "  lag " + lagText(group));
        if (!group.members().isEmpty()) {
            Table members = Table.of("member", "client", "host", "epoch", "assigned");
            group.members().forEach(m -> members.row(m.memberId(), m.clientId(), m.host(), m.memberEpoch(),
                    partitionsText(m.assignment())));
            context.printText(members);
        }
        Table partitions = Table.of("topic", "partition", "start-offset", "log-start", "log-end", "lag", "member");
        group.partitions().forEach(p -> partitions.row(p.topic(), p.partition(), p.startOffset(), p.logStartOffset(),
                p.logEndOffset(), p.lag(), p.memberId()));
        context.printText(partitions);
        printPartitionWords(group);
        if (group.configs() != null && !group.configs().isEmpty()) {
            Table configs = Table.of("config", "value", "source");
            group.configs().forEach(c -> configs.row(c.name(), c.value(), c.source()));
            context.printText(configs);
        }
        context.out().println();
    }

    /** A streams group's members with their tasks, and its subtopologies: what its partitions below come from. */
    private void printStreamsTopology(GroupDetail group) {
        if (!group.members().isEmpty()) {
            Table members = Table.of("member", "instance", "client", "host", "epoch", "active", "standby", "warmup",
                    "reconciling");
            for (MemberDetail m : group.members()) {
                members.row(m.memberId(), m.groupInstanceId(), m.clientId(), m.host(), m.memberEpoch(),
                        namesText(m.tasks().active()), namesText(m.tasks().standby()), namesText(m.tasks().warmup()),
                        m.reconciling() ? "yes" : "no");
            }
            context.printText(members);
        }
        if (!group.subtopologies().isEmpty()) {
            Table subtopologies = Table.of("subtopology", "source", "repartition-source", "repartition-sink", "changelog");
            group.subtopologies().forEach(s -> subtopologies.row(s.id(), namesText(s.sourceTopics()),
                    namesText(s.repartitionSourceTopics()), namesText(s.repartitionSinkTopics()),
                    namesText(s.changelogTopics())));
            context.printText(subtopologies);
        }
    }

    private static String namesText(List<String> names) {
        return names.isEmpty() ? "-" : String.join(",", names);
    }

    private static String coordinatorText(GroupDetail group) {
        return group.coordinator() == null ? "-" : group.coordinator().id() + " (" + group.coordinator().host() + ":"
                + group.coordinator().port() + ")";
    }

    private void printPartitionWords(GroupDetail group) {
        for (PartitionDetail p : group.partitions()) {
            String words = p.error() != null ? "cannot be read: " + p.error() : p.note();
            if (words != null) {
                context.out().println("  " + p.topic() + "-" + p.partition() + ": " + words);
            }
        }
    }

    /** A group's partitions for people: retention risk in words. */
    private static Table partitionsText(GroupDetail group) {
        Table table = Table.of("topic", "partition", "committed", "log-start", "log-end", "lag", "offset-lag", "lag-seconds",
                "member", "metadata-bytes", "retention-risk");
        for (PartitionDetail p : group.partitions()) {
            table.row(p.topic(), p.partition(), p.committedOffset(), p.logStartOffset(), p.logEndOffset(), p.lag(),
                    p.offsetLag(), p.lagSeconds(), p.memberId(), p.metadataBytes(), risk(p));
        }
        return table;
    }

    /** The partitions of every group as CSV rows: the group, then the fields of a partition in JSON (no configs: not per partition). */
    private static Table csv(List<GroupDetail> details) {
        Table table = csvColumns();
        for (GroupDetail group : details) {
            for (PartitionDetail p : group.partitions()) {
                table.row(group.group(), p.topic(), p.partition(), p.committedOffset(), p.startOffset(), p.logStartOffset(),
                        p.logEndOffset(), p.lag(), p.offsetLag(), p.lagSeconds(), p.memberId(), p.metadataBytes(),
                        p.deletedUnread(), p.retentionSecondsLeft(), p.note(), p.error());
            }
        }
        return table;
    }

    private static Table csvColumns() {
        return Table.of("group", "topic", "partition", "committedOffset", "startOffset", "logStartOffset",
                "logEndOffset", "lag", "offsetLag", "lagSeconds", "memberId", "metadataBytes", "deletedUnread",
                "retentionSecondsLeft", "note", "error");
    }

    /** Retention risk in words: records already lost, or time left before the oldest unread one goes. */
    static String risk(PartitionDetail p) {
        if (p.deletedUnread() > 0) {
            return p.deletedUnread() + " deleted unread";
        }
        if (p.retentionSecondsLeft() == null) {
            return null;
        }
        double left = p.retentionSecondsLeft();
        return left <= 0 ? "deleting now" : DurationText.of((long) left) + " left";
    }

    private static String partitionsText(List<TopicPartition> partitions) {
        return partitions.isEmpty() ? "-" : String.join(",", partitions.stream().map(TopicPartition::toString).toList());
    }

    /**
     * A group as describe's JSON gives it (docs/schemas/describe.schema.json), written field by
     * field: at 10,000 groups a map per group, member and partition made serialising the answer
     * the command's largest cost (see GroupOpsBench).
     */
    private record GroupJson(GroupDetail g) implements JsonSerializable {
        @Override
        public void serialize(JsonGenerator out, SerializerProvider provider) throws IOException {
            out.writeStartObject();
            out.writeStringField("group", g.group());
            out.writeStringField("state", g.state());
            out.writeStringField("type", g.type());
            out.writeStringField("protocolType", g.protocolType().isEmpty() ? null : g.protocolType());
            out.writeBooleanField("consumerGroup", g.consumerGroup());
            out.writeStringField("error", g.error());
            out.writeStringField("assignor", g.protocol() == null || g.protocol().isEmpty() ? null : g.protocol());
            out.writeFieldName("coordinator");
            if (g.coordinator() == null) {
                out.writeNull();
            } else {
                out.writeStartObject();
                out.writeNumberField("id", g.coordinator().id());
                out.writeStringField("host", g.coordinator().host());
                out.writeNumberField("port", g.coordinator().port());
                out.writeEndObject();
            }
            number(out, "groupEpoch", g.groupEpoch());
            number(out, "targetAssignmentEpoch", g.targetAssignmentEpoch());
            number(out, "topologyEpoch", g.topologyEpoch());
            out.writeNumberField("members", g.members().size());
            // No total where the group or one of its partitions could not be read (a part would pass for the whole),
            // or where it has no consumer, share or streams offsets.
            number(out, "totalLag", !g.lagComplete() || !g.hasLag() ? null : g.totalLag());
            number(out, "maxLagSeconds", g.maxLagSeconds());
            out.writeArrayFieldStart("memberDetails");
            for (MemberDetail m : g.members()) {
                member(out, m);
            }
            out.writeEndArray();
            out.writeArrayFieldStart("subtopologies");
            for (GroupDetail.Subtopology s : g.subtopologies()) {
                out.writeStartObject();
                out.writeStringField("subtopology", s.id());
                names(out, "sourceTopics", s.sourceTopics());
                names(out, "repartitionSourceTopics", s.repartitionSourceTopics());
                names(out, "repartitionSinkTopics", s.repartitionSinkTopics());
                names(out, "changelogTopics", s.changelogTopics());
                out.writeEndObject();
            }
            out.writeEndArray();
            out.writeFieldName("configs");
            if (g.configs() == null) {
                out.writeNull();
            } else {
                out.writeStartArray();
                for (var c : g.configs()) {
                    out.writeStartObject();
                    out.writeStringField("name", c.name());
                    out.writeStringField("value", c.value());
                    out.writeStringField("source", c.source());
                    out.writeEndObject();
                }
                out.writeEndArray();
            }
            out.writeArrayFieldStart("partitions");
            for (PartitionDetail p : g.partitions()) {
                partition(out, p);
            }
            out.writeEndArray();
            out.writeEndObject();
        }

        @Override
        public void serializeWithType(JsonGenerator out, SerializerProvider provider, TypeSerializer type)
                throws IOException {
            serialize(out, provider);
        }

        private static void member(JsonGenerator out, MemberDetail m) throws IOException {
            out.writeStartObject();
            out.writeStringField("memberId", m.memberId());
            out.writeStringField("groupInstanceId", m.groupInstanceId());
            out.writeStringField("clientId", m.clientId());
            out.writeStringField("host", m.host());
            out.writeFieldName("assignment");
            partitions(out, m.assignment());
            number(out, "memberEpoch", m.memberEpoch());
            out.writeFieldName("targetAssignment");
            partitions(out, m.targetAssignment());
            out.writeFieldName("reconciling");
            if (m.targetAssignment() == null) {
                out.writeNull();
            } else {
                out.writeBoolean(m.reconciling());
            }
            tasks(out, "tasks", m.tasks());
            tasks(out, "targetTasks", m.targetTasks());
            out.writeEndObject();
        }

        private static void partition(JsonGenerator out, PartitionDetail p) throws IOException {
            out.writeStartObject();
            out.writeStringField("topic", p.topic());
            out.writeNumberField("partition", p.partition());
            number(out, "committedOffset", p.committedOffset());
            number(out, "startOffset", p.startOffset());
            number(out, "logStartOffset", p.logStartOffset());
            number(out, "logEndOffset", p.logEndOffset());
            number(out, "lag", p.lag());
            number(out, "offsetLag", p.offsetLag());
            number(out, "lagSeconds", p.lagSeconds());
            out.writeStringField("memberId", p.memberId());
            out.writeNumberField("metadataBytes", p.metadataBytes());
            out.writeNumberField("deletedUnread", p.deletedUnread());
            number(out, "retentionSecondsLeft", p.retentionSecondsLeft());
            out.writeStringField("note", p.note());
            out.writeStringField("error", p.error());
            out.writeEndObject();
        }

        /** Topic-partitions as {@code [{topic, partition}]}, or null. */
        private static void partitions(JsonGenerator out, List<TopicPartition> partitions) throws IOException {
            if (partitions == null) {
                out.writeNull();
                return;
            }
            out.writeStartArray();
            for (TopicPartition tp : partitions) {
                out.writeStartObject();
                out.writeStringField("topic", tp.topic());
                out.writeNumberField("partition", tp.partition());
                out.writeEndObject();
            }
            out.writeEndArray();
        }

        /** A streams member's tasks ({@code <subtopology>_<partition>}), or null for other members. */
        private static void tasks(JsonGenerator out, String field, MemberDetail.Tasks tasks) throws IOException {
            out.writeFieldName(field);
            if (tasks == null) {
                out.writeNull();
                return;
            }
            out.writeStartObject();
            names(out, "active", tasks.active());
            names(out, "standby", tasks.standby());
            names(out, "warmup", tasks.warmup());
            out.writeEndObject();
        }

        private static void names(JsonGenerator out, String field, List<String> names) throws IOException {
            out.writeArrayFieldStart(field);
            for (String name : names) {
                out.writeString(name);
            }
            out.writeEndArray();
        }

        /** A nullable offset, count, epoch or number of seconds, as ObjectMapper writes a Long, Integer or Double. */
        private static void number(JsonGenerator out, String field, Number value) throws IOException {
            out.writeFieldName(field);
            if (value == null) {
                out.writeNull();
            } else if (value instanceof Double seconds) {
                out.writeNumber(seconds.doubleValue());
            } else {
                out.writeNumber(value.longValue());
            }
        }
    }

    /** The total lag in words: "at least N" where a partition could not be read. */
    private static String lagText(GroupDetail group) {
        return group.lagComplete() ? String.valueOf(group.totalLag()) : "at least " + group.totalLag() + " (not all partitions read)";
    }
}
