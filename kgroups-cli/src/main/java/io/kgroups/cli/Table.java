package io.kgroups.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A command's result as columns and rows, printed by {@link TablePrinter} in the format the user
 * chose. Cells keep their types (numbers stay numbers in JSON); null is "no value".
 */
public final class Table {
    private final List<String> columns;
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

    public List<List<Object>> rows() {
        return rows;
    }

    public boolean isRecord() {
        return record;
    }
}
