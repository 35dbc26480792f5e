package io.kgroups.bench;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A benchmark's figures: a Markdown table for people, then one {@code RESULT key=value ...} line
 * for scripts, always the last line of the output.
 */
public final class Report {
    private final String title;
    private final List<String> columns;
    private final List<List<String>> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final Map<String, String> results = new LinkedHashMap<>();

    private Report(String title, List<String> columns) {
        this.title = title;
        this.columns = List.copyOf(columns);
    }

    /** A report whose table has these columns, under a heading line {@code title}. */
    public static Report table(String title, String... columns) {
        return new Report(title, Arrays.asList(columns));
    }

    /** A table row; numbers are written as in the RESULT line. */
    public Report row(Object... cells) {
        if (cells.length != columns.size()) {
            throw new IllegalArgumentException(
                    "row has " + cells.length + " cells for " + columns.size() + " columns");
        }
        rows.add(Arrays.stream(cells).map(Report::cell).toList());
        return this;
    }

    /** A line printed under the table: how the figures were taken. */
    public Report note(String note) {
        notes.add(note);
        return this;
    }

    /** A figure for the RESULT line; keys are snake_case, the unit in the key ({@code start_ms}). */
    public Report result(String key, double value) {
        results.put(checkKey(key), number(value));
        return this;
    }

    /** A ratio for the RESULT line, always with two decimals ({@code 0.90}, {@code 1.05}). */
    public Report ratio(String key, double value) {
        results.put(checkKey(key), ratio(value));
        return this;
    }

    /** A ratio written with two decimals, for a table cell or the RESULT line. */
    public static String ratio(double value) {
        return new BigDecimal(value).setScale(2, RoundingMode.HALF_UP).toPlainString();
    }

    private static String checkKey(String key) {
        if (!key.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("result key must be snake_case: " + key);
        }
        return key;
    }

    public void print(PrintStream out) {
        out.println("### " + title);
        out.println();
        out.println(line(columns));
        out.println(line(columns.stream().map(c -> "---").toList()));
        rows.forEach(row -> out.println(line(row)));
        if (!notes.isEmpty()) {
            out.println();
            notes.forEach(out::println);
        }
        out.println();
        out.println("RESULT " + results.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" ")));
    }

    /** The median of several runs: robust to the one run a GC pause or a cold JIT spoiled. */
    public static double median(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("median of no values");
        }
        List<Double> sorted = values.stream().sorted().toList();
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    /** The runs behind a median, for the table: {@code 2410, 2450, 2600}. */
    public static String runs(List<Double> values) {
        return values.stream().map(Report::number).collect(Collectors.joining(", "));
    }

    /** Whole numbers from 100 up (the noise is larger than a fraction), else two decimals. */
    static String number(double value) {
        if (Math.abs(value) >= 100) {
            return String.valueOf(Math.round(value));
        }
        return new BigDecimal(value).setScale(2, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }

    private static String cell(Object value) {
        return value instanceof Number n ? number(n.doubleValue()) : String.valueOf(value);
    }

    private static String line(List<String> cells) {
        return "| " + String.join(" | ", cells) + " |";
    }
}
