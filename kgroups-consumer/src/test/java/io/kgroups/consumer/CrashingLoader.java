package io.kgroups.consumer;

import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A loader in a JVM of its own, for {@link CrashRecoveryTest} to kill with SIGKILL: no commit, no
 * leave. Each handled record is appended to a file before the handler returns (the file survives
 * the process), as a row would be stored in a database.
 *
 * <p>Arguments: bootstrap servers, topic, group, output file, group protocol, ordering. With KEY
 * or UNORDERED, every 50th record takes 300 ms, so that many records complete out of order.
 */
public final class CrashingLoader {
    private CrashingLoader() {
    }

    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", args[0]);
        props.put("group.id", args[2]);
        props.put("auto.offset.reset", "earliest");
        props.put("group.protocol", args[4]);
        if (args[4].equals("classic")) {
            props.put("session.timeout.ms", "2000");
            props.put("heartbeat.interval.ms", "500");
        }
        try (FileOutputStream out = new FileOutputStream(args[3], true)) {
            GroupConsumer<String, String> consumer = GroupConsumer.<String, String>builder()
                    .kafkaProperties(props)
                    .topics(args[1])
                    .keyDeserializer(new StringDeserializer())
                    .valueDeserializer(new StringDeserializer())
                    .commitPolicy(CommitPolicy.periodic(Duration.ofMillis(300), 500))
                    .ordering(Ordering.valueOf(args.length > 5 ? args[5] : "PARTITION"))
                    .concurrency(32)
                    .handler(record -> {
                        // a database write takes a moment, some much longer
                        Thread.sleep(args.length > 5 && !args[5].equals("PARTITION") && record.offset() % 50 == 0 ? 300 : 1);
                        synchronized (out) {
                            out.write((record.partition() + ":" + record.offset() + "\n").getBytes(StandardCharsets.UTF_8));
                        }
                    })
                    .build();
            consumer.start();
            new CountDownLatch(1).await(); // until killed
        }
    }
}
