package io.kgroups.bench.peer.pc;

import io.confluent.parallelconsumer.ParallelConsumerOptions;
import io.confluent.parallelconsumer.ParallelConsumerOptions.CommitMode;
import io.confluent.parallelconsumer.ParallelConsumerOptions.ProcessingOrder;
import io.confluent.parallelconsumer.ParallelStreamProcessor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Confluent Parallel Consumer as the peer of kgroups-bench's {@code parallel} benchmark, run by
 * it as a child process ({@code java -jar kgroups-bench-peer-pc.jar key=value ...}). It speaks
 * the same arguments and prints the same result line as kgroups-bench's {@code ParallelChild},
 * so that both are measured alike:
 *
 * <pre>
 * bootstrap=HOST:PORT topic=T group=G records=N concurrency=C sleepMs=S mode=MODE [out=FILE] [seconds=S]
 *   mode=throughput  until N records are handled; records/s between 10% and 90% of N
 *   mode=bounded     records/s over {@code seconds}, from 2 s after the first record was handled
 *   mode=log         appends "partition:offset\n" per handled record to FILE, until killed
 * </pre>
 *
 * <p>Result (stdout, one line): {@code PEER_RESULT processed=N seconds=S records_per_s=R
 * end_to_end_records_per_s=R first_record_s=S}. The child exits when its stdin closes, so that it
 * never outlives the benchmark. Exit 1 with a message on stderr when something fails.
 */
public final class ParallelConsumerPeer {
    private ParallelConsumerPeer() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> arg = parse(args);
        String bootstrap = required(arg, "bootstrap");
        String topic = required(arg, "topic");
        String group = required(arg, "group");
        long records = Long.parseLong(required(arg, "records"));
        int concurrency = Integer.parseInt(required(arg, "concurrency"));
        long sleepMs = Long.parseLong(required(arg, "sleepMs"));
        String mode = required(arg, "mode");
        watchParent();

        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"); // Parallel Consumer requires it
        // Extra Kafka properties from the benchmark, the same for both peers (e.g. session.timeout.ms).
        arg.forEach((key, value) -> {
            if (key.startsWith("kafka.")) {
                config.put(key.substring("kafka.".length()), value);
            }
        });

        AtomicLong handled = new AtomicLong();
        Progress progress = new Progress(records);
        FileOutputStream out = mode.equals("log") ? new FileOutputStream(required(arg, "out"), true) : null;

        long start = System.nanoTime();
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        ParallelConsumerOptions<byte[], byte[]> options = ParallelConsumerOptions.<byte[], byte[]>builder()
                .consumer(consumer)
                .ordering(ProcessingOrder.KEY)
                .maxConcurrency(concurrency)
                .commitMode(CommitMode.PERIODIC_CONSUMER_ASYNCHRONOUS)
                // It checks enable.auto.commit by reflection on KafkaConsumer's internals; on
                // kafka-clients 3.9 it no longer recognises the delegate (renamed ClassicKafkaConsumer,
                // confluentinc/parallel-consumer#874). The setting above is false, as it requires.
                .ignoreReflectiveAccessExceptionsForAutoCommitDisabledCheck(true)
                .build();
        ParallelStreamProcessor<byte[], byte[]> processor = ParallelStreamProcessor.createEosStreamProcessor(options);
        processor.subscribe(List.of(topic));
        processor.poll(context -> {
            ConsumerRecord<byte[], byte[]> record = context.getSingleConsumerRecord();
            try {
                Thread.sleep(sleepMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            if (out != null) {
                write(out, record);
            }
            progress.handled(handled.incrementAndGet());
        });

        switch (mode) {
            case "throughput" -> progress.awaitAll(start, handled, processor::isClosedOrFailed);
            case "bounded" -> progress.awaitWindow(start, handled, Double.parseDouble(required(arg, "seconds")),
                    processor::isClosedOrFailed);
            case "log" -> progress.awaitForever(processor::isClosedOrFailed);
            default -> fail("unknown mode '" + mode + "': throughput, bounded or log");
        }
        System.out.flush();
        // The group is a fresh one per run: no need to leave it politely; halt skips the drain.
        Runtime.getRuntime().halt(0);
    }

    /** One line per handled record, one write(2) each (O_APPEND), so that every line survives a SIGKILL. */
    private static void write(FileOutputStream out, ConsumerRecord<?, ?> record) {
        byte[] line = (record.partition() + ":" + record.offset() + "\n").getBytes(StandardCharsets.US_ASCII);
        try {
            out.write(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Timestamps at 10% and 90% of the records, and the waits of each mode. */
    private static final class Progress {
        private static final long STALL_NANOS = 60_000_000_000L;
        private final long records;
        private final long low;
        private final long high;
        private volatile long firstNanos;
        private volatile long lowNanos;
        private volatile long highNanos;

        Progress(long records) {
            this.records = records;
            this.low = Math.max(1, records / 10);
            this.high = Math.max(low + 1, records - records / 10);
        }

        void handled(long count) {
            if (count == 1) {
                firstNanos = System.nanoTime();
            }
            if (count == low) {
                lowNanos = System.nanoTime();
            }
            if (count == high) {
                highNanos = System.nanoTime();
            }
        }

        void awaitAll(long start, AtomicLong handled, java.util.function.BooleanSupplier failed)
                throws InterruptedException {
            long last = 0;
            long lastChange = System.nanoTime();
            while (handled.get() < records || highNanos == 0 || lowNanos == 0 || firstNanos == 0) {
                check(failed);
                long now = System.nanoTime();
                long count = handled.get();
                if (count != last) {
                    last = count;
                    lastChange = now;
                } else if (now - lastChange > STALL_NANOS) {
                    fail("stalled after " + count + " of " + records + " records");
                }
                Thread.sleep(1);
            }
            long end = System.nanoTime();
            result(handled.get(), (highNanos - lowNanos) / 1e9, (high - low) / ((highNanos - lowNanos) / 1e9),
                    records / ((end - start) / 1e9), (firstNanos - start) / 1e9);
        }

        void awaitWindow(long start, AtomicLong handled, double seconds, java.util.function.BooleanSupplier failed)
                throws InterruptedException {
            long deadline = System.nanoTime() + STALL_NANOS;
            while (handled.get() == 0) {
                check(failed);
                if (System.nanoTime() > deadline) {
                    fail("no record handled within 60 s");
                }
                Thread.sleep(1);
            }
            Thread.sleep(2_000);
            long from = System.nanoTime();
            long before = handled.get();
            Thread.sleep((long) (seconds * 1000));
            long to = System.nanoTime();
            long after = handled.get();
            check(failed);
            double window = (to - from) / 1e9;
            result(after - before, window, (after - before) / window, Double.NaN, (firstNanos - start) / 1e9);
        }

        void awaitForever(java.util.function.BooleanSupplier failed) throws InterruptedException {
            while (true) {
                check(failed);
                Thread.sleep(100);
            }
        }

        private static void check(java.util.function.BooleanSupplier failed) {
            if (failed.getAsBoolean()) {
                fail("Parallel Consumer closed or failed (see its log above)");
            }
        }

        private static void result(long processed, double seconds, double rate, double endToEnd, double first) {
            System.out.println(String.format(Locale.ROOT,
                    "PEER_RESULT processed=%d seconds=%.3f records_per_s=%.1f end_to_end_records_per_s=%.1f"
                            + " first_record_s=%.3f", processed, seconds, rate, endToEnd, first));
        }
    }

    /** Exits when stdin closes: the benchmark that started this process has gone. */
    private static void watchParent() {
        Thread watcher = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // nothing is sent; only the end matters
                }
            } catch (IOException e) {
                // the same: the parent has gone
            }
            Runtime.getRuntime().halt(3);
        }, "parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> map = new HashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                fail("argument '" + a + "' is not key=value");
            }
            map.put(a.substring(0, eq), a.substring(eq + 1));
        }
        return map;
    }

    private static String required(Map<String, String> args, String key) {
        String value = args.get(key);
        if (value == null) {
            fail("missing argument " + key + "=...");
        }
        return value;
    }

    private static void fail(String message) {
        System.err.println("pc-peer: " + message);
        System.err.flush();
        Runtime.getRuntime().halt(1);
    }
}
