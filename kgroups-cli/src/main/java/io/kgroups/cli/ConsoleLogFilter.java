package io.kgroups.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * What of the logging reaches the console: without {@code --verbose}, only kgroups' own warnings
 * and errors. A library's line (the Kafka client's NetworkClient, Javalin's "Failed to start",
 * Jetty, HikariCP, H2) says in its words what the command's one-line error says in the user's;
 * with {@code --verbose} every line passes, at the levels it sets. Public for Logback's configuration.
 */
public final class ConsoleLogFilter extends Filter<ILoggingEvent> {
    private static volatile boolean verbose;

    /** Set for each command line run (in-process runs share the logging of the JVM). */
    static void verbose(boolean on) {
        verbose = on;
    }

    /** Whether this run is verbose: also whether logged stack traces are printed ({@link VerboseStackTrace}). */
    static boolean verbose() {
        return verbose;
    }

    @Override
    public FilterReply decide(ILoggingEvent event) {
        if (verbose || (event.getLoggerName().startsWith("io.kgroups.") && event.getLevel().isGreaterOrEqual(Level.WARN))) {
            return FilterReply.NEUTRAL;
        }
        return FilterReply.DENY;
    }
}
