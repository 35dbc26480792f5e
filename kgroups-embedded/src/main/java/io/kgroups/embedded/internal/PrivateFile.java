package io.kgroups.embedded.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Writes a file that holds passwords so that only its owner can read it (rw------- where POSIX). */
public final class PrivateFile {
    private PrivateFile() {
    }

    /**
     * Replaces {@code file} with {@code content}. The file is created owner-only before anything
     * is written to it, so the secret is never readable by others, not even for a moment.
     */
    public static void write(Path file, String content) throws IOException {
        Files.deleteIfExists(file);
        if (Files.getFileStore(file.getParent()).supportsFileAttributeView("posix")) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.writeString(file, content);
    }
}
