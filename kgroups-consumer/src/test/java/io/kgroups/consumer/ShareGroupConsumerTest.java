package io.kgroups.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime on share groups, against the embedded broker: a record is acknowledged only after
 * its handler returned, a killed member's record goes to another member, the error policy maps to
 * acknowledgements (dead letters with headers, fail = release and stop, the delivery limit), a
 * handler slower than its lock keeps the record (renewal), and close hands back at once what is
 * in flight.
 */
class ShareGroupConsumerTest extends SharedKafkaTest {

    @Test
    void twoMembersHandleEveryRecordAndTheBrokerHasNothingLeftToDeliver() throws Exception {
        String topic = fixture.topic(3);
        String group = Fixture.unique("share");
        fixture.shareGroup(group, 15_000, 5);
        fixture.produce(topic, 3, "v", 0, 300);
        Map<String, AtomicInteger> handled = new ConcurrentHashMap<>();
        List<ShareGroupConsumer<String, String>> members = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            members.add(fixture.shareBuilder(group, topic).concurrency(8)
                    .handler(record -> handled.computeIfAbsent(record.value(), v -> new AtomicInteger()).incrementAndGet())
                    .build().start());
        }
        try {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(handled).hasSize(300));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(fixture.shareLag(group)).isZero();
                assertThat(members.stream().mapToLong(m -> m.stats().accepted()).sum())
                        .as("every handled record accepted, as the broker confirmed").isEqualTo(300);
            });
            assertThat(members.stream().mapToLong(m -> m.stats().processed()).sum()).as("each handled once").isEqualTo(300);
            assertThat(handled.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
            assertThat(members).allSatisfy(m -> assertThat(m.health().status()).isEqualTo(Health.Status.UP));
        } finally {
            members.forEach(m -> m.close(Duration.ofSeconds(10)));
        }
        assertThat(members).allSatisfy(m -> assertThat(m.state()).isEqualTo(ConsumerState.STOPPED));
    }

    @Test
    void aRecordOfAMemberKilledMidHandlerIsDeliveredToAnotherMember(@TempDir Path dir) throws Exception {
        String topic = fixture.topic(1);
        String group = Fixture.unique("share-kill");
        fixture.shareGroup(group, 5_000, 5);
        fixture.send(topic, 0, "hold");
        Path started = dir.resolve("started.txt");
        Process loader = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), ShareCrashingLoader.class.getName(), fixture.kafka.bootstrapServers(),
                topic, group, started.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("loader.log").toFile()).start();
        Map<Long, Integer> deliveries = new ConcurrentHashMap<>();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(started)
                    && Files.readString(started, StandardCharsets.UTF_8).contains("started 0:0"));
            loader.destroyForcibly(); // SIGKILL mid-handler: no acknowledgement, no leave
            loader.waitFor(30, TimeUnit.SECONDS);
            try (ShareGroupConsumer<String, String> other = fixture.shareBuilder(group, topic)
                    .handler(record -> deliveries.put(record.offset(), record.deliveryCount().orElse((short) 1).intValue()))
                    .build().start()) {
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(deliveries).containsKey(0L));
                assertThat(deliveries.get(0L)).as("delivery count of the record the killed member held").isEqualTo(2);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(other.stats().redelivered()).isEqualTo(1));
            }
        } finally {
            loader.destroyForcibly();
        }
    }

    @Test
    void failedAndUnreadableRecordsAreDeadLetteredWithTheirHeadersThenAccepted() throws Exception {
        String topic = fixture.topic(2);
        String group = Fixture.unique("share-dlt");
        fixture.shareGroup(group, 15_000, 5);
        for (int i = 0; i < 20; i++) {
            fixture.send(topic, i % 2, "k" + i, i == 5 ? "bad" : i == 11 ? "poison" : "ok-" + i);
        }
        Set<String> handled = ConcurrentHashMap.newKeySet();
        StringDeserializer strings = new StringDeserializer();
        try (ShareGroupConsumer<String, String> member = fixture.shareBuilder(group, topic)
                .valueDeserializer((t, bytes) -> {
                    String value = strings.deserialize(t, bytes);
                    if (value.equals("poison")) {
                        throw new IllegalArgumentException("not an order: " + value);
                    }
                    return value;
                })
                .errorPolicy(ErrorPolicy.retry(2, Backoff.fixed(Duration.ofMillis(20))).thenDeadLetter())
                .handler(record -> {
                    if (record.value().equals("bad")) {
                        throw new IllegalStateException("database refused " + record.value());
                    }
                    handled.add(record.value());
                })
                .build().start()) {
            List<ConsumerRecord<String, String>> dead = fixture.readAll(topic + ".DLT", 2);
            assertThat(dead).extracting(ConsumerRecord::value).containsExactlyInAnyOrder("bad", "poison");
            ConsumerRecord<String, String> bad = dead.stream().filter(r -> r.value().equals("bad")).findFirst().orElseThrow();
            assertThat(header(bad, "kgroups.dlt.original.topic")).isEqualTo(topic);
            assertThat(header(bad, "kgroups.dlt.group")).isEqualTo(group);
            assertThat(header(bad, "kgroups.dlt.attempts")).isEqualTo("3");
            assertThat(header(bad, "kgroups.dlt.exception.class")).isEqualTo(IllegalStateException.class.getName());
            ConsumerRecord<String, String> poison = dead.stream().filter(r -> r.value().equals("poison")).findFirst().orElseThrow();
            assertThat(header(poison, "kgroups.dlt.attempts")).as("an unreadable record is not retried").isEqualTo("1");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(handled).hasSize(18);
                assertThat(member.stats().deadLettered()).isEqualTo(2);
                assertThat(member.stats().retried()).isEqualTo(2);
                assertThat(member.stats().accepted()).as("dead letters are accepted too").isEqualTo(20);
                assertThat(fixture.shareLag(group)).isZero();
            });
        }
    }

    @Test
    void thenFailReleasesTheRecordAndStopsAndTheDeliveryLimitArchivesIt() throws Exception {
        String topic = fixture.topic(1);
        String group = Fixture.unique("share-fail");
        fixture.shareGroup(group, 15_000, 2);
        fixture.send(topic, 0, "boom");
        List<ShareConsumerStats> stopped = new ArrayList<>();
        for (int delivery = 1; delivery <= 2; delivery++) {
            AtomicInteger seen = new AtomicInteger();
            ShareGroupConsumer<String, String> member = fixture.shareBuilder(group, topic)
                    .errorPolicy(ErrorPolicy.fail())
                    .handler(record -> {
                        seen.set(record.deliveryCount().orElse((short) 0));
                        throw new IllegalStateException("cannot store " + record.value());
                    })
                    .build().start();
            try {
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(member.state()).isEqualTo(ConsumerState.FAILED));
                assertThat(member.health().status()).isEqualTo(Health.Status.DOWN);
                assertThat(member.failure()).contains("cannot store boom");
                assertThat(seen.get()).as("delivery count").isEqualTo(delivery);
            } finally {
                member.close(Duration.ofSeconds(10));
            }
            stopped.add(member.stats());
        }
        assertThat(stopped.get(0).released()).as("released, so that the next member gets it at once").isEqualTo(1);
        assertThat(stopped.get(0).deliveryLimitReached()).isZero();
        assertThat(stopped.get(1).deliveryLimitReached()).as("released at share.delivery.count.limit=2").isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(fixture.shareLag(group)).as("the broker archived it: nothing left to deliver").isZero());
    }

    @Test
    void aHandlerSlowerThanTheLockKeepsItsRecordByRenewal() throws Exception {
        String topic = fixture.topic(1);
        String group = Fixture.unique("share-renew");
        int lockMs = 2_000;
        fixture.shareGroup(group, lockMs, 5);
        fixture.send(topic, 0, "slow");
        fixture.produce(topic, 1, "fast", 0, 20);
        Map<String, AtomicInteger> handled = new ConcurrentHashMap<>();
        CountDownLatch slowStarted = new CountDownLatch(1);
        RecordHandler<String, String> handler = record -> {
            handled.computeIfAbsent(record.value(), v -> new AtomicInteger()).incrementAndGet();
            if (record.value().equals("slow")) {
                slowStarted.countDown();
                Thread.sleep(3L * lockMs); // the work itself takes three lock durations
            }
        };
        try (ShareGroupConsumer<String, String> first = fixture.shareBuilder(group, topic).concurrency(4).handler(handler)
                .build().start()) {
            assertThat(slowStarted.await(60, TimeUnit.SECONDS)).isTrue();
            try (ShareGroupConsumer<String, String> second = fixture.shareBuilder(group, topic).concurrency(4).handler(handler)
                    .build().start()) {
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    assertThat(handled).hasSize(21);
                    assertThat(fixture.shareLag(group)).isZero();
                });
                assertThat(handled.get("slow").get()).as("no other member got the slow record while it ran").isEqualTo(1);
                assertThat(first.stats().renewed()).as("locks renewed").isPositive();
                assertThat(first.stats().locksLost()).isZero();
                assertThat(second.stats().redelivered()).isZero();
            }
        }
    }

    @Test
    void closeHandsBackWhatIsInFlightAtOnce() throws Exception {
        String topic = fixture.topic(1);
        String group = Fixture.unique("share-close");
        fixture.shareGroup(group, 60_000, 5); // a lock far longer than the test: only a release lets the next member in
        fixture.produce(topic, 1, "v", 0, 10);
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        ShareGroupConsumer<String, String> first = fixture.shareBuilder(group, topic).concurrency(1)
                .handler(record -> {
                    inHandler.countDown();
                    never.await(); // a handler that does not finish in time
                })
                .build().start();
        assertThat(inHandler.await(60, TimeUnit.SECONDS)).isTrue();
        first.close(Duration.ofMillis(500));
        never.countDown();
        assertThat(first.stats().released()).as("the running record and the nine not started").isEqualTo(10);
        Set<String> handled = ConcurrentHashMap.newKeySet();
        try (ShareGroupConsumer<String, String> second = fixture.shareBuilder(group, topic).handler(r -> handled.add(r.value()))
                .build().start()) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(handled).hasSize(10));
        }
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
