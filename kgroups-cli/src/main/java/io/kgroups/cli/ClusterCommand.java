package io.kgroups.cli;

import java.util.Collection;
import java.util.Comparator;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.Node;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Who is in the cluster: the quickest check that kgroups can reach it with the given settings. */
@Command(name = "cluster", description = "Show the cluster id and its brokers (checks that kgroups can reach the cluster).")
final class ClusterCommand implements Callable<Integer> {
    @Mixin
    private CommandContext context;

    @Override
    public Integer call() {
        try (ClusterConnection connection = ClusterConnection.open(context)) {
            DescribeClusterResult cluster = connection.admin().describeCluster();
            String clusterId = connection.await(cluster.clusterId(), "describe the cluster");
            Collection<Node> nodes = connection.await(cluster.nodes(), "describe the cluster");
            Table table = Table.of("broker", "host", "port", "rack", "cluster");
            nodes.stream().sorted(Comparator.comparingInt(Node::id)).forEach(node -> table.row(
                    node.id(), node.host(), node.port(), node.rack(), clusterId));
            context.print(table);
        }
        return CliException.OK;
    }
}
