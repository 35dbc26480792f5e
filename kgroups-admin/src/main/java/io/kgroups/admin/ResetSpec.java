package io.kgroups.admin;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A reset target as written on the command line: one option of {@code kgroups reset} and its
 * value. The command and the monitor's reset preview both parse through here, so a preview
 * plans exactly what the command would, and can show the command that does it.
 *
 * @param option one of {@link #OPTIONS}
 * @param value the option's value; null for the options that take none
 */
public record ResetSpec(String option, String value) {
    /** The options that need no value. */
    public static final List<String> FLAGS = List.of("--to-earliest", "--to-latest", "--to-current");
    /** Every option, in the order {@code kgroups reset --help} lists them. */
    public static final List<String> OPTIONS = List.of("--to-earliest", "--to-latest", "--to-current", "--to-offset",
            "--shift-by", "--to-datetime", "--by-duration", "--from-file");

    private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9_.,:/=@%+-]+");

    /** @throws IllegalArgumentException for an unknown option, or a value missing or given where none is taken */
    public ResetSpec {
        if (!OPTIONS.contains(option)) {
            throw new IllegalArgumentException("unknown reset spec '" + option + "': use one of " + String.join(", ", OPTIONS));
        }
        boolean flag = FLAGS.contains(option);
        if (flag && value != null && !value.isBlank()) {
            throw new IllegalArgumentException(option + " takes no value, was given '" + value + "'");
        }
        if (!flag && (value == null || value.isBlank())) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        value = flag ? null : value.strip();
    }

    /**
     * The target this spec names (reading the file of {@code --from-file}).
     *
     * @throws IllegalArgumentException when the value does not parse; the message names the option and the value
     */
    public ResetTarget target() {
        return switch (option) {
            case "--to-earliest" -> new ResetTarget.Earliest();
            case "--to-latest" -> new ResetTarget.Latest();
            case "--to-current" -> new ResetTarget.Current();
            case "--to-offset" -> {
                long offset = number();
                if (offset < 0) {
                    throw new IllegalArgumentException("--to-offset must not be negative, was " + offset);
                }
                yield new ResetTarget.ToOffset(offset);
            }
            case "--shift-by" -> new ResetTarget.ShiftBy(number());
            case "--to-datetime" -> new ResetTarget.ToDatetime(time());
            case "--by-duration" -> {
                try {
                    yield new ResetTarget.ByDuration(DurationSyntax.parse(value));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--by-duration " + e.getMessage(), e);
                }
            }
            default -> OffsetsFile.read(Path.of(value));
        };
    }

    /** The spec as command-line arguments: {@code [--to-offset, 5]}, {@code [--to-earliest]}. */
    public List<String> arguments() {
        return value == null ? List.of(option) : List.of(option, value);
    }

    /**
     * The {@code kgroups reset} command line for this spec, quoted for a POSIX shell.
     *
     * @param topics {@code --topic} values (TOPIC or TOPIC:P,P...); null or empty: {@code --all-topics}
     * @param execute with {@code --execute} (without it the command is a dry run)
     */
    public String command(String group, List<String> topics, boolean execute) {
        List<String> words = new ArrayList<>(List.of("kgroups", "reset", group));
        if (topics == null || topics.isEmpty()) {
            words.add("--all-topics");
        } else {
            topics.forEach(t -> words.addAll(List.of("--topic", t)));
        }
        words.addAll(arguments());
        if (execute) {
            words.add("--execute");
        }
        return shellLine(words);
    }

    /** A command line of these words, each quoted for a POSIX shell where it needs it. */
    public static String shellLine(List<String> words) {
        return String.join(" ", words.stream().map(ResetSpec::quote).toList());
    }

    /**
     * Parses {@code --topic} values, TOPIC or TOPIC:P,P..., into the topics argument of
     * {@link GroupAdmin#planReset}: topic to partitions (an empty set: all of them).
     *
     * @throws IllegalArgumentException for a partition that is not a number
     */
    public static Map<String, Set<Integer>> topics(List<String> values) {
        Map<String, Set<Integer>> topics = new LinkedHashMap<>();
        for (String topic : values) {
            String[] parts = topic.split(":", 2);
            if (parts[0].isBlank()) {
                throw new IllegalArgumentException("--topic '" + topic + "' names no topic: write TOPIC or TOPIC:P,P...");
            }
            Set<Integer> partitions = topics.computeIfAbsent(parts[0], t -> new TreeSet<>());
            if (parts.length == 2) {
                for (String p : parts[1].split(",")) {
                    try {
                        partitions.add(Integer.parseInt(p.trim()));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--topic " + topic + ": partitions are numbers, as in orders:0,1,2");
                    }
                }
            }
        }
        return topics;
    }

    private long number() {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " '" + value + "' is not a whole number");
        }
    }

    private Instant time() {
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException withoutZone) {
            try {
                return LocalDateTime.parse(value).atZone(ZoneId.systemDefault()).toInstant();
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("--to-datetime '" + value + "' is not an ISO-8601 time: write it as "
                        + "2026-11-24T14:00:00Z, 2026-11-24T14:00:00+01:00 or 2026-11-24T14:00:00 (local time)", e);
            }
        }
    }

    private static String quote(String word) {
        return SHELL_SAFE.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'";
    }
}
