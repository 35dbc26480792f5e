package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Named clusters of the config file, chosen by --cluster, $KGROUPS_CLUSTER or the file's default:
 * the cluster "local" is the embedded Kafka, "nowhere" a port where nothing listens, so a command
 * that reaches Kafka went to "local".
 */
@ExtendWith(KafkaExtension.class)
class NamedClustersTest {
    private static final String NOWHERE = "127.0.0.1:1";
    private static String bootstrap;
    private static String port;

    @TempDir
    static Path dir;

    @BeforeAll
    static void cluster(EmbeddedKafka kafka) {
        bootstrap = kafka.bootstrapServers();
        port = String.valueOf(kafka.ports().get(0));
    }

    @Test
    void theFlagChoosesTheCluster() throws Exception {
        Cli.Result result = Cli.run(config(""), "cluster", "--cluster", "local");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains(port);
    }

    @Test
    void theFlagGoesBeforeTheCommandToo() throws Exception {
        Cli.Result result = Cli.run(config(""), "--cluster", "local", "groups");

        assertThat(result.exitCode()).as(result.err()).isZero();
    }

    @Test
    void theEnvironmentChoosesTheCluster() throws Exception {
        Cli.Result result = Cli.run(with(config(""), ClusterOptions.CLUSTER_ENV, "local"), "cluster");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains(port);
    }

    @Test
    void theFlagWinsOverTheEnvironment() throws Exception {
        Cli.Result result = Cli.run(with(config(""), ClusterOptions.CLUSTER_ENV, "nowhere"), "cluster", "--cluster", "local");

        assertThat(result.exitCode()).as(result.err()).isZero();
    }

    @Test
    void theFlagWinsOverTheBootstrapServersOfTheEnvironment() throws Exception {
        Cli.Result result = Cli.run(with(config(""), ClusterOptions.BOOTSTRAP_ENV, NOWHERE), "cluster", "--cluster", "local");

        assertThat(result.exitCode()).as(result.err()).isZero();
    }

    @Test
    void theFilesDefaultIsTheClusterWhenNothingElseSaysWhere() throws Exception {
        Cli.Result result = Cli.run(config("default=local\n"), "cluster");

        assertThat(result.exitCode()).as(result.err()).isZero();
    }

    @Test
    void bootstrapServersOfTheEnvironmentWinOverTheFilesDefault() throws Exception {
        Cli.Result result = Cli.run(with(config("default=nowhere\n"), ClusterOptions.BOOTSTRAP_ENV, bootstrap), "cluster");

        assertThat(result.exitCode()).as(result.err()).isZero();
    }

    @Test
    void bootstrapServerWinsOverTheNamedClustersAndItsOtherSettingsStay() throws Exception {
        Cli.Result result = Cli.run(config(""), "cluster", "--cluster", "nowhere", "--bootstrap-server", bootstrap,
                "--verbose");

        assertThat(result.exitCode()).as(result.err()).isZero();
        // nowhere's command config, relative to the config file, still applies.
        assertThat(result.err()).contains("client.id=from-nowhere-config");
    }

    @Test
    void theNamedClustersTimeoutAppliesAndTheFlagWinsOverIt() throws Exception {
        // A listener that accepts and never answers: nothing listening at all is said at once, whatever the timeout.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String address = "127.0.0.1:" + silent.getLocalPort();
            Map<String, String> environment = config("cluster.silent.bootstrap=" + address + "\ncluster.silent.timeout=1s");

            Cli.Result named = Cli.run(environment, "cluster", "--cluster", "silent");
            Cli.Result flag = Cli.run(environment, "cluster", "--cluster", "silent", "--timeout", "2s");

            assertThat(named.exitCode()).isEqualTo(CliException.FAILED);
            assertThat(named.err()).contains("cannot reach Kafka at " + address + " within 1s");
            assertThat(flag.err()).contains("within 2s");
        }
    }

    @Test
    void anUnknownNameIsBadUsageAndListsTheKnownOnes() throws Exception {
        Map<String, String> environment = config("");

        Cli.Result flag = Cli.run(environment, "cluster", "--cluster", "prod");
        Cli.Result variable = Cli.run(with(environment, ClusterOptions.CLUSTER_ENV, "prod"), "groups");

        assertThat(flag.exitCode()).isEqualTo(CliException.USAGE);
        assertThat(flag.err().lines()).hasSize(1);
        assertThat(flag.err()).contains("no cluster 'prod' (--cluster) in " + dir.resolve("config"),
                "the known ones are local, nowhere");
        assertThat(variable.exitCode()).isEqualTo(CliException.USAGE);
        assertThat(variable.err()).contains("no cluster 'prod' ($KGROUPS_CLUSTER)", "the known ones are local, nowhere");
    }

    @Test
    void aNameWithoutAConfigFileSaysWhereToDefineIt(@TempDir Path empty) {
        Cli.Result result = Cli.run(Map.of(ClusterProfiles.CONFIG_ENV, empty.resolve("config").toString()),
                "cluster", "--cluster", "prod");

        assertThat(result.exitCode()).isEqualTo(CliException.USAGE);
        assertThat(result.err()).contains("$KGROUPS_CONFIG " + empty.resolve("config") + ": no such file");
    }

    @Test
    void aTypoInTheConfigFileIsBadUsageNamingTheKey(@TempDir Path other) throws Exception {
        Path file = Files.writeString(other.resolve("config"), "cluster.prod.bootsrap=" + bootstrap + "\n");

        Cli.Result result = Cli.run(Map.of(ClusterProfiles.CONFIG_ENV, file.toString()), "cluster", "--cluster", "prod");

        assertThat(result.exitCode()).isEqualTo(CliException.USAGE);
        assertThat(result.err()).contains("unknown setting 'cluster.prod.bootsrap'", "bootstrap, command-config, timeout");
    }

    @Test
    void aBadTimeoutInTheConfigFileIsBadUsage(@TempDir Path other) throws Exception {
        Path file = Files.writeString(other.resolve("config"), "cluster.prod.bootstrap=" + bootstrap
                + "\ncluster.prod.timeout=soon\n");

        Cli.Result result = Cli.run(Map.of(ClusterProfiles.CONFIG_ENV, file.toString()), "cluster", "--cluster", "prod");

        assertThat(result.exitCode()).isEqualTo(CliException.USAGE);
        assertThat(result.err()).contains("cluster.prod.timeout 'soon' is not a duration");
    }

    @Test
    void twoVariablesNamingDifferentClustersAreBadUsage() throws Exception {
        Cli.Result result = Cli.run(with(with(config(""), ClusterOptions.CLUSTER_ENV, "local"), ClusterOptions.BOOTSTRAP_ENV,
                bootstrap), "cluster");

        assertThat(result.exitCode()).isEqualTo(CliException.USAGE);
        assertThat(result.err()).contains("$KGROUPS_CLUSTER (local) and $KGROUPS_BOOTSTRAP_SERVERS are both set");
    }

    @Test
    void theNamedClustersMissingCommandConfigIsNamed(@TempDir Path other) throws Exception {
        Path file = Files.writeString(other.resolve("config"), "cluster.prod.command-config=prod.properties\n");

        Cli.Result result = Cli.run(Map.of(ClusterProfiles.CONFIG_ENV, file.toString()), "cluster", "--cluster", "prod");

        assertThat(result.exitCode()).isEqualTo(CliException.USAGE);
        assertThat(result.err()).contains(other.resolve("prod.properties") + " (cluster.prod.command-config in " + file
                + "): no such file");
    }

    /**
     * One monitor of three named clusters: "local" and "also" (the same broker under two names, so
     * the same group is in both) and "nowhere" (nothing listens). Every series and group says its
     * cluster; the cluster that cannot be read fails on its own, and the monitor stays ready for the
     * others; a group in two clusters is asked for with cluster=.
     */
    @Test
    void aMonitorWatchesSeveralClustersAndOneThatIsDownTouchesNoOther(EmbeddedKafka kafka) throws Exception {
        String group = "named_clusters_" + java.util.UUID.randomUUID().toString().substring(0, 8);
        String topic = "named-clusters-" + group;
        kafka.createTopic(topic, 1);
        java.util.Properties props = new java.util.Properties();
        props.put("bootstrap.servers", bootstrap);
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(props)) {
            admin.alterConsumerGroupOffsets(group, Map.of(new org.apache.kafka.common.TopicPartition(topic, 0),
                    new org.apache.kafka.clients.consumer.OffsetAndMetadata(0))).all().get();
        }
        Cli.Running monitor = new Cli.Running(config("cluster.also.bootstrap=" + bootstrap), "monitor", "--cluster", "local",
                "--cluster", "nowhere", "--cluster", "also", "--http", "127.0.0.1:0", "--interval", "200ms", "--groups", group,
                "--output", "json");
        try {
            monitor.printed("\"url\"");
            String url = new com.fasterxml.jackson.databind.ObjectMapper().readTree(monitor.out()).get("data").get("url")
                    .asText();
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).untilAsserted(() -> {
                com.fasterxml.jackson.databind.JsonNode status = JsonContract.valid("api/status", get(http, url + "/api/status"))
                        .get("data");
                assertThat(status.get("clusters").findValuesAsText("cluster")).containsExactly("local", "nowhere", "also");
                assertThat(status.get("clusters").get(1).get("lastError").asText()).as("%s", status).isNotEmpty();
                assertThat(status.get("clusters").get(0).get("groups").asInt()).isEqualTo(1);
                assertThat(status.get("lastError").asText()).startsWith("cluster nowhere: ");
                assertThat(status.get("ready").asBoolean()).isTrue();
            });
            com.fasterxml.jackson.databind.JsonNode groups = JsonContract.valid("api/groups", get(http, url + "/api/groups"))
                    .get("data").get("groups");
            assertThat(groups.findValuesAsText("cluster")).containsExactly("also", "local");
            assertThat(groups.findValuesAsText("group")).containsExactly(group, group);
            assertThat(JsonContract.valid("api/groups", get(http, url + "/api/groups?cluster=local")).get("data")
                    .get("groups").findValuesAsText("cluster")).containsExactly("local");
            assertThat(status(http, url + "/health/ready")).isEqualTo(200);
            String metrics = get(http, url + "/metrics");
            assertThat(metrics).contains("kgroups_group_lag{cluster=\"local\",group=\"" + group + "\",type=\"classic\",topic=\""
                    + topic + "\"} 0", "kgroups_group_status{cluster=\"also\",group=\"" + group + "\",type=\"classic\"}",
                    "kgroups_monitor_cycles_total{cluster=\"nowhere\"} ");
            assertThat(metrics.lines().filter(l -> l.startsWith("# TYPE kgroups_group_lag ")).count())
                    .as("one family, however many clusters").isEqualTo(1);
            // The same name in two clusters: which one is asked.
            String query = url + "/api/group?name=" + group;
            assertThat(status(http, query)).isEqualTo(400);
            assertThat(get(http, query)).contains("is in clusters local, also: add cluster=NAME");
            assertThat(JsonContract.valid("api/group", get(http, query + "&cluster=also")).get("data").get("cluster").asText())
                    .isEqualTo("also");
            assertThat(JsonContract.valid("api/group/reset-plan", get(http, url + "/api/group/reset-plan?name=" + group
                    + "&cluster=local&spec=to-earliest")).get("data").get("dryRunCommand").asText())
                    .startsWith("kgroups --cluster local reset " + group);
        } finally {
            Cli.Result stopped = monitor.stop();
            assertThat(stopped.exitCode()).as(stopped.err()).isZero();
        }
    }

    @Test
    void onlyTheMonitorWatchesSeveralClusters() throws Exception {
        Cli.Result result = Cli.run(config(""), "groups", "--cluster", "local", "--cluster", "nowhere");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--cluster is given 2 times (local, nowhere): only kgroups monitor watches several "
                + "clusters; name one");
    }

    @Test
    void severalClustersTakeNoBootstrapServerForAll() throws Exception {
        Cli.Result result = Cli.run(config(""), "monitor", "--cluster", "local", "--cluster", "nowhere", "--bootstrap-server",
                bootstrap, "--http", "127.0.0.1:0");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--bootstrap-server with several --cluster would be one cluster's setting for all");
    }

    private static String get(java.net.http.HttpClient http, String url) throws Exception {
        return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    private static int status(java.net.http.HttpClient http, String url) throws Exception {
        return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The config file of the tests (rewritten with each test's extra lines), and the environment naming it. */
    private static Map<String, String> config(String extra) throws Exception {
        Files.writeString(dir.resolve("nowhere.properties"), "client.id=from-nowhere-config\n");
        Path file = Files.writeString(dir.resolve("config"), String.join("\n",
                "cluster.local.bootstrap=" + bootstrap,
                "cluster.nowhere.bootstrap=" + NOWHERE,
                "cluster.nowhere.command-config=nowhere.properties",
                "cluster.nowhere.timeout=1s",
                extra));
        return Map.of(ClusterProfiles.CONFIG_ENV, file.toString());
    }

    private static Map<String, String> with(Map<String, String> environment, String name, String value) {
        Map<String, String> more = new java.util.HashMap<>(environment);
        more.put(name, value);
        return more;
    }
}
