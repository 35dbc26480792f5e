package io.kgroups.bench;

import io.kgroups.bench.child.ChildArgs;
import io.kgroups.bench.child.ChildProcess;
import io.kgroups.bench.child.OffsetLog;
import io.kgroups.bench.child.Progress;
import io.kgroups.consumer.ConsumerState;
import io.kgroups.consumer.GroupConsumer;
import io.kgroups.consumer.Ordering;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A kgroups {@link GroupConsumer} in a JVM of its own, run by {@link ParallelBench}
 * ({@code java -cp kgroups-bench.jar io.kgroups.bench.ParallelChild key=value ...}): a fresh JVM
 * like Parallel Consumer's, and one that can be killed. Takes the same arguments and prints the
 * same result line as kgroups-bench-peer-pc's {@code ParallelConsumerPeer} (both on the harness of
 * kgroups-bench-child), plus {@code ordering=KEY|UNORDERED|PARTITION}:
 *
 * <pre>
 * bootstrap=HOST:PORT topic=T group=G records=N concurrency=C sleepMs=S ordering=O mode=MODE [out=FILE] [seconds=S]
 *   mode=throughput  until N records are handled; records/s between 10% and 90% of N
 *   mode=bounded     records/s over {@code seconds}, from 2 s after the first record was handled
 *   mode=log         appends "partition:offset\n" per handled record to FILE, until killed
 * kafka.NAME=VALUE   a Kafka consumer property
 * </pre>
 *
 * <p>Result (stdout, one line): {@code PEER_RESULT processed=N seconds=S records_per_s=R
 * end_to_end_records_per_s=R first_record_s=S}. Exits when its stdin closes, so that it never
 * outlives the benchmark; exit 1 with a message on stderr when something fails.
 */
public final class ParallelChild {
    private ParallelChild() {
    }

    public static void main(String[] args) throws Exception {
        ChildProcess child = new ChildProcess("parallel-child");
        ChildArgs arg = ChildArgs.parse(args, child);
        Ordering ordering = Ordering.valueOf(arg.required("ordering"));
        child.exitWhenParentGoes();

        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, arg.bootstrap());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, arg.group());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.putAll(arg.withPrefix("kafka."));

        OffsetLog log = arg.mode().equals("log") ? new OffsetLog(arg.required("out")) : null;
        Progress progress = new Progress(arg.records(), child);
        GroupConsumer<byte[], byte[]> consumer = GroupConsumer.<byte[], byte[]>builder()
                .kafkaProperties(config)
                .topics(arg.topic())
                .keyDeserializer(new ByteArrayDeserializer())
                .valueDeserializer(new ByteArrayDeserializer())
                .ordering(ordering)
                .concurrency(arg.concurrency())
                .handler(record -> {
                    Thread.sleep(arg.sleepMs());
                    if (log != null) {
                        log.append(record.partition(), record.offset());
                    }
                    progress.handled();
                })
                .build()
                .start();

        progress.await(arg, () -> consumer.state() == ConsumerState.FAILED,
                "kgroups consumer failed (see its log above)");
        child.succeed();
    }
}
