package io.kgroups.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Runs the kgroups command in this JVM and captures what it prints. */
final class Cli {
    /**
     * @param console what reached the JVM's System.out and System.err while the command ran (where
     *     logging goes: a library's log line), or null when {@link #runWatchingConsole} did not run it
     */
    record Result(int exitCode, String out, String err, String console) {
        /** Everything the user sees: the command's stdout and stderr, and the console. */
        String all() {
            return out + err + (console == null ? "" : console);
        }
    }

    private Cli() {
    }

    static Result run(String... args) {
        return run(Map.of(), args);
    }

    static Result run(Map<String, String> environment, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Kgroups.execute(args, new PrintWriter(out, true), new PrintWriter(err, true), environment);
        return new Result(code, out.toString(), err.toString(), null);
    }

    /** As {@link #run(Map, String...)}, also capturing the JVM's System.out and System.err (one command at a time). */
    static synchronized Result runWatchingConsole(Map<String, String> environment, String... args) {
        PrintStream systemOut = System.out;
        PrintStream systemErr = System.err;
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(console, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);
        Result result;
        try {
            result = run(environment, args);
        } finally {
            System.setOut(systemOut);
            System.setErr(systemErr);
        }
        capture.flush();
        return new Result(result.exitCode(), result.out(), result.err(), console.toString(StandardCharsets.UTF_8));
    }
}
