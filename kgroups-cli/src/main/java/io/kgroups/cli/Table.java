package io.kgroups.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A command's result as columns and rows, printed by {@link Output} in the format the user chose.
 * Columns are named as the output contract names the fields (camelCase: JSON keys and CSV
 * headers); the text table heads them in kebab-case ({@code lagSeconds}: lag-seconds) unless given
 * a {@link #header}. Cells keep their types (numbers stay numbers in JSON, lists stay lists); null
 * is "no value".
 */
public final class Table {
    private final List<String> columns;
    private final Map<String, String> headers = new HashMap<>();
    private final java.util.Set<String> optional = new java.util.HashSet<>();
    private final List<List<Object>> rows = new ArrayList<>();
    private final boolean record;
    private String whenEmpty;

    private Table(List<String> columns, boolean record) {
        this.columns = List.copyOf(columns);
        this.record = record;
    }

    /** A table of any number of rows; JSON prints an array of objects. */
    public static Table of(String... columns) {
        return new Table(Arrays.asList(columns), false);
    }

    /** One record; the text format prints it as "field  value" lines and JSON as one object. */
    public static Table record(String... fields) {
        return new Table(Arrays.asList(fields), true);
    }

    public Table row(Object... cells) {
        if (cells.length != columns.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells for " + columns.size() + " columns");
        }
        if (record && !rows.isEmpty()) {
            throw new IllegalStateException("a record has one row");
        }
        rows.add(Arrays.asList(cells));
        return this;
    }

    /** What the text table heads {@code column} with, instead of its name in kebab-case. */
    public Table header(String column, String text) {
        if (!columns.contains(column)) {
            throw new IllegalArgumentException("no column " + column);
        }
        headers.put(column, text);
        return this;
    }

    /** A column the text table leaves out when no row has a value in it (an error column). */
    public Table optional(String column) {
        if (!columns.contains(column)) {
            throw new IllegalArgumentException("no column " + column);
        }
        optional.add(column);
        return this;
    }

    /** Whether the text table shows the column. */
    boolean shown(String column) {
        int i = columns.indexOf(column);
        return !optional.contains(column) || rows.stream().anyMatch(row -> row.get(i) != null);
    }

    /** What the text format says instead of an empty table (JSON and CSV stay empty). */
    public Table whenEmpty(String message) {
        this.whenEmpty = message;
        return this;
    }

    public String emptyMessage() {
        return whenEmpty;
    }

    public List<String> columns() {
        return columns;
    }

    /** The text table's heading of a column. */
    String header(String column) {
        return headers.getOrDefault(column, column.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT));
    }

    public List<List<Object>> rows() {
        return rows;
    }

    public boolean isRecord() {
        return record;
    }

    /** The rows as JSON objects, field by column: a list, or for a record its one object. */
    Object data() {
        List<Map<String, Object>> objects = new ArrayList<>();
        for (List<Object> row : rows) {
            Map<String, Object> object = new LinkedHashMap<>();
            for (int i = 0; i < row.size(); i++) {
                object.put(columns.get(i), row.get(i));
            }
            objects.add(object);
        }
        return record ? (objects.isEmpty() ? Map.of() : objects.get(0)) : objects;
    }
}
