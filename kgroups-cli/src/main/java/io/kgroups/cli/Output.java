package io.kgroups.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kgroups.monitor.JsonEnvelope;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One answer of a command in the format the user chose with {@code --output}: a text table for
 * people; for scripts the output contract (docs/schemas, README "Output contract"): JSON, one line,
 * the envelope {@code {schemaVersion, command, time, data, warnings}}, or CSV, one header and
 * machine values. What the command could not read or left out is collected here, named on stderr
 * in any format, carried in the envelope's warnings, and decides the exit code (3 when something
 * could not be read).
 *
 * <p>In a command: {@code Output output = context.output();}, {@code output.unreadable(...)} for
 * each thing not read, then {@code return output.print(table);}, or, for an answer richer than a
 * table, {@code output.json(data)} / {@code output.csv(rows)} / the command's own text by format,
 * then {@code return output.done();}. An answer read in chunks (every group) is written as it is
 * read: {@code output.rows(columns)} and {@code rows.add(chunk)} per chunk, or {@code
 * output.jsonList()} for JSON richer than a table.
 */
final class Output {
    /** Compact, and written as it is made: describe of every group is large. */
    private static final ObjectMapper JSON = new ObjectMapper().configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);

    private final CommandContext context;
    private final String command;
    private final List<String> warnings = new ArrayList<>();
    private final List<String> lines = new ArrayList<>();
    private boolean partial;

    Output(CommandContext context, String command) {
        this.context = context;
        this.command = command;
    }

    GlobalOptions.OutputFormat format() {
        return context.global().output();
    }

    /** Something the answer lacks because it could not be read: the answer is partial (exit code 3). */
    void unreadable(String what) {
        warning(what);
        partial = true;
    }

    /** Something the user should know about the answer (a target clamped to the log). */
    void warning(String what) {
        warnings.add(what);
        lines.add("kgroups: warning: " + what);
    }

    /** Something left out on purpose (a group that is not a consumer group). */
    void note(String what) {
        warnings.add(what);
        lines.add("kgroups: note: " + what);
    }

    /** The table in the chosen format; the exit code. */
    int print(Table table) {
        switch (format()) {
            case json -> json(table.data());
            case csv -> csv(table);
            default -> new TablePrinter(context.out()).printText(table);
        }
        return done();
    }

    /** The envelope with {@code data} (a list, or one object, with the contract's field names), on one line. */
    void json(Object data) {
        try (JsonGenerator generator = generator()) {
            generator.writeObject(JsonEnvelope.of(command, data, warnings));
        } catch (IOException e) {
            throw cannotWrite(e);
        }
        context.out().println();
        context.out().flush();
    }

    /**
     * A generator on stdout: on the process's own, its bytes in UTF-8 (see {@link Stdout});
     * on another writer (a test's), that writer. Closing it flushes, and leaves stdout open.
     */
    private JsonGenerator generator() throws IOException {
        return context.out() instanceof Stdout stdout ? JSON.createGenerator(stdout.bytes(), JsonEncoding.UTF8)
                : JSON.createGenerator(context.out());
    }

    /**
     * An answer of many rows, written chunk by chunk as it is read ({@link Rows#add}, then
     * {@link Rows#end}): JSON and CSV as {@link #print} writes them, each chunk's rows flushed
     * before the next is read; text as {@link TablePrinter.Chunked} lays it out.
     *
     * @param columns the table's columns, header, optional columns and empty message, without rows
     */
    Rows rows(Table columns) {
        return new Rows(columns);
    }

    final class Rows {
        private final Table columns;
        private final JsonList json;
        private final TablePrinter printer = new TablePrinter(context.out());
        private final TablePrinter.Chunked text = printer.chunked();

        private boolean started;

        private Rows(Table columns) {
            this.columns = columns;
            this.json = jsonList();
        }

        void add(Table chunk) {
            switch (format()) {
                case json -> {
                    ((List<?>) chunk.data()).forEach(json::add);
                    json.flush();
                }
                case csv -> {
                    csvHeader();
                    printer.printCsvRows(chunk);
                }
                default -> text.print(chunk);
            }
        }

        /** After the last chunk; the exit code. */
        int end() {
            switch (format()) {
                case json -> json.end();
                case csv -> {
                    csvHeader();
                    context.out().flush();
                }
                default -> text.end(columns);
            }
            return done();
        }

        /** At the first rows (or the end): a command that fails before them prints nothing on stdout. */
        private void csvHeader() {
            if (!started) {
                started = true;
                printer.printCsvHeader(columns);
            }
        }
    }

    /**
     * The envelope written as its data grows: the fields of {@link JsonEnvelope}, in its order, on
     * one line; the items of {@code data} as they are added, and the warnings (the last field)
     * collected meanwhile. For answers too large to hold at once (describe of every group).
     */
    JsonList jsonList() {
        return new JsonList();
    }

    final class JsonList {
        private JsonGenerator generator;

        private JsonList() {
        }

        /**
         * At the first item (or the end), the envelope's head, its time then: a command that fails
         * before its first item prints nothing on stdout.
         */
        private JsonGenerator generator() throws IOException {
            if (generator == null) {
                generator = Output.this.generator();
                generator.writeStartObject();
                generator.writeNumberField("schemaVersion", JsonEnvelope.SCHEMA_VERSION);
                generator.writeStringField("command", command);
                generator.writeStringField("time", JsonEnvelope.now());
                generator.writeArrayFieldStart("data");
            }
            return generator;
        }

        /** One item of data (a list or map of the contract's field names), written, not flushed. */
        void add(Object item) {
            try {
                generator().writeObject(item);
            } catch (IOException e) {
                throw cannotWrite(e);
            }
        }

        /** What is written so far goes out: a reader sees the first items before the last are read. */
        void flush() {
            try {
                generator().flush();
            } catch (IOException e) {
                throw cannotWrite(e);
            }
        }

        /** Closes data, writes the warnings collected, ends the envelope and its line. */
        void end() {
            try {
                JsonGenerator generator = generator();
                generator.writeEndArray();
                generator.writeArrayFieldStart("warnings");
                for (String warning : warnings) {
                    generator.writeString(warning);
                }
                generator.writeEndArray();
                generator.writeEndObject();
                generator.close();
            } catch (IOException e) {
                throw cannotWrite(e);
            }
            context.out().println();
            context.out().flush();
        }
    }

    private static IllegalStateException cannotWrite(IOException e) {
        return new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
    }

    /** The rows as CSV: the header is the columns, which are the JSON rows' field names. */
    void csv(Table rows) {
        new TablePrinter(context.out()).printCsv(rows);
    }

    /** Names on stderr what was not read or left out; the exit code: 3 when something could not be read. */
    int done() {
        context.out().flush();
        lines.forEach(context.err()::println);
        context.err().flush();
        return partial ? CliException.PARTIAL : CliException.OK;
    }
}
