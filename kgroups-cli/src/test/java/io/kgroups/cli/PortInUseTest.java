package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A taken --http port is said in one line of kgroups' own, with no web server's log line before it. */
@ExtendWith(KafkaExtension.class)
class PortInUseTest {

    @Test
    void theMonitorSaysThePortIsInUse(EmbeddedKafka kafka) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String address = "127.0.0.1:" + taken.getLocalPort();

            Cli.Result result = Cli.runWatchingConsole(Map.of(), "monitor", "--http", address,
                    "--bootstrap-server", kafka.bootstrapServers());

            assertThat(result.exitCode()).isEqualTo(CliException.FAILED);
            assertThat(result.err()).isEqualTo("kgroups: port " + address + " is in use: choose another with --http\n");
            assertThat(result.out()).isEmpty();
            assertThat(result.console()).as("what libraries logged to the console").isEmpty();
        }
    }

    @Test
    void theLoaderSaysThePortIsInUse(EmbeddedKafka kafka) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String address = "127.0.0.1:" + taken.getLocalPort();

            Cli.Result result = Cli.runWatchingConsole(Map.of(), "load-orders", "--http", address,
                    "--jdbc-url", "jdbc:h2:mem:port-in-use", "--topic", "port-in-use", "--group", "port-in-use",
                    "--bootstrap-server", kafka.bootstrapServers());

            assertThat(result.exitCode()).isEqualTo(CliException.FAILED);
            assertThat(result.err()).isEqualTo("kgroups: port " + address + " is in use: choose another with --http\n");
            assertThat(result.out().lines()).as("stdout: the loader's totals only").allMatch(l -> l.startsWith("stored="));
            assertThat(result.console()).as("what libraries logged to the console").isEmpty();
        }
    }

    @Test
    void anAddressNotOfThisMachineIsNamedWithTheReason(EmbeddedKafka kafka) {
        // 192.0.2.0/24 is TEST-NET-1: documentation only, never an address of this host; not loopback: credentials.
        Cli.Result result = Cli.runWatchingConsole(Map.of(MonitorAccess.BASIC_ENV, "ops:password"), "monitor", "--http",
                "192.0.2.1:8080",
                "--bootstrap-server", kafka.bootstrapServers());

        assertThat(result.exitCode()).isEqualTo(CliException.FAILED);
        assertThat(result.err()).startsWith("kgroups: cannot serve HTTP on 192.0.2.1:8080 (")
                .endsWith("): choose another address with --http\n");
        assertThat(result.err().lines()).hasSize(1);
        assertThat(result.console()).isEmpty();
    }
}
