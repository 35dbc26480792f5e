package io.kgroups.cli;

import io.kgroups.admin.GroupAdmin;
import io.kgroups.admin.GroupSummary;
import io.kgroups.admin.OffsetReadings;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.kafka.common.GroupState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Every group of the cluster, consumer-protocol groups included, with its total lag. */
@Command(name = "groups", header = "List every group: state, type, members, topics, lag.",
        description = {"Every group of the cluster, of every type (classic, consumer, share, streams), with its protocol "
            + "type: consumer for the classic groups of consumers; connect, sr and the like for Kafka Connect, Schema "
            + "Registry and others, listed with their members. The lag is the group's total, in records; of a share "
            + "group, the broker's count of records not yet delivery-complete (see describe); of a streams group, over the "
            + "partitions of its input topics, as for a consumer group."},
        footer = {"", "Examples:", "  Groups that nobody consumes for:", "    kgroups groups --state Empty",
            "  Kafka Connect's worker groups, as JSON for a script:", "    kgroups groups --type connect --output json"})
final class GroupsCommand implements Callable<Integer> {
    @Mixin
    private CommandContext context;

    @Mixin
    private ClusterOptions cluster;

    @Option(names = "--state", paramLabel = "STATE",
            description = "Only groups in this state: Stable, Empty, PreparingRebalance, Dead ... (any case).")
    private String state;

    @Option(names = "--type", paramLabel = "TYPE", description = "Only groups of this type (classic, consumer, share, "
            + "streams) or of this protocol type (consumer, connect ...), in any case.")
    private String type;

    /** The group types Kafka 4 has. */
    private static final List<String> TYPES = List.of("classic", "consumer", "share", "streams");

    @Override
    public Integer call() {
        if (state != null && Arrays.stream(GroupState.values()).noneMatch(s -> s.toString().equalsIgnoreCase(state))) {
            throw CliException.usage("--state '" + state + "' is not a group state: use one of "
                    + Arrays.stream(GroupState.values()).map(GroupState::toString).collect(Collectors.joining(", ")));
        }
        try (GroupAdmin admin = ClusterConnection.groupAdmin(context)) {
            List<OffsetReadings.Listed> listed = admin.listed();
            if (type != null && TYPES.stream().noneMatch(type::equalsIgnoreCase)
                    && listed.stream().noneMatch(g -> g.protocolType().equalsIgnoreCase(type))) {
                throw CliException.usage("--type '" + type + "' is not a group type (" + String.join(", ", TYPES)
                        + ") nor the protocol type of a group on this cluster ("
                        + listed.stream().map(OffsetReadings.Listed::protocolType).filter(t -> !t.isEmpty()).distinct()
                                .sorted().collect(Collectors.joining(", ")) + ")");
            }
            // The type is the list's: groups of other types are not read. The state is the read's (it may have moved).
            List<OffsetReadings.Listed> wanted = type == null ? listed : listed.stream()
                    .filter(g -> g.type().equalsIgnoreCase(type) || g.protocolType().equalsIgnoreCase(type)).toList();
            Output output = context.output();
            Output.Rows rows = output.rows(columns());
            admin.listGroups(wanted, chunk -> {
                Table table = columns();
                for (GroupSummary group : chunk) {
                    if (group.error() != null) {
                        output.unreadable("group " + group.group() + ": " + group.error());
                    }
                    if (state == null || group.state().equalsIgnoreCase(state)) {
                        table.row(group.group(), group.state(), group.type(), group.protocolType().isEmpty() ? null
                                : group.protocolType(), group.members(), group.topics(), group.totalLag(), group.error());
                    }
                }
                rows.add(table);
            });
            return rows.end();
        }
    }

    private Table columns() {
        return Table.of("group", "state", "type", "protocolType", "members", "topics", "totalLag", "error")
                .header("totalLag", "lag").optional("error")
                .whenEmpty("No groups" + (state != null || type != null ? " match" : " on this cluster yet") + ".");
    }
}
