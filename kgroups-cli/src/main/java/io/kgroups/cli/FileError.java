package io.kgroups.cli;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The one-line error for a file the command was given and cannot use, in words ("no such file",
 * "permission denied", "is a directory"), not the bare path Java's exceptions carry as their message.
 * A file the user names that cannot be used is bad usage (exit code 2): nothing was done yet.
 */
final class FileError {
    private FileError() {
    }

    /**
     * A usage error {@code "WHAT FILE: REASON: FIX"}, e.g. {@code "--from-file b.csv: no such file: give ..."}.
     *
     * @param what the option naming the file, or a word for a positional one; empty: the file alone
     */
    static CliException usage(String what, Path file, IOException e, String fix) {
        return new CliException(CliException.USAGE, (what.isEmpty() ? "" : what + " ") + file + ": " + reason(file, e)
                + ": " + fix, e);
    }

    /** What went wrong with {@code file}, in a few words. */
    static String reason(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file" + elsewhere(file, e);
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied" + elsewhere(file, e);
        }
        if (e instanceof FileAlreadyExistsException) {
            // From creating a directory: a file stands where a directory has to be.
            return "not a directory" + elsewhere(file, e);
        }
        if (Files.isDirectory(file)) {
            return "is a directory";
        }
        if (e instanceof CharacterCodingException) {
            return "not UTF-8 text";
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason().toLowerCase(java.util.Locale.ROOT) + elsewhere(file, e);
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** The path the failure is about when it is not the file itself (its directory, say). */
    private static String elsewhere(Path file, IOException e) {
        if (e instanceof FileSystemException fs && fs.getFile() != null
                && !Path.of(fs.getFile()).toAbsolutePath().equals(file.toAbsolutePath())) {
            return " (" + fs.getFile() + ")";
        }
        return "";
    }
}
