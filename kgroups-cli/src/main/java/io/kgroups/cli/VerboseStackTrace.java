package io.kgroups.cli;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * The stack trace of a logged exception, only with {@code --verbose}: without it a failure is its
 * one line (a loader's {@code consumer_failed} names the error in its reason), as the command's own
 * errors are. Public for Logback's configuration ({@code %verboseEx}).
 */
public final class VerboseStackTrace extends ThrowableProxyConverter {
    private static volatile boolean verbose;

    /** Set for each command line run (in-process runs share the logging of the JVM). */
    static void verbose(boolean on) {
        verbose = on;
    }

    @Override
    public String convert(ILoggingEvent event) {
        return verbose ? super.convert(event) : "";
    }
}
