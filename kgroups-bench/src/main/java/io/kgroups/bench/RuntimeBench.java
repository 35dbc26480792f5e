package io.kgroups.bench;

import io.kgroups.consumer.CommitPolicy;
import io.kgroups.consumer.ConsumerState;
import io.kgroups.consumer.GroupConsumer;
import io.kgroups.embedded.EmbeddedKafka;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.listener.BatchMessageListener;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;

/**
 * The consumer runtime's own cost: how many records a second kgroups' {@link GroupConsumer} gets
 * through with a no-op handler, next to a plain {@link KafkaConsumer} loop (the floor of what any
 * runtime can do on these clients) and Spring Kafka's listener container (the peer users would
 * otherwise pick). Every variant reads the same topic from the beginning, in a group of its own.
 */
final class RuntimeBench implements Benchmark {
    private static final String TOPIC = "bench-runtime";
    private static final int PARTITIONS = 6;
    private static final int RECORD_BYTES = 200;
    /** Kafka's default, set explicitly so that every variant polls the same batches. */
    private static final int MAX_POLL_RECORDS = 500;
    /** A variant that counts nothing new for this long is stuck, not slow. */
    private static final Duration STALL_LIMIT = Duration.ofSeconds(30);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration PLAIN_POLL_TIMEOUT = Duration.ofMillis(100);

    /** What is compared; a round runs them in this order. */
    enum Variant {
        PLAIN("plain KafkaConsumer loop (commitAsync after each poll)"),
        PERIODIC("kgroups periodic(1s, 10000) (the default)"),
        PER_BATCH("kgroups perBatch(ASYNC)"),
        SPRING("Spring Kafka, batch listener, AckMode.BATCH"),
        PER_RECORD("kgroups perRecord() (bounded run)");

        final String label;

        Variant(String label) {
            this.label = label;
        }
    }

    @Override
    public String name() {
        return "runtime";
    }

    @Override
    public String description() {
        return "consumer runtime records/s, no-op handler: kgroups vs plain KafkaConsumer vs Spring Kafka";
    }

    @Override
    public Report run(boolean quick) throws Exception {
        int records = quick ? 200_000 : 1_000_000;
        int rounds = quick ? 2 : 3;
        // perRecord commits synchronously after every record: bounded by a count and a time.
        int perRecordTarget = quick ? 5_000 : 20_000;
        Duration perRecordLimit = quick ? Duration.ofSeconds(8) : Duration.ofSeconds(15);
        int perRecordWarmUp = 2_000;
        Duration perRecordWarmUpLimit = Duration.ofSeconds(5);
        double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

        Map<Variant, List<Double>> rates = new EnumMap<>(Variant.class);
        double fillSeconds;
        try (EmbeddedKafka kafka = BrokerBench.newBroker().start()) {
            String bootstrap = kafka.bootstrapServers();
            kafka.createTopic(TOPIC, PARTITIONS);
            fillSeconds = TopicFiller.fill(bootstrap, TOPIC, records, RECORD_BYTES);
            progress("filled " + TOPIC + " with " + records + " records in " + Report.number(fillSeconds) + " s");

            // Round 0 warms up the JIT for every variant (broker and clients share this JVM) and is
            // not counted; then the variants alternate, so that drift hits them all alike.
            for (int round = 0; round <= rounds; round++) {
                for (Variant variant : Variant.values()) {
                    String group = "bench-runtime-" + variant.name().toLowerCase(Locale.ROOT) + "-" + round;
                    Pass pass = variant == Variant.PER_RECORD
                            ? measure(variant, bootstrap, group, round == 0 ? perRecordWarmUp : perRecordTarget,
                                    round == 0 ? perRecordWarmUpLimit : perRecordLimit)
                            : measure(variant, bootstrap, group, records, null);
                    if (round > 0) {
                        rates.computeIfAbsent(variant, v -> new ArrayList<>()).add(pass.recordsPerSecond());
                    }
                    progress((round == 0 ? "warm-up" : "round " + round + "/" + rounds) + " " + variant.label + ": "
                            + pass.records() + " records in " + Report.number(pass.seconds()) + " s = "
                            + Report.number(pass.recordsPerSecond()) + " records/s");
                }
            }
        }

        Map<Variant, Double> median = new EnumMap<>(Variant.class);
        rates.forEach((variant, runs) -> median.put(variant, Report.median(runs)));
        double plain = median.get(Variant.PLAIN);

        Report report = Report.table("runtime: " + records + " records of " + RECORD_BYTES + " B, " + PARTITIONS
                        + " partitions, no-op handler, embedded 1-broker Kafka; peers: plain KafkaConsumer, Spring Kafka",
                "variant", "records/s (median)", "vs plain", "runs");
        Properties versions = clientVersions();
        for (Variant variant : Variant.values()) {
            report.row(variant.label, median.get(variant), Report.ratio(median.get(variant) / plain),
                    Report.runs(rates.get(variant)));
        }
        return report
                .note("Method: the topic is filled once (" + records + " records, no key, acks=all, "
                        + Report.number(fillSeconds) + " s); each pass then reads it from the beginning in a fresh group"
                        + " (auto.offset.reset=earliest), one consumer, timed from creating the consumer (plain: new"
                        + " KafkaConsumer + subscribe; kgroups: build() + start(); Spring: consumer factory + container +"
                        + " start()) until the handler has counted every record, so the group join is included and the"
                        + " close is not. One uncounted warm-up pass of every variant, then " + rounds + " rounds of"
                        + " plain, periodic, perBatch, Spring, perRecord in turn; median of the rounds.")
                .note("Handler: the same per-record no-op in every variant (a LongAdder increment; Spring's batch"
                        + " listener loops over its list). Consumer settings, the same for all: Kafka client defaults"
                        + " (fetch.min.bytes=1, fetch.max.wait.ms=500, fetch.max.bytes=50 MiB, max.partition.fetch.bytes=1 MiB) with"
                        + " max.poll.records=" + MAX_POLL_RECORDS + " (the default, set explicitly) and"
                        + " enable.auto.commit=false; kgroups otherwise at its defaults (16 handler threads,"
                        + " Ordering.PARTITION, CooperativeStickyAssignor).")
                .note("Plain: poll(" + PLAIN_POLL_TIMEOUT.toMillis() + " ms), the handler on every record, commitAsync()"
                        + " after every poll. Spring Kafka " + versions.getProperty("spring-kafka", "?")
                        + " (on kafka-clients " + versions.getProperty("kafka-clients", "?") + "):"
                        + " ConcurrentMessageListenerContainer, concurrency 1, BatchMessageListener, AckMode.BATCH,"
                        + " Spring's defaults otherwise (syncCommits=true: a commitSync after each poll's batch).")
                .note("perRecord: a synchronous commit after every record, by design; timed the same way over the"
                        + " first " + perRecordTarget + " records or " + perRecordLimit.toSeconds() + " s, whichever"
                        + " came first (warm-up: " + perRecordWarmUp + " or " + perRecordWarmUpLimit.toSeconds() + " s).")
                .note("Broker, producer and consumers share this JVM and its " + Runtime.getRuntime().availableProcessors()
                        + " cores; load average before the run: " + Report.number(loadBefore)
                        + " (other work on the machine shows up as spread in the runs).")
                .note("Goal (from the issue): periodic >= 0.95 x plain and >= 1.05 x Spring.")
                .ratio("periodic_vs_plain", median.get(Variant.PERIODIC) / plain)
                .ratio("periodic_vs_spring", median.get(Variant.PERIODIC) / median.get(Variant.SPRING))
                .ratio("perbatch_vs_plain", median.get(Variant.PER_BATCH) / plain)
                .result("perrecord_records_per_s", median.get(Variant.PER_RECORD))
                .result("plain_records_per_s", plain)
                .result("periodic_records_per_s", median.get(Variant.PERIODIC))
                .result("perbatch_records_per_s", median.get(Variant.PER_BATCH))
                .result("spring_records_per_s", median.get(Variant.SPRING));
    }

    /** One pass: the records counted and the seconds they took. */
    record Pass(long records, double seconds) {
        double recordsPerSecond() {
            return records / seconds;
        }
    }

    /**
     * Starts {@code variant} in group {@code group}, waits until its handler has counted
     * {@code target} records (or {@code limit} has passed, when given), then closes it cleanly.
     */
    private static Pass measure(Variant variant, String bootstrap, String group, long target, Duration limit)
            throws Exception {
        System.gc(); // the previous pass's garbage is not this pass's cost
        Map<String, Object> config = consumerConfig(bootstrap, group);
        LongAdder tally = new LongAdder();
        long start = System.nanoTime();
        long deadline = limit == null ? Long.MAX_VALUE : start + limit.toNanos();
        Running running = start(variant, config, tally);
        try {
            long lastCount = 0;
            long lastProgress = start;
            while (true) {
                long count = tally.sum();
                long now = System.nanoTime();
                if (count >= target || now >= deadline) {
                    return new Pass(count, (now - start) / 1e9);
                }
                if (count > lastCount) {
                    lastCount = count;
                    lastProgress = now;
                } else if (now - lastProgress > STALL_LIMIT.toNanos()) {
                    throw new IllegalStateException(variant.label + " stalled after " + count + " of " + target
                            + " records");
                }
                running.check();
                Thread.sleep(1);
            }
        } finally {
            running.stop();
        }
    }

    /** Properties every variant gets; no variant adds fetch or poll tuning of its own. */
    private static Map<String, Object> consumerConfig(String bootstrap, String group) {
        return Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, MAX_POLL_RECORDS);
    }

    /** The handler of every variant: counts, nothing else. */
    private static void handle(LongAdder tally, ConsumerRecord<byte[], byte[]> record) {
        tally.increment();
    }

    /** A variant consuming in the background. */
    private interface Running {
        /** Throws if the variant has failed (so that a broken run ends at once, not at the stall limit). */
        void check();

        /** Stops consuming and closes every client, waiting until they are closed. */
        void stop() throws Exception;
    }

    private static Running start(Variant variant, Map<String, Object> config, LongAdder tally) {
        return switch (variant) {
            case PLAIN -> plain(config, tally);
            case PERIODIC -> kgroups(config, tally, CommitPolicy.periodic(Duration.ofSeconds(1), 10_000));
            case PER_BATCH -> kgroups(config, tally, CommitPolicy.perBatch(CommitPolicy.Mode.ASYNC));
            case PER_RECORD -> kgroups(config, tally, CommitPolicy.perRecord());
            case SPRING -> spring(config, tally);
        };
    }

    /** The floor: one thread polls, runs the handler on each record and commits asynchronously. */
    private static Running plain(Map<String, Object> config, LongAdder tally) {
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        AtomicBoolean stopping = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try (consumer) {
                consumer.subscribe(List.of(TOPIC));
                while (!stopping.get()) {
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(PLAIN_POLL_TIMEOUT);
                    for (ConsumerRecord<byte[], byte[]> record : records) {
                        handle(tally, record);
                    }
                    consumer.commitAsync();
                }
            } catch (WakeupException e) {
                // asked to stop
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "bench-plain-" + config.get(ConsumerConfig.GROUP_ID_CONFIG));
        thread.start();
        return new Running() {
            @Override
            public void check() {
                if (failure.get() != null) {
                    throw new IllegalStateException("plain consumer failed: " + failure.get(), failure.get());
                }
            }

            @Override
            public void stop() throws InterruptedException {
                stopping.set(true);
                consumer.wakeup();
                thread.join(CLOSE_TIMEOUT.toMillis());
                if (thread.isAlive()) {
                    throw new IllegalStateException("plain consumer did not close within " + CLOSE_TIMEOUT);
                }
            }
        };
    }

    private static Running kgroups(Map<String, Object> config, LongAdder tally, CommitPolicy policy) {
        GroupConsumer<byte[], byte[]> consumer = GroupConsumer.<byte[], byte[]>builder()
                .kafkaProperties(config)
                .topics(TOPIC)
                .keyDeserializer(new ByteArrayDeserializer())
                .valueDeserializer(new ByteArrayDeserializer())
                .handler(record -> handle(tally, record))
                .commitPolicy(policy)
                .build()
                .start();
        return new Running() {
            @Override
            public void check() {
                if (consumer.state() == ConsumerState.FAILED) {
                    throw new IllegalStateException("kgroups " + policy + " failed: " + consumer.failure());
                }
            }

            @Override
            public void stop() {
                consumer.close(CLOSE_TIMEOUT);
                ConsumerState state = consumer.state();
                if (state != ConsumerState.STOPPED) {
                    throw new IllegalStateException("kgroups " + policy + " did not close cleanly: " + state
                            + (consumer.failure() == null ? "" : ": " + consumer.failure()));
                }
            }
        };
    }

    /** Spring Kafka without Spring Boot: what a {@code @KafkaListener} batch method runs on. */
    private static Running spring(Map<String, Object> config, LongAdder tally) {
        DefaultKafkaConsumerFactory<byte[], byte[]> factory =
                new DefaultKafkaConsumerFactory<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        ContainerProperties properties = new ContainerProperties(TOPIC);
        properties.setAckMode(ContainerProperties.AckMode.BATCH);
        properties.setMessageListener((BatchMessageListener<byte[], byte[]>) records -> {
            for (ConsumerRecord<byte[], byte[]> record : records) {
                handle(tally, record);
            }
        });
        ConcurrentMessageListenerContainer<byte[], byte[]> container =
                new ConcurrentMessageListenerContainer<>(factory, properties);
        container.setConcurrency(1);
        container.setBeanName("bench-spring-" + config.get(ConsumerConfig.GROUP_ID_CONFIG));
        // An application context would publish the container's events; its child reports that it
        // stopped through that path only, so without one isChildRunning() stays true for good.
        container.setApplicationEventPublisher(event -> { });
        container.start();
        return new Running() {
            @Override
            public void check() {
                if (!container.isRunning()) {
                    throw new IllegalStateException("Spring Kafka container stopped");
                }
            }

            @Override
            public void stop() throws InterruptedException {
                // Waits for the child's stop (up to the container's shutdownTimeout); the child tells
                // the parent it has stopped a moment later, from its consumer thread.
                container.stop();
                long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
                while (container.isChildRunning()) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("Spring Kafka container did not stop within " + CLOSE_TIMEOUT);
                    }
                    Thread.sleep(10);
                }
            }
        };
    }

    /** Versions as built (from the poms): the shaded jar keeps no manifest of the clients' own. */
    static Properties clientVersions() throws IOException {
        Properties versions = new Properties();
        try (InputStream in = RuntimeBench.class.getResourceAsStream("peer-versions.properties")) {
            if (in != null) {
                versions.load(in);
            }
        }
        return versions;
    }

    /** On stderr, so that stdout stays the report; a full run takes minutes. */
    private static void progress(String done) {
        System.err.println("runtime: " + done);
    }
}
