package io.kgroups.bench;

import io.kgroups.embedded.EmbeddedKafka;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The floor every other benchmark stands on: how long an embedded broker takes to start, and how
 * fast plain Kafka clients produce to and consume from it on this machine. Later benchmarks are
 * read against these figures, so there is no peer to compare with here.
 */
final class BrokerBench implements Benchmark {
    private static final int PARTITIONS = 6;
    private static final int RECORD_BYTES = 200;
    private static final int THROUGHPUT_RUNS = 3;
    private static final Duration COLD_START_LIMIT = Duration.ofMinutes(2);
    /** A consumer that reads nothing for this long is stuck, not slow. */
    private static final Duration STALL_LIMIT = Duration.ofSeconds(30);

    @Override
    public String name() {
        return "broker";
    }

    @Override
    public String description() {
        return "embedded broker baseline: cold start, produce and consume throughput";
    }

    @Override
    public Report run(boolean quick) throws Exception {
        int startRuns = quick ? 3 : 5;
        int records = quick ? 100_000 : 500_000;

        List<Double> startMs = new ArrayList<>();
        for (int run = 1; run <= startRuns; run++) {
            startMs.add(coldStartMillis());
            progress("cold start " + run + "/" + startRuns);
        }

        List<Double> produceSeconds = new ArrayList<>();
        List<Double> consumeSeconds = new ArrayList<>();
        try (EmbeddedKafka kafka = newBroker().start()) {
            // Run 0 warms up the JIT (broker and clients share this JVM) and is not counted.
            for (int run = 0; run <= THROUGHPUT_RUNS; run++) {
                // A fresh topic per run, so that every consume run reads exactly what its produce run wrote.
                String topic = "bench-broker-" + run;
                kafka.createTopic(topic, PARTITIONS);
                double produced = TopicFiller.fill(kafka.bootstrapServers(), topic, records, RECORD_BYTES);
                double consumed = consume(kafka.bootstrapServers(), topic, records);
                if (run > 0) {
                    produceSeconds.add(produced);
                    consumeSeconds.add(consumed);
                }
                progress(run == 0 ? "warm-up" : "produce and consume " + run + "/" + THROUGHPUT_RUNS);
            }
        }

        double megabytes = (double) records * RECORD_BYTES / 1e6;
        List<Double> produceRps = perSecond(records, produceSeconds);
        List<Double> produceMbps = perSecond(megabytes, produceSeconds);
        List<Double> consumeRps = perSecond(records, consumeSeconds);
        List<Double> consumeMbps = perSecond(megabytes, consumeSeconds);

        return Report.table("broker: embedded Kafka, 1 broker; peer comparison: n/a (this is the baseline)",
                        "figure", "median", "runs")
                .row("cold start (ms)", Report.median(startMs), Report.runs(startMs))
                .row("produce (records/s)", Report.median(produceRps), Report.runs(produceRps))
                .row("produce (MB/s)", Report.median(produceMbps), Report.runs(produceMbps))
                .row("consume (records/s)", Report.median(consumeRps), Report.runs(consumeRps))
                .row("consume (MB/s)", Report.median(consumeMbps), Report.runs(consumeMbps))
                .note("cold start: build() and start() of a 1-broker EmbeddedKafka until start() returns,"
                        + " each in a fresh JVM (JVM boot itself not counted).")
                .note("produce: " + records + " records of " + RECORD_BYTES + " B, acks=all, linger.ms=5, to a "
                        + PARTITIONS + "-partition topic, until flush() returns; consume: a KafkaConsumer assigned"
                        + " every partition, from the beginning until all are read; after one uncounted warm-up run."
                        + " MB = 10^6 B of record values.")
                .result("start_ms", Report.median(startMs))
                .result("produce_rps", Report.median(produceRps))
                .result("produce_mbps", Report.median(produceMbps))
                .result("consume_rps", Report.median(consumeRps))
                .result("consume_mbps", Report.median(consumeMbps));
    }

    static EmbeddedKafka newBroker() {
        return EmbeddedKafka.builder().brokers(1).partitions(PARTITIONS).port(0).build();
    }

    /** Milliseconds of one {@link ColdStart}, in a fresh JVM on this JVM's class path. */
    private static double coldStartMillis() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("java.class.path");
        Process process = new ProcessBuilder(java, "-cp", classPath, ColdStart.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        if (!process.waitFor(COLD_START_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("a cold start took over " + COLD_START_LIMIT.toSeconds() + " s");
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (process.exitValue() != 0) {
            throw new IllegalStateException("a cold start failed (exit " + process.exitValue() + ")");
        }
        return Double.parseDouble(output);
    }

    /** Seconds to read {@code records} from the beginning of every partition of {@code topic}. */
    private static double consume(String bootstrap, String topic, int records) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long start = System.nanoTime();
            long lastRead = start;
            long read = 0;
            while (read < records) {
                int count = consumer.poll(Duration.ofMillis(500)).count();
                long now = System.nanoTime();
                if (count > 0) {
                    read += count;
                    lastRead = now;
                } else if (now - lastRead > STALL_LIMIT.toNanos()) {
                    throw new IllegalStateException("consume from " + topic + " stalled after " + read + " of "
                            + records + " records");
                }
            }
            return (System.nanoTime() - start) / 1e9;
        }
    }

    private static List<Double> perSecond(double amount, List<Double> seconds) {
        return seconds.stream().map(s -> amount / s).toList();
    }

    /** On stderr, so that stdout stays the report; a full run takes minutes. */
    private static void progress(String done) {
        System.err.println("broker: " + done + " done");
    }
}
