package io.kgroups.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Prints a {@link Table} as aligned text, JSON or CSV (RFC 4180). */
public final class TablePrinter {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Large results (describe of every group) are written compact, straight to the output. */
    private static final ObjectMapper COMPACT_JSON = new ObjectMapper()
            .configure(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);

    private final PrintWriter out;
    private final GlobalOptions.OutputFormat format;

    public TablePrinter(PrintWriter out, GlobalOptions.OutputFormat format) {
        this.out = out;
        this.format = format;
    }

    public void print(Table table) {
        switch (format) {
            case json -> printJson(table);
            case csv -> printCsv(table);
            default -> printText(table);
        }
        out.flush();
    }

    private void printJson(Table table) {
        List<Map<String, Object>> objects = new ArrayList<>();
        for (List<Object> row : table.rows()) {
            Map<String, Object> object = new LinkedHashMap<>();
            for (int i = 0; i < row.size(); i++) {
                object.put(table.columns().get(i), row.get(i));
            }
            objects.add(object);
        }
        try {
            Object value = table.isRecord() ? (objects.isEmpty() ? Map.of() : objects.get(0)) : objects;
            out.println(JSON.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    /** Any value as JSON (records and maps keep their field names), written as it is made. */
    static void printJson(PrintWriter out, Object value) {
        try {
            COMPACT_JSON.writeValue(out, value);
            out.println();
            out.flush();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    private void printCsv(Table table) {
        out.println(csvLine(new ArrayList<>(table.columns())));
        for (List<Object> row : table.rows()) {
            out.println(csvLine(row));
        }
    }

    private static String csvLine(List<?> cells) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                line.append(',');
            }
            String cell = cells.get(i) == null ? "" : String.valueOf(cells.get(i));
            if (cell.contains(",") || cell.contains("\"") || cell.contains("\n") || cell.contains("\r")) {
                cell = '"' + cell.replace("\"", "\"\"") + '"';
            }
            line.append(cell);
        }
        return line.toString();
    }

    private void printText(Table table) {
        if (table.rows().isEmpty() && table.emptyMessage() != null) {
            out.println(table.emptyMessage());
            return;
        }
        if (table.isRecord()) {
            int width = table.columns().stream().mapToInt(String::length).max().orElse(0);
            List<Object> row = table.rows().isEmpty() ? List.of() : table.rows().get(0);
            for (int i = 0; i < row.size(); i++) {
                out.println(pad(table.columns().get(i), width) + "  " + text(row.get(i)));
            }
            return;
        }
        int[] widths = new int[table.columns().size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = table.columns().get(i).length();
            for (List<Object> row : table.rows()) {
                widths[i] = Math.max(widths[i], text(row.get(i)).length());
            }
        }
        boolean[] numeric = new boolean[widths.length];
        for (int i = 0; i < widths.length && !table.rows().isEmpty(); i++) {
            numeric[i] = table.rows().get(0).get(i) instanceof Number;
        }
        out.println(textLine(new ArrayList<>(table.columns()), widths, numeric));
        for (List<Object> row : table.rows()) {
            out.println(textLine(row, widths, numeric));
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

    private static String text(Object cell) {
        return cell == null ? "-" : String.valueOf(cell);
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(Math.max(0, width - s.length()));
    }

    private static String padLeft(String s, int width) {
        return " ".repeat(Math.max(0, width - s.length())) + s;
    }
}
