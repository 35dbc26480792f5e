package io.kgroups.bench.peer.pc;

import io.confluent.parallelconsumer.ParallelConsumerOptions;
import io.confluent.parallelconsumer.ParallelConsumerOptions.CommitMode;
import io.confluent.parallelconsumer.ParallelConsumerOptions.ProcessingOrder;
import io.confluent.parallelconsumer.ParallelStreamProcessor;
import io.kgroups.bench.child.ChildArgs;
import io.kgroups.bench.child.ChildProcess;
import io.kgroups.bench.child.OffsetLog;
import io.kgroups.bench.child.Progress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Confluent Parallel Consumer as the peer of kgroups-bench's {@code parallel} benchmark, run by
 * it as a child process ({@code java -jar kgroups-bench-peer-pc.jar key=value ...}). It speaks
 * the same arguments and prints the same result line as kgroups-bench's {@code ParallelChild}
 * (both on the harness of kgroups-bench-child), so that both are measured alike:
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
        ChildProcess child = new ChildProcess("pc-peer");
        ChildArgs arg = ChildArgs.parse(args, child);
        child.exitWhenParentGoes();

        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, arg.bootstrap());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, arg.group());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"); // Parallel Consumer requires it
        // Extra Kafka properties from the benchmark, the same for both peers (e.g. session.timeout.ms).
        config.putAll(arg.withPrefix("kafka."));

        OffsetLog log = arg.mode().equals("log") ? new OffsetLog(arg.required("out")) : null;
        Progress progress = new Progress(arg.records(), child);
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        ParallelConsumerOptions<byte[], byte[]> options = ParallelConsumerOptions.<byte[], byte[]>builder()
                .consumer(consumer)
                .ordering(ProcessingOrder.KEY)
                .maxConcurrency(arg.concurrency())
                .commitMode(CommitMode.PERIODIC_CONSUMER_ASYNCHRONOUS)
                // It checks enable.auto.commit by reflection on KafkaConsumer's internals; on
                // kafka-clients 3.9 it no longer recognises the delegate (renamed ClassicKafkaConsumer,
                // confluentinc/parallel-consumer#874). The setting above is false, as it requires.
                .ignoreReflectiveAccessExceptionsForAutoCommitDisabledCheck(true)
                .build();
        ParallelStreamProcessor<byte[], byte[]> processor = ParallelStreamProcessor.createEosStreamProcessor(options);
        processor.subscribe(List.of(arg.topic()));
        processor.poll(context -> {
            ConsumerRecord<byte[], byte[]> record = context.getSingleConsumerRecord();
            try {
                Thread.sleep(arg.sleepMs());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            if (log != null) {
                log.append(record.partition(), record.offset());
            }
            progress.handled();
        });

        progress.await(arg, processor::isClosedOrFailed, "Parallel Consumer closed or failed (see its log above)");
        child.succeed();
    }
}
