package io.kgroups.cli;

/**
 * A failure the user can act on: its message is printed as one line on stderr, and the command
 * exits with {@link #exitCode()}.
 */
public class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Exit code of a command that worked. */
    public static final int OK = 0;
    /** Exit code of an operation that failed (cluster unreachable, broker cannot start, ...). */
    public static final int FAILED = 1;
    /** Exit code of bad usage (unknown flag, bad value, missing file). */
    public static final int USAGE = 2;
    /** Done in part: some groups or partitions could not be read (each named on stderr); the rest is shown. */
    public static final int PARTIAL = 3;

    private final int exitCode;

    public CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public CliException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public static CliException usage(String message) {
        return new CliException(USAGE, message);
    }

    public static CliException failed(String message, Throwable cause) {
        return new CliException(FAILED, message, cause);
    }

    public int exitCode() {
        return exitCode;
    }
}
