package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kgroups.admin.GroupAdmin;
import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * groups, describe and lag print a chunk of groups before they read the last: the moment the first
 * group's text reaches stdout, the last group's committed offset is moved (synchronously, in the
 * write), and the answer must show the last group at its new offset. An answer printed only once
 * every group was read shows the old one.
 */
@ExtendWith(KafkaExtension.class)
class StreamingOutputTest {
    private static final String TOPIC = "streaming-orders";
    /** Records in the partition the groups commit on. */
    private static final int RECORDS = 10;
    private static final long BEFORE = 2;
    private static final long MOVED = 7;
    /**
     * One more than two chunks: the last group is read in a third chunk. The streamed reads read one
     * chunk ahead, so the third chunk's read starts once the first chunk is handed on, not before.
     */
    private static final int GROUPS = 2 * GroupAdmin.GROUPS_PER_CHUNK + 1;
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);

    private static String bootstrap;
    private static Admin admin;
    private static List<String> named;

    @BeforeAll
    static void groups(EmbeddedKafka kafka) throws Exception {
        bootstrap = kafka.bootstrapServers();
        kafka.createTopic(TOPIC, 2);
        admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
        StreamsApp.produce(bootstrap, TOPIC, 2 * RECORDS); // RECORDS in each partition; the groups commit on the first
        named = new ArrayList<>();
        List<KafkaFuture<Void>> commits = new ArrayList<>();
        for (int g = 0; g < GROUPS; g++) {
            named.add(String.format("streaming-%04d", g));
            commits.add(admin.alterConsumerGroupOffsets(named.get(g), Map.of(PARTITION, new OffsetAndMetadata(BEFORE))).all());
        }
        KafkaFuture.allOf(commits.toArray(KafkaFuture[]::new)).get(60, TimeUnit.SECONDS);
    }

    @AfterAll
    static void close() {
        admin.close();
    }

    static Stream<Arguments> commands() {
        return Stream.of(
                Arguments.of("describe", "table"), Arguments.of("describe", "json"),
                Arguments.of("groups", "table"), Arguments.of("groups", "json"),
                Arguments.of("lag", "table"), Arguments.of("lag", "json"));
    }

    @ParameterizedTest(name = "{0} --output {1}")
    @MethodSource("commands")
    void theFirstGroupIsPrintedBeforeTheLastIsRead(String command, String format) throws Exception {
        // groups reads every group of the cluster, in the list's order (the last of ours is at least 1,000th, so in
        // the third chunk or later): the trigger is a group of its first chunk whose name JSON writes as it is (other
        // tests name groups with newlines); describe and lag read the ones named, in their order.
        String first = command.equals("groups") ? listed().stream().limit(GroupAdmin.GROUPS_PER_CHUNK)
                .filter(g -> g.matches("[\\w.-]+")).findFirst().orElseThrow() : named.get(0);
        String last = named.get(named.size() - 1);
        commit(last, BEFORE);
        List<String> args = new ArrayList<>(List.of(command));
        if (!command.equals("groups")) {
            args.addAll(named);
        }
        args.addAll(List.of("--bootstrap-server", bootstrap, "--output", format));
        MovesOnFirstGroup out = new MovesOnFirstGroup(first, () -> commit(last, MOVED));

        Cli.Result result = Cli.run(out, args.toArray(String[]::new));

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(out.moved).as("the first group's text reached stdout").isTrue();
        long lagAfterMove = RECORDS - MOVED;
        if (format.equals("json")) {
            JsonNode data = new ObjectMapper().readTree(out.text.toString()).get("data");
            JsonNode row = null;
            for (JsonNode item : data) {
                row = item.get("group").asText().equals(last) ? item : row;
            }
            assertThat(row).as("%s in %s", last, out.text).isNotNull();
            String lag = command.equals("describe") ? "totalLag" : command.equals("groups") ? "totalLag" : "lag";
            assertThat(row.get(lag).asLong()).as("%s of the last group, read after the first was printed", lag)
                    .isEqualTo(lagAfterMove);
            if (command.equals("describe")) {
                // Its time lag too: the chunks share one consumer for the log reads.
                assertThat(row.get("partitions").get(0).get("lagSeconds").isNumber()).as("%s", row).isTrue();
            }
        } else {
            String text = out.text.toString();
            if (command.equals("describe")) {
                assertThat(text).contains("GROUP " + last + "  state Empty  type classic")
                        .containsPattern("GROUP " + last + " .*  lag " + lagAfterMove + "\n");
            } else {
                String row = text.lines().filter(line -> line.startsWith(last + " ")).findFirst().orElseThrow();
                assertThat(row.split(" +")).as(row).contains(String.valueOf(lagAfterMove));
                assertThat(row.split(" +")).as(row).doesNotContain(String.valueOf(RECORDS - BEFORE));
            }
        }
    }

    private static List<String> listed() throws Exception {
        return admin.listGroups().all().get(30, TimeUnit.SECONDS).stream().map(GroupListing::groupId).sorted().toList();
    }

    private static void commit(String group, long offset) {
        try {
            admin.alterConsumerGroupOffsets(group, Map.of(PARTITION, new OffsetAndMetadata(offset))).all()
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("commit of " + group + " failed", e);
        }
    }

    /** Stdout that runs {@code move} in the write that first carries {@code group}'s name, once. */
    private static final class MovesOnFirstGroup extends Writer {
        final StringBuilder text = new StringBuilder();
        private final String group;
        private final Runnable move;
        boolean moved;

        MovesOnFirstGroup(String group, Runnable move) {
            this.group = group;
            this.move = move;
        }

        @Override
        public void write(char[] buffer, int offset, int length) {
            text.append(buffer, offset, length);
            if (!moved && text.indexOf(group) >= 0) {
                moved = true;
                move.run();
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
