package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaExtension.class)
class ClusterCommandTest {

    @Test
    void describesTheClusterAsATable(EmbeddedKafka kafka) {
        Cli.Result result = Cli.run("cluster", "--bootstrap-server", kafka.bootstrapServers());

        assertThat(result.exitCode()).isZero();
        assertThat(result.out().lines()).hasSize(2);
        assertThat(result.out().lines().findFirst().orElseThrow()).contains("broker", "host", "port", "cluster");
        assertThat(result.out()).contains(String.valueOf(kafka.ports().get(0)));
    }

    @Test
    void printsJsonForScripts(EmbeddedKafka kafka) throws Exception {
        Cli.Result result = Cli.run("--output", "json", "cluster", "--bootstrap-server", kafka.bootstrapServers());

        JsonNode cluster = new ObjectMapper().readTree(result.out()).get("data");
        assertThat(cluster.get("clusterId").asText()).isNotBlank();
        JsonNode brokers = cluster.get("brokers");
        assertThat(brokers).hasSize(1);
        assertThat(brokers.get(0).get("port").asInt()).isEqualTo(kafka.ports().get(0));
        assertThat(brokers.get(0).get("id").isInt()).isTrue();
    }

    @Test
    void printsCsv(EmbeddedKafka kafka) {
        Cli.Result result = Cli.run("cluster", "--output", "csv", "--bootstrap-server", kafka.bootstrapServers());

        assertThat(result.out().lines()).first().isEqualTo("clusterId,id,host,port,rack");
        assertThat(result.out().lines().skip(1).findFirst().orElseThrow()).matches("[^,]+,1,127\\.0\\.0\\.1," + kafka.ports().get(0) + ",");
    }

    @Test
    void takesTheBootstrapServersFromTheEnvironment(EmbeddedKafka kafka) {
        Cli.Result result = Cli.run(Map.of(ClusterOptions.BOOTSTRAP_ENV, kafka.bootstrapServers()), "cluster");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains(String.valueOf(kafka.ports().get(0)));
    }

    @Test
    void theFlagWinsOverTheEnvironmentAndTheCommandConfig(EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
        Path config = dir.resolve("client.properties");
        Files.writeString(config, "bootstrap.servers=127.0.0.1:1\n");

        Cli.Result result = Cli.run(Map.of(ClusterOptions.BOOTSTRAP_ENV, "127.0.0.1:2"), "cluster",
                "--command-config", config.toString(), "--bootstrap-server", kafka.bootstrapServers());

        assertThat(result.exitCode()).isZero();
    }

    @Test
    void secretsOfTheCommandConfigAreNeverPrinted(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("client.properties");
        Files.writeString(config, String.join("\n",
                "security.protocol=SASL_PLAINTEXT",
                "sasl.mechanism=PLAIN",
                "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required "
                        + "username=\"alice\" password=\"s3cr3t-jaas\";",
                "ssl.key.password=s3cr3t-key",
                "ssl.truststore.password=s3cr3t-trust",
                ""));

        Cli.Result result = Cli.run("cluster", "--verbose", "--bootstrap-server", "127.0.0.1:1", "--timeout", "2s",
                "--command-config", config.toString());

        assertThat(result.exitCode()).isEqualTo(CliException.FAILED);
        assertThat(result.err()).contains("sasl.jaas.config=[hidden]", "ssl.key.password=[hidden]",
                "security.protocol=SASL_PLAINTEXT");
        assertThat(result.out() + result.err()).doesNotContain("s3cr3t");
    }

    @Test
    void clientConfigHidesSecretsWhenShown() {
        java.util.Properties properties = new java.util.Properties();
        properties.setProperty("bootstrap.servers", "b:9092");
        properties.setProperty("sasl.jaas.config", "x password=\"p\";");
        properties.setProperty("ssl.keystore.password", "p");
        properties.setProperty("ssl.key", "p");
        properties.setProperty("my.api.secret", "p");
        properties.setProperty("db.passwd", "p");
        properties.setProperty("my.pwd", "p");
        properties.setProperty("basic.auth.user.info", "ops:p");
        properties.setProperty("schema.registry.url", "https://ops:p@registry:8081");
        properties.setProperty("custom.setting", "user=ops password=p");
        properties.setProperty("client.id", "kgroups-admin");
        properties.setProperty("ssl.keystore.location", "/etc/kafka/keystore.jks");
        properties.setProperty("sasl.oauthbearer.token.endpoint.url", "https://ops:p@idp/token");
        properties.setProperty("custom.lines", "first\npassword=p");

        String shown = new ClientConfig(properties).toString();

        assertThat(shown).contains("bootstrap.servers=b:9092", "sasl.jaas.config=[hidden]",
                "ssl.keystore.password=[hidden]", "my.api.secret=[hidden]", "db.passwd=[hidden]", "my.pwd=[hidden]",
                "basic.auth.user.info=[hidden]", "schema.registry.url=[hidden]", "custom.setting=[hidden]",
                "client.id=kgroups-admin", "ssl.keystore.location=/etc/kafka/keystore.jks",
                "sasl.oauthbearer.token.endpoint.url=[hidden]", "custom.lines=[hidden]")
                .doesNotContain("=p").doesNotContain(":p");
    }
}
