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
@Command(name = "cluster", header = "Show the cluster id and brokers: can kgroups reach them?",
        description = {"The quickest check that the cluster options reach the cluster.", "",
            "Where the cluster is: --bootstrap-server; else the named cluster's bootstrap servers; else $"
            + ClusterOptions.BOOTSTRAP_ENV + " (when no cluster is named); else bootstrap.servers of the command "
            + "config; else localhost:9092. The named cluster is --cluster NAME; else $" + ClusterOptions.CLUSTER_ENV
            + ", unless --bootstrap-server or --command-config is given; else the config file's default, unless $"
            + ClusterOptions.BOOTSTRAP_ENV + " is set too. A flag beats the environment, which beats the file; "
            + "--command-config and --timeout beat the named cluster's.", "",
            "Named clusters are kept in ~/.kgroups/config ($" + ClusterProfiles.CONFIG_ENV + " names another file), "
            + "Java properties: default=NAME, and per cluster cluster.NAME.bootstrap, cluster.NAME.command-config (a "
            + "path relative to the file's directory, or ~/...) and cluster.NAME.timeout."},
        footer = {"", "Examples:", "  Two clusters in ~/.kgroups/config:", "    default=prod",
            "    cluster.prod.bootstrap=broker1:9093,broker2:9093", "    cluster.prod.command-config=prod.properties",
            "    cluster.local.bootstrap=localhost:9092", "    cluster.local.timeout=5s",
            "  Then, to check both:", "    kgroups cluster", "    kgroups cluster --cluster local"})
final class ClusterCommand implements Callable<Integer> {
    @Mixin
    private CommandContext context;

    @Mixin
    private ClusterOptions cluster;

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
