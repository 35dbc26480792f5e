package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Shell completion of GROUP arguments with the group names of the cluster, and of --cluster with the config file's names: the hidden commands, and the script in bash. */
@ExtendWith(KafkaExtension.class)
class CompletionTest {
    private static String bootstrap;

    @TempDir
    static Path dir;

    @BeforeAll
    static void groups(EmbeddedKafka kafka) throws Exception {
        bootstrap = kafka.bootstrapServers();
        kafka.createTopic("completion-orders", 1);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            for (String group : List.of("completion_loader", "completion_audit", "completion other")) {
                admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition("completion-orders", 0),
                        new OffsetAndMetadata(0))).all().get();
            }
        }
    }

    @Test
    void theHiddenCommandPrintsTheGroupNamesOneALine() {
        Cli.Result result = Cli.run("__complete-groups", "--bootstrap-server", bootstrap);

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out().lines().filter(name -> name.startsWith("completion")))
                .containsExactly("completion other", "completion_audit", "completion_loader");
    }

    @Test
    void anUnreachableClusterCompletesNothing() {
        Cli.Result result = Cli.run("__complete-groups", "--bootstrap-server", "127.0.0.1:1", "--timeout", "1s");

        assertThat(result.exitCode()).isEqualTo(CliException.FAILED);
        assertThat(result.out()).isEmpty();
    }

    /** In bash, as on a terminal: the words typed so far, split as bash splits them (HOST:PORT is three words). */
    @Test
    void bashCompletesGroupNamesOfTheClusterOnTheLine() throws Exception {
        String port = bootstrap.substring(bootstrap.lastIndexOf(':') + 1);
        String host = bootstrap.substring(0, bootstrap.lastIndexOf(':'));

        List<String> describe = complete("kgroups describe --bootstrap-server " + bootstrap + " completion_",
                "kgroups", "describe", "--bootstrap-server", host, ":", port, "completion_");
        List<String> copyTo = complete("kgroups offsets copy --bootstrap-server=" + bootstrap + " completion_loader completion_a",
                "kgroups", "offsets", "copy", "--bootstrap-server", "=", host, ":", port, "completion_loader", "completion_a");
        List<String> unreachable = complete("kgroups lag --bootstrap-server 127.0.0.1:1 completion_",
                "kgroups", "lag", "--bootstrap-server", "127.0.0.1", ":", "1", "completion_");

        assertThat(describe).containsExactlyInAnyOrder("completion_loader", "completion_audit");
        assertThat(copyTo).containsExactly("completion_audit");
        assertThat(unreachable).isEmpty();
    }

    @Test
    void bashCompletesWithTheNamedClusterOnTheLine() throws Exception {
        Path config = Files.writeString(dir.resolve("config"), "cluster.here.bootstrap=" + bootstrap + "\n");

        List<String> reset = complete(Map.of(ClusterProfiles.CONFIG_ENV, config.toString()),
                "kgroups reset --cluster here completion_l", "kgroups", "reset", "--cluster", "here", "completion_l");

        assertThat(reset).containsExactly("completion_loader");
    }

    @Test
    void bashCompletesTheNamesOfTheConfigFilesClusters() throws Exception {
        Path config = Files.writeString(dir.resolve("clusters"), "default=prod\ncluster.prod.bootstrap=b1:9092\n"
                + "cluster.preprod.bootstrap=b2:9092\ncluster.local.bootstrap=localhost:9092\n");

        List<String> all = complete(Map.of(ClusterProfiles.CONFIG_ENV, config.toString()), "kgroups groups --cluster ",
                "kgroups", "groups", "--cluster", "");
        List<String> some = complete(Map.of(ClusterProfiles.CONFIG_ENV, config.toString()), "kgroups lag --cluster pr",
                "kgroups", "lag", "--cluster", "pr");

        assertThat(all).containsExactlyInAnyOrder("local", "preprod", "prod");
        assertThat(some).containsExactlyInAnyOrder("preprod", "prod");
        assertThat(Cli.run(Map.of(ClusterProfiles.CONFIG_ENV, config.toString()), "__complete-clusters").out().lines())
                .containsExactly("local", "preprod", "prod");
    }

    private static List<String> complete(String line, String... words) throws Exception {
        return complete(Map.of(), line, words);
    }

    /** What the completion script offers for the last word of {@code line}, {@code words} being bash's COMP_WORDS. */
    private static List<String> complete(Map<String, String> environment, String line, String... words) throws Exception {
        Path script = Files.writeString(dir.resolve("completion.bash"), Cli.run("completion").out());
        // `kgroups` on the PATH is this build, run as the jar would run it.
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path kgroups = Files.writeString(bin.resolve("kgroups"), "#!/bin/sh\nexec '"
                + ProcessHandle.current().info().command().orElse("java") + "' -cp '" + System.getProperty("java.class.path")
                + "' " + Kgroups.class.getName() + " \"$@\"\n");
        Files.setPosixFilePermissions(kgroups, PosixFilePermissions.fromString("rwxr-xr-x"));
        StringBuilder quoted = new StringBuilder();
        for (String word : words) {
            quoted.append(" '").append(word).append('\'');
        }
        String driver = "source '" + script + "'\n"
                + "COMP_LINE='" + line + "'\nCOMP_POINT=${#COMP_LINE}\n"
                + "COMP_WORDS=(" + quoted + " )\nCOMP_CWORD=" + (words.length - 1) + "\n"
                + "_complete_kgroups\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n";
        // stderr apart: outside a real completion, bash complains of compopt there.
        Path errors = dir.resolve("bash.err");
        ProcessBuilder bash = new ProcessBuilder("bash", "-c", driver).redirectError(errors.toFile());
        bash.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        bash.environment().remove(ClusterProfiles.CONFIG_ENV);
        bash.environment().putAll(environment);
        Process process = bash.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("bash completion did not end within 60 s: " + line);
        }
        String out = new String(process.getInputStream().readAllBytes());
        assertThat(process.exitValue()).as(out + Files.readString(errors)).isZero();
        return out.lines().filter(l -> !l.isBlank()).toList();
    }
}
