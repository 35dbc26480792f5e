package io.kgroups.cli;

import io.kgroups.orders.OrderEventGenerator;
import io.kgroups.orders.OrderProducer;
import io.kgroups.orders.ProducedOrders;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Generates order events: several versions per order, some invalid when asked. */
@Command(name = "produce-orders", header = "Produce order events to a topic, for the loader.",
        description = {"Order events keyed by order id, several versions of each order (ids unique to the run), a "
            + "share of them invalid with --bad-ratio, in the ways producers get them wrong. Sent with acks=all and "
            + "idempotence; prints what Kafka acknowledged."},
        footer = {"", "Examples:", "  Orders until Ctrl-C, 2,000 a second, 1 in 100 invalid:",
            "    kgroups produce-orders --count 0 --rate 2000 --bad-ratio 0.01"})
final class ProduceOrdersCommand implements Callable<Integer> {
    @Mixin
    private CommandContext context;

    @Mixin
    private ClusterOptions cluster;

    @Option(names = "--topic", paramLabel = "TOPIC", defaultValue = "orders", description = "The topic (default: ${DEFAULT-VALUE}).")
    private String topic;

    @Option(names = "--count", paramLabel = "N", defaultValue = "10000",
            description = "Events to produce; 0 until Ctrl-C (default: ${DEFAULT-VALUE}).")
    private long count;

    @Option(names = "--rate", paramLabel = "R/s", defaultValue = "1000", converter = EventRateConverter.class,
            description = "Events per second; 0 as fast as possible (default: ${DEFAULT-VALUE}).")
    private double rate;

    @Option(names = "--orders", paramLabel = "K", defaultValue = "1000",
            description = "Distinct orders the events are spread over (default: ${DEFAULT-VALUE}).")
    private int orders;

    @Option(names = "--bad-ratio", paramLabel = "X", defaultValue = "0",
            description = "Share of invalid events, 0 to 1 (default: ${DEFAULT-VALUE}).")
    private double badRatio;

    @Option(names = "--seed", paramLabel = "N", description = "Makes the stream repeatable (default: random).")
    private Long seed;

    @Override
    public Integer call() {
        if (count < 0) {
            throw CliException.usage("--count must be 0 or more, was " + count);
        }
        if (orders < 1) {
            throw CliException.usage("--orders must be at least 1, was " + orders);
        }
        if (!(badRatio >= 0 && badRatio <= 1)) {
            throw CliException.usage("--bad-ratio must be 0 to 1 (a share, e.g. 0.05), was " + badRatio);
        }
        // Order ids unique to this run: versions start at 1 again, and must not hide behind an earlier run's.
        String prefix = "o-" + UUID.randomUUID().toString().substring(0, 8);
        OrderEventGenerator generator = new OrderEventGenerator(prefix, orders, badRatio,
                seed != null ? seed : System.nanoTime());
        ProducedOrders ledger = new ProducedOrders();
        ClusterConnection.check(context, true);
        Map<String, Object> props = new LinkedHashMap<>();
        context.cluster().clientConfig().properties().forEach((k, v) -> props.put((String) k, v));
        long sent;
        try (GracefulStop stop = new GracefulStop("kgroups-produce-orders", Duration.ofSeconds(30))) {
            try (OrderProducer producer = new OrderProducer(props, topic, generator, ledger)) {
                sent = producer.run(count, rate, stop::isRequested);
            } catch (org.apache.kafka.common.KafkaException e) {
                throw CliException.failed("cannot produce to " + topic + ": " + ClusterConnection.rootMessage(e)
                        + " (check --bootstrap-server and --command-config)", e);
            }
            report(sent, ledger, prefix);
        }
        if (ledger.failedSends() > 0) {
            throw CliException.failed(ledger.failedSends() + " of " + sent + " events were not acknowledged by Kafka "
                    + "(see the failed column); they may be missing from the topic", null);
        }
        return CliException.OK;
    }

    private void report(long sent, ProducedOrders ledger, String prefix) {
        context.output().print(Table.record("topic", "sent", "valid", "invalid", "failed", "orders", "orderIdPrefix")
                .row(topic, sent, ledger.validCount(), ledger.invalidCount(), ledger.failedSends(),
                        ledger.latestVersions().size(), prefix));
    }
}
