import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;

/**
 * Many groups at once, for the overview's paging: {@code java -cp kgroups.jar IdleGroups.java
 * BOOTSTRAP COUNT PREFIX} commits offset 0 of partition 0 of {@code orders} (LaggingGroup's topic)
 * for groups PREFIX0000 ... PREFIX(COUNT-1), no members, and exits.
 */
public class IdleGroups {
    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", args[0]);
        int count = Integer.parseInt(args[1]);
        try (Admin admin = Admin.create(props)) {
            List<KafkaFuture<Void>> commits = new ArrayList<>();
            for (int g = 0; g < count; g++) {
                commits.add(admin.alterConsumerGroupOffsets(String.format("%s%04d", args[2], g),
                        Map.of(new TopicPartition("orders", 0), new OffsetAndMetadata(0))).all());
            }
            KafkaFuture.allOf(commits.toArray(KafkaFuture[]::new)).get();
        }
        System.out.println("committed " + count);
    }
}
