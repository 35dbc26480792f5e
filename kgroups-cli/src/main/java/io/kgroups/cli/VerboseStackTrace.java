package io.kgroups.cli;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * The stack trace of a logged exception, only with {@code --verbose}: without it a failure is its
 * one line (a loader's {@code consumer_failed} names the error in its reason), as the command's own
 * errors are. Public for Logback's configuration ({@code %verboseEx}).
 */
public final class VerboseStackTrace extends ThrowableProxyConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return ConsoleLogFilter.verbose() ? super.convert(event) : "";
    }
}
