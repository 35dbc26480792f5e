package io.kgroups.admin;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one way kgroups reads a duration, in every option that takes one (the command's and the
 * dashboard's): as people write them, {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h},
 * {@code 7d}, or ISO-8601 ({@code PT2H}, {@code P1D}), with one error message.
 */
public final class DurationSyntax {
    /** What the error message offers; the help of every duration option says the same. */
    public static final String FORMS = "500ms, 30s, 5m, 2h, 7d or ISO-8601 (PT2H)";

    private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private DurationSyntax() {
    }

    /** The duration {@code text} says; an IllegalArgumentException naming it and the forms otherwise. */
    public static Duration parse(String text) {
        String value = text == null ? "" : text.trim();
        Matcher m = SHORT.matcher(value);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration: write it as " + FORMS, e);
        }
    }
}
