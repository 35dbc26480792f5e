package io.kgroups.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kgroups.monitor.JsonEnvelope;
import java.io.IOException;
import java.io.PrintWriter;
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
 * then {@code return output.done();}.
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
        PrintWriter out = context.out();
        try {
            JSON.writeValue(out, JsonEnvelope.of(command, data, warnings));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
        out.println();
        out.flush();
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
