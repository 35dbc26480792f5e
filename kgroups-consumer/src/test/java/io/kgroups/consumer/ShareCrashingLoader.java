package io.kgroups.consumer;

import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A share-group member in a JVM of its own, for {@link ShareGroupConsumerTest} to kill with
 * SIGKILL mid-handler: no acknowledgement, no leave. Each record it starts is appended to a file
 * ({@code started partition:offset}); a record whose value is {@code hold} never returns.
 *
 * <p>Arguments: bootstrap servers, topic, group, output file.
 */
public final class ShareCrashingLoader {
    private ShareCrashingLoader() {
    }

    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", args[0]);
        props.put("group.id", args[2]);
        try (FileOutputStream out = new FileOutputStream(args[3], true)) {
            ShareGroupConsumer.<String, String>builder()
                    .kafkaProperties(props)
                    .topics(args[1])
                    .keyDeserializer(new StringDeserializer())
                    .valueDeserializer(new StringDeserializer())
                    .concurrency(4)
                    .handler(record -> {
                        synchronized (out) {
                            out.write(("started " + record.partition() + ":" + record.offset() + "\n").getBytes(StandardCharsets.UTF_8));
                            out.flush();
                        }
                        if (record.value().equals("hold")) {
                            new CountDownLatch(1).await(); // a handler mid-write, until the process is killed
                        }
                    })
                    .build().start();
            new CountDownLatch(1).await(); // until killed
        }
    }
}
