package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The command's logging (logback.xml): a logged error is one line; its stack trace comes with --verbose. */
class VerboseStackTraceTest {

    @AfterEach
    void quiet() {
        ConsoleLogFilter.verbose(false);
    }

    @Test
    void aLoggedErrorIsOneLineWithoutVerboseAndHasItsStackTraceWithIt() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger logger = context.getLogger("io.kgroups.consumer.internal.PollLoop");
        @SuppressWarnings("unchecked")
        OutputStreamAppender<ILoggingEvent> console = (OutputStreamAppender<ILoggingEvent>) context
                .getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
        PatternLayoutEncoder encoder = (PatternLayoutEncoder) console.getEncoder();
        LoggingEvent failed = new LoggingEvent(Logger.FQCN, logger, Level.ERROR, "consumer_failed",
                new SQLException("Connection refused"), null);

        String quiet = encoder.getLayout().doLayout(failed);
        assertThat(quiet.lines()).singleElement().asString().contains("ERROR", "consumer_failed");

        ConsoleLogFilter.verbose(true);
        assertThat(encoder.getLayout().doLayout(failed)).contains("java.sql.SQLException: Connection refused", "\tat ");
    }
}
