package io.kgroups.embedded.internal;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Sends the broker's own logging to a file in the data directory, so that a broker running in
 * a CLI or a test does not fill the console. Client-side Kafka logging (producers, consumers,
 * admin) is left to the application's configuration.
 *
 * <p>Works when Logback is the SLF4J backend (as in the CLI and the tests); with any other
 * backend the broker logs wherever that backend is configured to send {@code kafka} and
 * {@code org.apache.kafka}.
 */
public final class BrokerLogFile implements AutoCloseable {
    /** Logger names under which the broker (not the clients) logs, and this module about its nodes. */
    private static final List<String> BROKER_LOGGERS = List.of(
            "io.kgroups.embedded", "kafka", "state.change.logger",
            "org.apache.kafka.server", "org.apache.kafka.coordinator", "org.apache.kafka.storage",
            "org.apache.kafka.raft", "org.apache.kafka.controller", "org.apache.kafka.image",
            "org.apache.kafka.metadata", "org.apache.kafka.timeline", "org.apache.kafka.network",
            "org.apache.kafka.snapshot", "org.apache.kafka.queue", "org.apache.kafka.security",
            "org.apache.kafka.deferred", "org.apache.kafka.logger");

    private static int openFiles;
    /** Loggers whose level we set (they had none), to be given back at the last close. */
    private static final List<String> levelsSet = new java.util.ArrayList<>();

    private final FileAppender<ILoggingEvent> appender;

    private BrokerLogFile(FileAppender<ILoggingEvent> appender) {
        this.appender = appender;
    }

    /** Starts writing broker logs to {@code file}; null if the SLF4J backend is not Logback. */
    public static BrokerLogFile open(Path file) {
        if (!isLogback()) {
            return null;
        }
        return openWithLogback(file);
    }

    private static boolean isLogback() {
        try {
            ILoggerFactory factory = LoggerFactory.getILoggerFactory();
            return factory.getClass().getName().equals("ch.qos.logback.classic.LoggerContext");
        } catch (NoClassDefFoundError e) {
            return false;
        }
    }

    private static synchronized BrokerLogFile openWithLogback(Path file) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{ISO8601} %-5level [%thread] %logger{36} - %msg%n");
        encoder.start();

        FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setContext(context);
        appender.setName("kgroups-broker-" + file);
        appender.setFile(file.toString());
        appender.setAppend(true);
        appender.setEncoder(encoder);
        appender.start();

        for (String name : BROKER_LOGGERS) {
            ch.qos.logback.classic.Logger logger = context.getLogger(name);
            if (openFiles == 0) {
                logger.setAdditive(false);
                if (logger.getLevel() == null) {
                    logger.setLevel(Level.INFO);
                    levelsSet.add(name);
                }
            }
            logger.addAppender(appender);
        }
        openFiles++;
        return new BrokerLogFile(appender);
    }

    @Override
    public void close() {
        synchronized (BrokerLogFile.class) {
            LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
            openFiles--;
            for (String name : BROKER_LOGGERS) {
                ch.qos.logback.classic.Logger logger = context.getLogger(name);
                logger.detachAppender(appender);
                if (openFiles == 0) {
                    logger.setAdditive(true);
                    if (levelsSet.contains(name)) {
                        logger.setLevel(null);
                    }
                }
            }
            if (openFiles == 0) {
                levelsSet.clear();
            }
            appender.stop();
        }
    }
}
