package io.kgroups.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kgroups.admin.GroupAdmin;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The storm the guide's troubleshooting names: a consumer whose poll loop is slower than its
 * max.poll.interval.ms (1 s here; it takes 2.5 s between polls) is removed from the group and
 * rejoins at its next poll, again and again. The monitor, cycled by the test, must report the
 * group as a rebalancing storm with that cause, and count its rebalances in /metrics.
 */
@ExtendWith(KafkaExtension.class)
class RebalanceStormTest {

    @ParameterizedTest(name = "group.protocol={0}")
    @ValueSource(strings = {"classic", "consumer"})
    void aMemberExceedingMaxPollIntervalIsARebalancingStorm(String protocol, EmbeddedKafka kafka) throws Exception {
        String topic = "storm-orders-" + protocol;
        String group = "storm_" + protocol;
        kafka.createTopic(topic, 2);
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        AtomicBoolean stop = new AtomicBoolean();
        Thread slow = new Thread(() -> {
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers",
                    kafka.bootstrapServers(), "group.id", group, "group.protocol", protocol, "client.id", "slow-loader",
                    "max.poll.interval.ms", "1000"), new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of(topic));
                while (!stop.get()) {
                    consumer.poll(Duration.ofMillis(200));
                    Thread.sleep(2500); // the slow handler: longer than max.poll.interval.ms
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "slow-loader");
        slow.start();
        try (GroupAdmin admin = GroupAdmin.create(props, Duration.ofSeconds(30));
             LagMonitor monitor = LagMonitor.builder(admin).interval(Duration.ofMillis(200))
                     .include(Pattern.compile(Pattern.quote(group))).rebalanceStorm(3, Duration.ofMinutes(2)).build()) {
            GroupStatus[] last = new GroupStatus[1];
            try {
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).failFast(() -> !slow.isAlive())
                        .until(() -> {
                            monitor.cycle();
                            last[0] = monitor.snapshot().group(group).orElse(null);
                            return last[0] != null && last[0].rebalances().storm() != null;
                        });
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("no rebalancing storm within 90 s; last seen: " + (last[0] == null ? "nothing"
                        : last[0].status() + " " + last[0].reasons() + ", " + last[0].rebalances()), e);
            }
            GroupStatus g = last[0];
            assertThat(g.status()).isEqualTo(Status.WARNING);
            assertThat(g.rebalances().total()).isGreaterThanOrEqualTo(3);
            String storm = g.rebalances().storm();
            assertThat(storm).contains("max.poll.interval.ms");
            if (protocol.equals("classic")) {
                // a classic member that rejoins has a new member id: the same client seen leaving and coming back
                assertThat(storm).contains("slow-loader@", "likely: the same members leave and come back");
            }
            assertThat(g.reasons()).contains(storm);
            String metrics = PrometheusText.render(monitor.snapshot(), PrometheusText.Granularity.GROUP, List.of());
            assertThat(metrics).containsPattern("kgroups_group_rebalances_total\\{group=\"" + group + "\",type=\"\\w+\"\\} "
                    + g.rebalances().total() + "\\b");
        } finally {
            stop.set(true);
            slow.interrupt();
            slow.join(30_000);
        }
    }
}
