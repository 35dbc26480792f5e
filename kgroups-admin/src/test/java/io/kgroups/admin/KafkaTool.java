package io.kgroups.admin;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.tools.consumer.group.ConsumerGroupCommand;
import org.apache.kafka.tools.consumer.group.ShareGroupCommand;
import org.apache.kafka.tools.streams.StreamsGroupCommand;

/**
 * Apache Kafka's own kafka-consumer-groups, kafka-share-groups and kafka-streams-groups (kafka-tools),
 * run in this JVM against the embedded broker, their output captured: what differential tests
 * compare kgroups with.
 */
final class KafkaTool {
    private static final Pattern EXIT_STATUS = Pattern.compile("the JVM with status (\\d+)");

    /**
     * What a run printed.
     *
     * @param exitStatus the status the tool asked to exit with; null when it returned without
     */
    record Output(String out, String err, Integer exitStatus) {
        /**
         * The rows of the tables whose header's first column is GROUP and whose first cell is
         * {@code group}: column name to cell. A header is the line of column names; cells are
         * separated by blanks ("-" stands for an empty one), but the last takes the rest of the
         * line (kafka-streams-groups writes a member's tasks there, with blanks). A line with fewer
         * cells than its header has names is not a row (log lines are not either: they start with a time).
         */
        List<Map<String, String>> rows(String group) {
            List<Map<String, String>> rows = new ArrayList<>();
            String[] header = null;
            for (String line : out.split("\n")) {
                String[] cells = line.trim().split("\\s+", header == null ? 0 : header.length);
                if (cells[0].equals("GROUP")) {
                    header = line.trim().split("\\s+");
                } else if (header != null && cells[0].equals(group) && cells.length == header.length) {
                    Map<String, String> row = new LinkedHashMap<>();
                    for (int i = 0; i < cells.length; i++) {
                        row.put(header[i], cells[i].strip());
                    }
                    rows.add(row);
                }
            }
            return rows;
        }

        /** As {@link #rows(String)}, failing with all the tool printed when it printed none. */
        List<Map<String, String>> someRows(String group) {
            List<Map<String, String>> rows = rows(group);
            if (rows.isEmpty()) {
                throw new AssertionError("the Kafka tool printed no table row of group " + group + ": " + this);
            }
            return rows;
        }

        @Override
        public String toString() {
            return "exit status " + exitStatus + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    private KafkaTool() {
    }

    /** What a tool's {@code --topic T} or {@code --topic T:0,2} scopes a reset to, as kgroups' planReset takes it. */
    static Map<String, Set<Integer>> scope(String topicArgument) {
        String[] topicAndPartitions = topicArgument.split(":", 2);
        Set<Integer> partitions = new TreeSet<>(); // empty: every partition of the topic
        if (topicAndPartitions.length == 2) {
            for (String p : topicAndPartitions[1].split(",")) {
                partitions.add(Integer.parseInt(p));
            }
        }
        return Map.of(topicAndPartitions[0], partitions);
    }

    static Output consumerGroups(String... args) {
        return run(ConsumerGroupCommand::main, args);
    }

    static Output shareGroups(String... args) {
        return run(ShareGroupCommand::main, args);
    }

    static Output streamsGroups(String... args) {
        return run(StreamsGroupCommand::main, args);
    }

    private static Output run(Consumer<String[]> main, String[] args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Integer status = null;
        // System.out and System.err are the JVM's: one tool at a time.
        synchronized (KafkaTool.class) {
            PrintStream stdout = System.out;
            PrintStream stderr = System.err;
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            try {
                main.accept(args);
            } catch (IllegalStateException exitRefused) {
                // The tools end with Exit.exit, which the embedded broker's guard turns into this, naming the status.
                Matcher m = EXIT_STATUS.matcher(String.valueOf(exitRefused.getMessage()));
                if (!m.find()) {
                    throw exitRefused;
                }
                status = Integer.parseInt(m.group(1));
            } finally {
                System.setOut(stdout);
                System.setErr(stderr);
            }
        }
        return new Output(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), status);
    }
}
