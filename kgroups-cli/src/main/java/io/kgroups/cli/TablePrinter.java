package io.kgroups.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Prints a {@link Table} as aligned text for people, or as CSV (RFC 4180) for machines: the header
 * is the columns' names, lists are joined with {@code ;}. JSON is the {@link Output}'s envelope.
 */
final class TablePrinter {
    private final PrintWriter out;

    TablePrinter(PrintWriter out) {
        this.out = out;
    }

    void printCsv(Table table) {
        printCsvHeader(table);
        printCsvRows(table);
    }

    void printCsvHeader(Table table) {
        out.println(csvLine(new ArrayList<>(table.columns())));
    }

    void printCsvRows(Table table) {
        for (List<Object> row : table.rows()) {
            out.println(csvLine(row));
        }
        out.flush();
    }

    private static String csvLine(List<?> cells) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                line.append(',');
            }
            String cell = cells.get(i) == null ? "" : cells.get(i) instanceof Collection<?> list
                    ? list.stream().map(String::valueOf).collect(Collectors.joining(";")) : String.valueOf(cells.get(i));
            if (cell.contains(",") || cell.contains("\"") || cell.contains("\n") || cell.contains("\r")) {
                cell = '"' + cell.replace("\"", "\"\"") + '"';
            }
            line.append(cell);
        }
        return line.toString();
    }

    void printText(Table table) {
        if (table.rows().isEmpty() && table.emptyMessage() != null) {
            out.println(table.emptyMessage());
            out.flush();
            return;
        }
        if (table.isRecord()) {
            int width = table.columns().stream().mapToInt(String::length).max().orElse(0);
            List<Object> row = table.rows().isEmpty() ? List.of() : table.rows().get(0);
            for (int i = 0; i < row.size(); i++) {
                out.println(pad(table.columns().get(i), width) + "  " + text(row.get(i)));
            }
            out.flush();
            return;
        }
        new Layout(table).print(table);
    }

    /**
     * A table printed in chunks as they come (a command that streams its rows): the first chunk
     * with rows decides the columns shown and their widths, and prints the header; later chunks
     * are printed in the same columns (a longer cell pushes the rest of its row right, a value in
     * an optional column the first chunk left out is not shown). Columns cannot be sized by rows
     * not read yet.
     */
    final class Chunked {
        private Layout layout;

        void print(Table chunk) {
            if (layout == null && !chunk.rows().isEmpty()) {
                layout = new Layout(chunk);
                out.println(textLine(layout.headers, layout.widths, layout.numeric));
            }
            if (layout != null) {
                layout.printRows(chunk);
            }
        }

        /** After the last chunk: what the table says when no chunk had a row. */
        void end(Table columns) {
            if (layout == null) {
                printText(columns);
            }
            out.flush();
        }
    }

    Chunked chunked() {
        return new Chunked();
    }

    /** The columns a text table shows, their widths (header and rows) and which align right (numbers). */
    private final class Layout {
        private final List<Integer> shown = new ArrayList<>();
        private final List<String> headers;
        private final int[] widths;
        private final boolean[] numeric;

        Layout(Table table) {
            for (int i = 0; i < table.columns().size(); i++) {
                if (table.shown(table.columns().get(i))) {
                    shown.add(i);
                }
            }
            headers = shown.stream().map(i -> table.header(table.columns().get(i))).toList();
            widths = new int[headers.size()];
            numeric = new boolean[widths.length];
            for (int i = 0; i < widths.length; i++) {
                int column = shown.get(i);
                widths[i] = headers.get(i).length();
                for (List<Object> row : table.rows()) {
                    widths[i] = Math.max(widths[i], text(row.get(column)).length());
                }
                numeric[i] = !table.rows().isEmpty() && table.rows().get(0).get(column) instanceof Number;
            }
        }

        void print(Table table) {
            out.println(textLine(headers, widths, numeric));
            printRows(table);
        }

        void printRows(Table table) {
            for (List<Object> row : table.rows()) {
                out.println(textLine(shown.stream().map(row::get).toList(), widths, numeric));
            }
            out.flush();
        }
    }

    /** Numbers (and their headers) align right, so that digits line up. */
    private static String textLine(List<?> cells, int[] widths, boolean[] numericColumn) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String cell = text(cells.get(i));
            boolean numeric = numericColumn[i];
            boolean last = i == cells.size() - 1;
            line.append(numeric ? padLeft(cell, widths[i]) : last ? cell : pad(cell, widths[i]));
            if (!last) {
                line.append("  ");
            }
        }
        return line.toString().stripTrailing();
    }

    /** A cell for people: lists joined with ", ", yes or no, fractions to one decimal (seconds of time lag). */
    private static String text(Object cell) {
        if (cell == null) {
            return "-";
        }
        if (cell instanceof Collection<?> list) {
            return list.isEmpty() ? "-" : list.stream().map(String::valueOf).collect(Collectors.joining(", "));
        }
        if (cell instanceof Boolean b) {
            return b ? "yes" : "no";
        }
        if (cell instanceof Double d) {
            return String.valueOf(Math.round(d * 10) / 10.0);
        }
        return String.valueOf(cell);
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(Math.max(0, width - s.length()));
    }

    private static String padLeft(String s, int width) {
        return " ".repeat(Math.max(0, width - s.length())) + s;
    }
}
