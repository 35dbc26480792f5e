package io.kgroups.bench;

import io.kgroups.bench.child.ChildArgs;
import io.kgroups.bench.child.ChildProcess;
import io.kgroups.bench.child.OffsetLog;
import io.kgroups.bench.child.Progress;
import io.kgroups.consumer.ConsumerState;
import io.kgroups.consumer.GroupConsumer;
import io.kgroups.consumer.Ordering;
import io.kgroups.consumer.RecordHandler;
import io.kgroups.consumer.ShareGroupConsumer;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
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
 * bootstrap=HOST:PORT topic=T group=G records=N concurrency=C sleepMs=S ordering=O|SHARE mode=MODE [out=FILE] [seconds=S]
 *   ordering=SHARE   a ShareGroupConsumer in share group G instead (for {@link ShareBench})
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
        boolean share = arg.required("ordering").equals("SHARE");
        child.exitWhenParentGoes();

        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, arg.bootstrap());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, arg.group());
        config.putAll(arg.withPrefix("kafka."));

        OffsetLog log = arg.mode().equals("log") ? new OffsetLog(arg.required("out")) : null;
        Progress progress = new Progress(arg.records(), child);
        RecordHandler<byte[], byte[]> handler = record -> {
            Thread.sleep(arg.sleepMs());
            if (log != null) {
                log.append(record.partition(), record.offset());
            }
            progress.handled();
        };
        BooleanSupplier failed;
        if (share) {
            // Where a share group starts is its config share.auto.offset.reset, set by the benchmark.
            ShareGroupConsumer<byte[], byte[]> consumer = ShareGroupConsumer.<byte[], byte[]>builder()
                    .kafkaProperties(config).topics(arg.topic())
                    .keyDeserializer(new ByteArrayDeserializer()).valueDeserializer(new ByteArrayDeserializer())
                    .concurrency(arg.concurrency()).handler(handler).build().start();
            failed = () -> consumer.state() == ConsumerState.FAILED;
        } else {
            config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            GroupConsumer<byte[], byte[]> consumer = GroupConsumer.<byte[], byte[]>builder()
                    .kafkaProperties(config).topics(arg.topic())
                    .keyDeserializer(new ByteArrayDeserializer()).valueDeserializer(new ByteArrayDeserializer())
                    .ordering(Ordering.valueOf(arg.required("ordering"))).concurrency(arg.concurrency())
                    .handler(handler).build().start();
            failed = () -> consumer.state() == ConsumerState.FAILED;
        }
        progress.await(arg, failed, "kgroups consumer failed (see its log above)");
        child.succeed();
    }
}
