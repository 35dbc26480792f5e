package io.kgroups.admin;

import io.kgroups.admin.internal.AtomicFile;
import io.kgroups.admin.internal.PercentEncoding;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Offsets as CSV lines {@code topic,partition,offset}: the format of Kafka's
 * {@code kafka-consumer-groups --reset-offsets --export}, so files move between the two tools.
 * Used for exports, imports and the backups taken before every executed reset.
 *
 * <p>A backup must undo a reset exactly, which plain lines cannot say; it adds lines that start
 * with {@code #kgroups}, one fact each, after the plain lines:
 * <pre>
 * orders,0,20
 * #kgroups leader-epoch orders,0,3          the leader epoch of that commit
 * #kgroups metadata orders,0,done%3A21-24   its commit metadata, percent-encoded UTF-8
 * #kgroups none orders,1                    no committed offset: the undo deletes it
 * #kgroups config consumer.session.timeout.ms=50000   a group config set dynamically (percent-encoded)
 * #kgroups config-none consumer.heartbeat.interval.ms  a group config not set: the undo deletes it
 * #kgroups type share                       the offsets are a share group's (or a streams group's)
 * </pre>
 * Any other line starting with {@code #} is a comment. A {@code #kgroups} line of a kind this
 * version does not know (a later version's) is skipped with a warning, so that a newer backup
 * still restores what this version can. Kafka's tool refuses every line that is not CSV, so a
 * file with {@code #kgroups} lines is for {@code kgroups}; {@code grep -v '^#'} makes it one
 * Kafka's tool reads (restoring the offsets only). A file without them (an export, or a backup
 * of offsets with no metadata or epoch) is plain Kafka CSV. A first line
 * {@code topic,partition,offset} is a header (of {@code kgroups offsets export --output csv}) and
 * is passed over; files written here have none, as Kafka's tool would take it for an offset.
 */
public final class OffsetsFile {
    private static final String EXTRA = "#kgroups ";
    private static final String HEADER = "topic,partition,offset";

    private OffsetsFile() {
    }

    /**
     * Writes the offsets (with the extra lines their metadata, epochs, partitions without an
     * offset and group configs need), atomically: the file is there whole, or not at all.
     */
    public static void write(Path file, ResetTarget.FromOffsets offsets) {
        Comparator<TopicPartition> order = Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);
        Set<TopicPartition> partitions = new TreeSet<>(order);
        partitions.addAll(offsets.offsets().keySet());
        StringBuilder plain = new StringBuilder();
        StringBuilder extras = new StringBuilder();
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata commit = offsets.offsets().get(tp);
            String cell = tp.topic() + "," + tp.partition();
            plain.append(cell).append(',').append(commit.offset()).append('\n');
            commit.leaderEpoch().ifPresent(epoch -> extras.append(EXTRA).append("leader-epoch ").append(cell).append(',')
                    .append(epoch).append('\n'));
            if (commit.metadata() != null && !commit.metadata().isEmpty()) {
                extras.append(EXTRA).append("metadata ").append(cell).append(',')
                        .append(PercentEncoding.encode(commit.metadata())).append('\n');
            }
        }
        Set<TopicPartition> without = new TreeSet<>(order);
        without.addAll(offsets.withoutOffset());
        without.forEach(tp -> extras.append(EXTRA).append("none ").append(tp.topic()).append(',').append(tp.partition())
                .append('\n'));
        new TreeMap<>(offsets.configs()).forEach((name, value) -> extras.append(EXTRA).append("config ")
                .append(PercentEncoding.encode(name)).append('=').append(PercentEncoding.encode(value)).append('\n'));
        new TreeSet<>(offsets.withoutConfig()).forEach(name -> extras.append(EXTRA).append("config-none ")
                .append(PercentEncoding.encode(name)).append('\n'));
        if (offsets.groupType() != null) {
            extras.append(EXTRA).append("type ").append(offsets.groupType()).append('\n');
        }
        try {
            AtomicFile.write(file, plain.append(extras).toString());
        } catch (IOException e) {
            throw new GroupAdminException("cannot write " + file + ": " + e + "; choose a writable path", e);
        }
    }

    /** Reads a file; a bad line is an error that names it, and nothing is returned. */
    public static ResetTarget.FromOffsets read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new GroupAdminException("cannot read " + file + ": " + e.getMessage(), e);
        }
        Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
        Map<TopicPartition, Integer> epochs = new HashMap<>();
        Map<TopicPartition, String> metadata = new HashMap<>();
        Map<TopicPartition, Integer> extraLine = new HashMap<>();
        Set<TopicPartition> without = new HashSet<>();
        Map<String, String> configs = new HashMap<>();
        Set<String> withoutConfig = new HashSet<>();
        List<String> skipped = new ArrayList<>();
        String type = null;
        boolean content = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.startsWith(EXTRA)) {
                String[] words = line.substring(EXTRA.length()).strip().split(" ", 2);
                String[] cells = words.length == 2 ? words[1].strip().split(",", -1) : new String[0];
                switch (words[0]) {
                    case "none" -> {
                        Line at = new Line(file, i + 1, line, "#kgroups none topic,partition", cells, 2);
                        at.once(without.add(at.partition()) && !offsets.containsKey(at.partition()));
                    }
                    case "leader-epoch" -> {
                        Line at = new Line(file, i + 1, line, "#kgroups leader-epoch topic,partition,EPOCH (whole numbers, "
                                + "not negative)", cells, 3);
                        at.once(epochs.put(at.partition(), (int) at.number(2, Integer.MAX_VALUE)) == null);
                        extraLine.putIfAbsent(at.partition(), i + 1);
                    }
                    case "metadata" -> {
                        Line at = new Line(file, i + 1, line, "#kgroups metadata topic,partition,PERCENT-ENCODED-TEXT", cells, 3);
                        at.once(metadata.put(at.partition(), at.decoded(2)) == null);
                        extraLine.putIfAbsent(at.partition(), i + 1);
                    }
                    case "config" -> {
                        String shape = "#kgroups config NAME=PERCENT-ENCODED-VALUE";
                        String[] setting = words.length == 2 ? words[1].strip().split("=", 2) : new String[0];
                        Line at = new Line(file, i + 1, line, shape, setting, 2);
                        String name = at.decoded(0);
                        at.once(name, configs.put(name, at.decoded(1)) == null && !withoutConfig.contains(name));
                    }
                    case "config-none" -> {
                        Line at = new Line(file, i + 1, line, "#kgroups config-none NAME", cells.length == 1
                                ? cells : new String[0], 1);
                        String name = at.decoded(0);
                        at.once(name, withoutConfig.add(name) && !configs.containsKey(name));
                    }
                    case "type" -> {
                        Line at = new Line(file, i + 1, line, "#kgroups type share|streams", cells, 1);
                        String named = cells[0].strip();
                        if (!named.equals("share") && !named.equals("streams")) {
                            throw new GroupAdminException(file + " line " + (i + 1) + ": '" + line + "' is not "
                                    + at.shape());
                        }
                        at.once("#kgroups type", type == null);
                        type = named;
                    }
                    default -> skipped.add(file + " line " + (i + 1) + ": '" + line + "' is not known to this version of "
                            + "kgroups: skipped, so what it records is not restored");
                }
            } else if (!line.isEmpty() && !line.startsWith("#")) {
                boolean first = !content;
                content = true;
                if (first && line.equalsIgnoreCase(HEADER)) {
                    continue; // the header of `kgroups offsets export --output csv`
                }
                Line at = new Line(file, i + 1, line, "topic,partition,offset (partition and offset whole numbers, not "
                        + "negative)", line.split(",", -1), 3);
                at.once(offsets.put(at.partition(), at.number(2, Long.MAX_VALUE)) == null && !without.contains(at.partition()));
            }
        }
        for (Map.Entry<TopicPartition, Integer> extra : extraLine.entrySet()) {
            if (!offsets.containsKey(extra.getKey())) {
                throw new GroupAdminException(file + " line " + extra.getValue() + ": no line topic,partition,offset for "
                        + extra.getKey() + " comes with '" + lines.get(extra.getValue() - 1).strip() + "'");
            }
        }
        Map<TopicPartition, OffsetAndMetadata> commits = new LinkedHashMap<>();
        offsets.forEach((tp, offset) -> commits.put(tp, new OffsetAndMetadata(offset, Optional.ofNullable(epochs.get(tp)),
                metadata.getOrDefault(tp, ""))));
        ResetTarget.FromOffsets read = new ResetTarget.FromOffsets(commits, without, configs, withoutConfig, skipped,
                type);
        if (read.isEmpty()) {
            throw new GroupAdminException(file + " holds no offsets: expected lines of topic,partition,offset");
        }
        return read;
    }

    /** One line being read: its cells, and the error that says what shape it should have. */
    private record Line(Path file, int number, String text, String shape, String[] cells, int count) {
        Line {
            if (cells.length != count || cells[0].isBlank()) {
                throw new GroupAdminException(file + " line " + number + ": '" + text + "' is not " + shape);
            }
        }

        TopicPartition partition() {
            return new TopicPartition(cells[0].strip(), (int) number(1, Integer.MAX_VALUE));
        }

        long number(int cell, long max) {
            try {
                long n = Long.parseLong(cells[cell].strip());
                if (n >= 0 && n <= max) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // the error below names the line
            }
            throw new GroupAdminException(file + " line " + number + ": '" + text + "' is not " + shape);
        }

        String decoded(int cell) {
            try {
                return PercentEncoding.decode(cells[cell].strip());
            } catch (IllegalArgumentException e) {
                throw new GroupAdminException(file + " line " + number + ": '" + text + "' is not " + shape + " ("
                        + e.getMessage() + ")");
            }
        }

        void once(boolean first) {
            once(partition().toString(), first);
        }

        void once(String what, boolean first) {
            if (!first) {
                throw new GroupAdminException(file + " line " + number + ": " + what + " appears twice");
            }
        }
    }
}
