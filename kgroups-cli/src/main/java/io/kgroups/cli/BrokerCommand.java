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
            + "goes to broker.log in the data directory."},
        footer = {"", "Examples:", "  A Kafka for the other commands, which look for one at localhost:9092:",
            "    kgroups broker", "    kgroups groups"})
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
            throw CliException.failed(e.getMessage(), e);
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
            return EmbeddedKafka.builder().port(port).brokers(brokers).partitions(partitions).dataDir(dataDir).build();
        } catch (IllegalArgumentException e) {
            throw CliException.usage("invalid option: " + e.getMessage().replaceFirst("^(brokers|partitions|port)", "--$1"));
        }
    }

    private void printStarted(EmbeddedKafka kafka) {
        boolean temporary = dataDir == null;
        context.output().print(Table.record("bootstrapServers", "brokers", "kafkaVersion", "dataDir", "dataKept", "brokerLog")
                .row(kafka.bootstrapServers(), kafka.brokers(), KafkaVersion.get(), kafka.dataDir().toString(),
                        !temporary, kafka.logFile().toString()));
        if (context.global().output() == GlobalOptions.OutputFormat.table) {
            context.out().println();
            context.out().println("Kafka is running: connect clients to " + kafka.bootstrapServers()
                    + (temporary ? " (data deleted on exit)" : "") + ". Press Ctrl-C to stop.");
            context.out().flush();
        }
    }
}
