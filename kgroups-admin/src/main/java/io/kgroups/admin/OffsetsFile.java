package io.kgroups.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Offsets as CSV lines {@code topic,partition,offset}: the format of Kafka's
 * {@code kafka-consumer-groups --reset-offsets --export}, so files move between the two tools.
 * Used for exports, imports and the backups taken before every executed reset.
 */
public final class OffsetsFile {
    private OffsetsFile() {
    }

    public static void write(Path file, Map<TopicPartition, Long> offsets) {
        List<TopicPartition> partitions = new ArrayList<>(offsets.keySet());
        partitions.sort(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
        StringBuilder text = new StringBuilder();
        for (TopicPartition tp : partitions) {
            text.append(tp.topic()).append(',').append(tp.partition()).append(',').append(offsets.get(tp)).append('\n');
        }
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new GroupAdminException("cannot write " + file + ": " + e.getMessage() + "; choose a writable path", e);
        }
    }

    /** Reads a file; a bad line is an error that names it, and nothing is returned. */
    public static Map<TopicPartition, Long> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new GroupAdminException("cannot read " + file + ": " + e.getMessage(), e);
        }
        Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] cells = line.split(",");
            try {
                if (cells.length != 3 || cells[0].isBlank()) {
                    throw new NumberFormatException();
                }
                TopicPartition tp = new TopicPartition(cells[0].strip(), Integer.parseInt(cells[1].strip()));
                long offset = Long.parseLong(cells[2].strip());
                if (tp.partition() < 0 || offset < 0) {
                    throw new NumberFormatException();
                }
                if (offsets.put(tp, offset) != null) {
                    throw new GroupAdminException(file + " line " + (i + 1) + ": " + tp + " appears twice");
                }
            } catch (NumberFormatException e) {
                throw new GroupAdminException(file + " line " + (i + 1) + ": '" + line
                        + "' is not topic,partition,offset (partition and offset whole numbers, not negative)");
            }
        }
        if (offsets.isEmpty()) {
            throw new GroupAdminException(file + " holds no offsets: expected lines of topic,partition,offset");
        }
        return offsets;
    }
}
