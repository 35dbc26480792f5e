package io.kgroups.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Closing a 3-node cluster always ends. Each node is broker and controller: a broker's controlled
 * shutdown needs a controller that a majority of the nodes elects, so nodes stopping together
 * must not take the quorum away from the last broker (which Kafka would wait 5 minutes for).
 */
class ClusterShutdownTest {
    /** A hang detector, not a performance bound: a close takes seconds. */
    private static final Duration HANG = Duration.ofSeconds(60);

    @ParameterizedTest(name = "close after [{0}]")
    @ValueSource(strings = {
        "",                   // every node running: they all stop at once
        " ",                  // the same again, since a race would not show every time
        "stop 2",             // one of three stopped: the other two still are a quorum
        "stop 1, stop 2",     // the last node alone: no controller can approve its controlled shutdown
        "stop 3, start 3",    // what the chaos test does half-way
    })
    void closeEndsAndReleasesEveryPort(String schedule, @TempDir Path dir) throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.builder().brokers(3).dataDir(dir).build().start();
        List<Integer> ports = kafka.ports();
        try {
            // Partition leaders on every node, for the controlled shutdowns to move.
            kafka.createTopic("spread", 6, 3, Map.of("min.insync.replicas", "2"));
            try (KafkaProducer<String, String> producer = Clients.producer(kafka.bootstrapServers())) {
                Clients.send(producer, "spread", "r", 100);
            }
            for (String step : schedule.split(",")) {
                String[] words = step.strip().split(" ");
                if (words[0].equals("stop")) {
                    kafka.stopBroker(Integer.parseInt(words[1]));
                } else if (words[0].equals("start")) {
                    kafka.startBroker(Integer.parseInt(words[1]));
                }
            }
        } finally {
            assertTimeoutPreemptively(HANG, kafka::close,
                    () -> "close() did not return within " + HANG.toSeconds() + " s; broker.log ends with:\n" + tail(dir));
        }
        assertThat(Files.readString(dir.resolve("broker.log"))).as("a node had to be halted").doesNotContain("halting it");
        for (int port : ports) {
            assertThat(isFree(port)).as("client port %d is free after close", port).isTrue();
        }
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true); // as the broker binds it on a restart
            socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String tail(Path dir) {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("broker.log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + dir.resolve("broker.log") + ": " + e.getMessage() + ")";
        }
    }
}
