package io.kgroups.cli;

import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.EmbeddedKafkaException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** A real Kafka (KRaft) in the foreground, for a laptop or a demo: no download, no set-up. */
@Command(name = "broker", header = "Run Apache Kafka (KRaft) in the foreground until Ctrl-C.",
        description = {"A real Kafka in this process, for a laptop or a demo: no download, no set-up. Without "
            + "--data-dir the data is temporary and deleted on exit; with it, it survives restarts. The broker's log "
            + "goes to broker.log in the data directory.", "",
            "With --secure, Kafka is set up as a production cluster is: clients authenticate with SASL/SCRAM-SHA-512 "
            + "and may do only what ACLs grant them. The super user admin has a random password, written only to "
            + "client.properties in the data directory (readable by its owner only; its path is printed): give that "
            + "file to --command-config, and use kafka-acls and kafka-configs with it to add users and ACLs."},
        footer = {"", "Examples:", "  A Kafka for the other commands, which look for one at localhost:9092:",
            "    kgroups broker", "    kgroups groups", "",
            "  A secured Kafka, and the admin's settings for the other commands:",
            "    kgroups broker --secure --data-dir kafka-data",
            "    kgroups groups --command-config kafka-data/client.properties"})
final class BrokerCommand implements Callable<Integer> {
    @Mixin
    private CommandContext context;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "9092",
            description = "Client port of the first broker; broker N listens on PORT+N-1; 0 picks free ports "
                    + "(default: ${DEFAULT-VALUE}).")
    private int port;

    @Option(names = "--brokers", paramLabel = "N", defaultValue = "1",
            description = "Number of brokers, each also a KRaft controller (default: ${DEFAULT-VALUE}; 3 for "
                    + "replication).")
    private int brokers;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keep the data here, across restarts (default: a temporary directory, deleted on exit).")
    private Path dataDir;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "1",
            description = "Partitions of a topic created on first use (default: ${DEFAULT-VALUE}, as Kafka's).")
    private int partitions;

    @Option(names = "--secure",
            description = "SASL/SCRAM-SHA-512 authentication and ACLs; the admin's client settings go to "
                    + "client.properties in the data directory (its path is printed, never the password).")
    private boolean secure;

    @Override
    public Integer call() {
        EmbeddedKafka kafka = build();
        // Ctrl-C ends the JVM through its shutdown hooks, even during the start: stop the brokers
        // cleanly there (close waits for a start in progress).
        Thread stopper = new Thread(() -> {
            kafka.close();
            context.err().println("kgroups: Kafka stopped");
            context.err().flush();
        }, "kgroups-broker-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        try {
            kafka.start();
        } catch (EmbeddedKafkaException e) {
            Runtime.getRuntime().removeShutdownHook(stopper);
            kafka.close();
            // The embedded cluster speaks of SASL; here it is an option.
            throw CliException.failed(e.getMessage().replace("start it with SASL", "start it with --secure")
                    .replace("start it without SASL", "start it without --secure"), e);
        }
        printStarted(kafka);
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            // Stopped by the caller (tests, an embedding program) rather than by a signal.
            Thread.currentThread().interrupt();
        } finally {
            if (Runtime.getRuntime().removeShutdownHook(stopper)) {
                kafka.close();
            }
        }
        return CliException.OK;
    }

    private EmbeddedKafka build() {
        try {
            EmbeddedKafka.Builder builder = EmbeddedKafka.builder().port(port).brokers(brokers).partitions(partitions)
                    .dataDir(dataDir);
            return (secure ? builder.sasl() : builder).build();
        } catch (IllegalArgumentException e) {
            throw CliException.usage("invalid option: " + e.getMessage().replaceFirst("^(brokers|partitions|port)", "--$1"));
        }
    }

    private void printStarted(EmbeddedKafka kafka) {
        boolean temporary = dataDir == null;
        Path clientProperties = kafka.clientPropertiesFile();
        context.output().print(Table.record("bootstrapServers", "brokers", "kafkaVersion", "dataDir", "dataKept", "brokerLog",
                        "secure", "clientProperties")
                .optional("clientProperties")
                .row(kafka.bootstrapServers(), kafka.brokers(), KafkaVersion.get(), kafka.dataDir().toString(),
                        !temporary, kafka.logFile().toString(), kafka.isSecure(),
                        clientProperties == null ? null : clientProperties.toString()));
        if (context.global().output() == GlobalOptions.OutputFormat.table) {
            context.out().println();
            context.out().println("Kafka is running: connect clients to " + kafka.bootstrapServers()
                    + (clientProperties == null ? "" : " with SASL/SCRAM-SHA-512; the admin's settings: --command-config "
                            + clientProperties)
                    + (temporary ? " (data deleted on exit)" : "") + ". Press Ctrl-C to stop.");
            context.out().flush();
        }
    }
}
