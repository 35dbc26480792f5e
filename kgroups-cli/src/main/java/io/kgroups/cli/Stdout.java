package io.kgroups.cli;

import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;

/**
 * The process's standard output: text for people through this writer, and its bytes for JSON,
 * which Jackson then writes in UTF-8 itself (as JSON must be, whatever the platform's charset),
 * not as chars that the writer encodes again: at 10,000 groups that round trip was a large part of
 * describe's CPU (see GroupOpsBench).
 * Whoever writes bytes flushes this writer first, so text and bytes keep their order.
 */
final class Stdout extends PrintWriter {
    private final PrintStream bytes;

    Stdout(PrintStream bytes) {
        super(new OutputStreamWriter(bytes), true); // text in the platform's charset
        this.bytes = bytes;
    }

    /** The stream under this writer, once what was written as text is flushed to it. */
    PrintStream bytes() {
        flush();
        return bytes;
    }
}
