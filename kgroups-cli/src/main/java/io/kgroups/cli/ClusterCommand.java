package io.kgroups.cli;

import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
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
            Table brokers = Table.of("id", "host", "port", "rack");
            // CSV and the text table: a row per broker, the cluster's id first.
            Table rows = Table.of("clusterId", "id", "host", "port", "rack").header("clusterId", "cluster").header("id", "broker");
            nodes.stream().sorted(Comparator.comparingInt(Node::id)).forEach(node -> {
                brokers.row(node.id(), node.host(), node.port(), node.rack());
                rows.row(clusterId, node.id(), node.host(), node.port(), node.rack());
            });
            Output output = context.output();
            if (output.format() == GlobalOptions.OutputFormat.json) {
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("clusterId", clusterId);
                answer.put("brokers", brokers.data());
                output.json(answer);
                return output.done();
            }
            return output.print(rows);
        }
    }
}
