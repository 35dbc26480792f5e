package io.kgroups.bench;

import io.kgroups.consumer.ErrorPolicy;
import io.kgroups.consumer.GroupConsumer;
import io.kgroups.consumer.OffsetReset;
import io.kgroups.consumer.Ordering;
import io.kgroups.consumer.ShareGroupConsumer;
import io.kgroups.embedded.EmbeddedKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The seed's slow handler (5 ms a record) on 3 partitions with 100 handlers, ideal 20,000
 * records/s: kgroups on a share group, kgroups {@code Ordering.UNORDERED} on a consumer group, and
 * a plain {@code KafkaShareConsumer} loop doing the same work on its one thread, as its javadoc
 * shows. Each kgroups variant handles the same topic from the start, timed from its start until
 * the last record is handled; the plain loop, 200 records/s at best, runs for a fixed time.
 */
final class ShareBench implements Benchmark {
    private static final int PARTITIONS = 3;
    private static final int CONCURRENCY = 100;
    private static final long HANDLER_MS = 5;
    private static final double IDEAL = CONCURRENCY * 1000.0 / HANDLER_MS;

    private enum Variant {
        SHARE("kgroups ShareGroupConsumer"),
        UNORDERED("kgroups GroupConsumer, Ordering.UNORDERED"),
        PLAIN("plain KafkaShareConsumer loop");

        final String label;

        Variant(String label) {
            this.label = label;
        }
    }

    @Override
    public String name() {
        return "share";
    }

    @Override
    public String description() {
        return "slow handler (5 ms) at 100 handlers on 3 partitions: kgroups on a share group vs UNORDERED vs a plain share loop";
    }

    @Override
    public Report run(boolean quick) throws Exception {
        int records = quick ? 10_000 : 60_000;
        int runs = quick ? 1 : 3;
        Duration plainWindow = Duration.ofSeconds(quick ? 5 : 10);
        List<ParallelBench.Kill> kills = new ArrayList<>();
        Map<Variant, List<Double>> rates = new EnumMap<>(Variant.class);
        for (Variant v : Variant.values()) {
            rates.put(v, new ArrayList<>());
        }
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().brokers(1).partitions(PARTITIONS).port(0).build().start();
                Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            for (int run = 1; run <= runs; run++) {
                String topic = "share-bench-" + run;
                kafka.createTopic(topic, PARTITIONS);
                TopicFiller.fill(kafka.bootstrapServers(), topic, records, 100);
                rates.get(Variant.SHARE).add(share(kafka, admin, topic, records, "share-" + run));
                rates.get(Variant.UNORDERED).add(unordered(kafka, topic, records, "unordered-" + run));
                rates.get(Variant.PLAIN).add(plain(kafka, admin, topic, plainWindow, "plain-" + run));
                kills.add(killAtHalf(kafka, admin, topic, records, "share-kill-" + run));
            }
        }
        Map<Variant, Double> median = new EnumMap<>(Variant.class);
        rates.forEach((v, list) -> median.put(v, Report.median(list)));
        Report report = Report.table("share: " + records + " records, " + PARTITIONS + " partitions, " + CONCURRENCY
                + " handlers of " + HANDLER_MS + " ms (ideal " + Math.round(IDEAL) + " records/s), median of " + runs,
                "variant", "records/s (median)", "runs", "vs ideal");
        for (Variant v : Variant.values()) {
            report.row(v.label, median.get(v), Report.runs(rates.get(v)), Report.ratio(median.get(v) / IDEAL));
        }
        return report
                .note("Every variant is timed from its first record handled (a share group's first fetch takes seconds "
                        + "while the broker reads its share state). kgroups variants: until every record was handled (the share group's records all "
                        + "acknowledged ACCEPT). The plain loop handles one record at a time for " + plainWindow.toSeconds()
                        + " s; its ceiling is " + Math.round(1000.0 / HANDLER_MS) + " records/s.")
                .note("Redelivered after a kill at 50 %: a ShareGroupConsumer in a JVM of its own (ParallelChild "
                        + "ordering=SHARE) appends \"partition:offset\" per handled record to a file; it is killed with "
                        + "SIGKILL once half the records are in it, and a new one in the same group runs until every "
                        + "record is: lines - distinct records = " + Report.runs(kills.stream()
                        .map(k -> (double) k.replayed()).toList()) + " (lines at the kill: " + Report.runs(kills.stream()
                        .map(k -> (double) k.linesAtKill()).toList()) + "; restart to all: " + Report.runs(kills.stream()
                        .map(ParallelBench.Kill::restartSeconds).toList()) + " s, with a 6 s session timeout).")
                .result("share_redelivered_after_kill", Report.median(kills.stream().map(k -> (double) k.replayed()).toList()))
                .ratio("share_vs_ideal", median.get(Variant.SHARE) / IDEAL)
                .ratio("share_vs_unordered", median.get(Variant.SHARE) / median.get(Variant.UNORDERED))
                .ratio("share_vs_plain_share_loop", median.get(Variant.SHARE) / median.get(Variant.PLAIN))
                .result("share_records_per_s", median.get(Variant.SHARE))
                .result("unordered_records_per_s", median.get(Variant.UNORDERED))
                .result("plain_share_loop_records_per_s", median.get(Variant.PLAIN));
    }

    private static double share(EmbeddedKafka kafka, Admin admin, String topic, int records, String group) throws Exception {
        fromEarliest(admin, group);
        Handled handled = new Handled();
        try (ShareGroupConsumer<byte[], byte[]> consumer = ShareGroupConsumer.<byte[], byte[]>builder()
                .kafkaProperties(Map.of("bootstrap.servers", kafka.bootstrapServers(), "group.id", group))
                .topics(topic).keyDeserializer(new ByteArrayDeserializer()).valueDeserializer(new ByteArrayDeserializer())
                .concurrency(CONCURRENCY).errorPolicy(ErrorPolicy.fail())
                .handler(record -> {
                    Thread.sleep(HANDLER_MS);
                    handled.one();
                })
                .build().start()) {
            return handled.await(records, consumer::failure);
        }
    }

    private static double unordered(EmbeddedKafka kafka, String topic, int records, String group) throws Exception {
        Handled handled = new Handled();
        try (GroupConsumer<byte[], byte[]> consumer = GroupConsumer.<byte[], byte[]>builder()
                .kafkaProperties(Map.of("bootstrap.servers", kafka.bootstrapServers(), "group.id", group))
                .topics(topic).keyDeserializer(new ByteArrayDeserializer()).valueDeserializer(new ByteArrayDeserializer())
                .ordering(Ordering.UNORDERED).concurrency(CONCURRENCY).offsetReset(OffsetReset.earliest())
                .errorPolicy(ErrorPolicy.fail())
                .handler(record -> {
                    Thread.sleep(HANDLER_MS);
                    handled.one();
                })
                .build().start()) {
            return handled.await(records, consumer::failure);
        }
    }

    /** The loop of KafkaShareConsumer's javadoc: poll, handle each record, acknowledge them all at the next poll. */
    private static double plain(EmbeddedKafka kafka, Admin admin, String topic, Duration window, String group) throws Exception {
        fromEarliest(admin, group);
        long handled = 0;
        try (KafkaShareConsumer<byte[], byte[]> consumer = new KafkaShareConsumer<>(Map.of(
                "bootstrap.servers", kafka.bootstrapServers(), "group.id", group),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long start = 0;
            long end = Long.MAX_VALUE;
            while (System.nanoTime() < end) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(100));
                if (start == 0 && !batch.isEmpty()) {
                    start = System.nanoTime(); // the clock starts at the first record, as for the others
                    end = start + window.toNanos();
                }
                for (ConsumerRecord<byte[], byte[]> record : batch) {
                    Thread.sleep(HANDLER_MS);
                    handled++;
                }
            }
            return handled / ((System.nanoTime() - start) / 1e9);
        }
    }

    /**
     * Records handled, timed from the first: joining a share group takes seconds on the first
     * fetch (the broker reads the group's share state), which is no part of the handling rate.
     */
    private static final class Handled {
        private final LongAdder count = new LongAdder();
        private final AtomicLong firstNanos = new AtomicLong();

        void one() {
            firstNanos.compareAndSet(0, System.nanoTime());
            count.increment();
        }

        double await(int records, Supplier<String> failure) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (count.sum() < records) {
                if (failure.get() != null) {
                    throw new IllegalStateException("consumer failed: " + failure.get());
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + count.sum() + " of " + records + " handled in 10 minutes");
                }
                Thread.sleep(5);
            }
            return records / ((System.nanoTime() - firstNanos.get()) / 1e9);
        }
    }

    /** A member killed with SIGKILL at half the records, then a new one: how many records are handled twice. */
    private static ParallelBench.Kill killAtHalf(EmbeddedKafka kafka, Admin admin, String topic, int records, String group)
            throws Exception {
        fromEarliest(admin, group);
        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, group), List.of(
                new AlterConfigOp(new ConfigEntry("share.session.timeout.ms", "6000"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("share.heartbeat.interval.ms", "2000"), AlterConfigOp.OpType.SET))))
                .all().get(30, TimeUnit.SECONDS);
        java.nio.file.Path file = java.nio.file.Files.createTempFile("kgroups-share-kill", ".log");
        try {
            List<String> command = List.of(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), ParallelChild.class.getName(), "ordering=SHARE",
                    "bootstrap=" + kafka.bootstrapServers(), "topic=" + topic, "group=" + group, "records=" + records,
                    "concurrency=" + CONCURRENCY, "sleepMs=" + HANDLER_MS, "mode=log", "out=" + file);
            return ParallelBench.killAndRestart(command, file, records, "share kill");
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    private static void fromEarliest(Admin admin, String group) throws Exception {
        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, group), List.of(
                new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET))))
                .all().get(30, TimeUnit.SECONDS);
    }
}
