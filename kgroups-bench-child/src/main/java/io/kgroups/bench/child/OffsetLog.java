package io.kgroups.bench.child;

import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The file of log mode: a {@code partition:offset} line per handled record, appended with one
 * write(2) each (O_APPEND), so that every line survives a SIGKILL and a restarted child adds to it.
 */
public final class OffsetLog {
    private final FileOutputStream out;

    public OffsetLog(String file) throws FileNotFoundException {
        this.out = new FileOutputStream(file, true);
    }

    public void append(int partition, long offset) {
        byte[] line = (partition + ":" + offset + "\n").getBytes(StandardCharsets.US_ASCII);
        try {
            out.write(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
