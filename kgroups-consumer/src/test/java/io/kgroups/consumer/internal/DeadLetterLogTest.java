package io.kgroups.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Dead letters in the log: the first ten one by one, then a line per 30 s with the count, and the rest at the stop. */
class DeadLetterLogTest {
    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong now = new AtomicLong(1_000 * SECOND);
    private final DeadLetterLog log = new DeadLetterLog("loader", now::get);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(DeadLetterLog.class);

    @BeforeEach
    void capture() {
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void release() {
        logger.detachAppender(lines);
    }

    @Test
    void thousandsOfDeadLettersAreAFewLinesThatCountThem() {
        // 40 a second for 95 s (a producer that gets a field wrong in 2 % of 2,000 events a second).
        for (int second = 0; second < 95; second++) {
            for (int i = 0; i < 40; i++) {
                log.deadLettered("orders-0@" + (second * 40 + i), "orders.DLT", 1, "amount is missing (" + i + ")");
            }
            now.addAndGet(SECOND);
            log.flushDue();
        }
        log.flush();

        List<String> messages = lines.list.stream().map(ILoggingEvent::getMessage).toList();
        assertThat(messages).hasSize(10 + 4).startsWith("dead_lettered").endsWith("dead_lettered_more");
        assertThat(messages.subList(0, 10)).containsOnly("dead_lettered");
        assertThat(keyValues(9)).contains("record=orders-0@9", "next=one line per 30s with the count");
        // Every dead letter is in a line or in a count: 10 + 30 x 40 - 10 + 30 x 40 + 30 x 40 + 5 x 40.
        long counted = 10;
        for (int i = 10; i < messages.size(); i++) {
            counted += Long.parseLong(value(i, "count"));
        }
        assertThat(counted).isEqualTo(95 * 40);
        assertThat(keyValues(10)).contains("seconds=30", "dead_letter_topic=orders.DLT");
        assertThat(keyValues(13)).as("the rest, at the stop").contains("count=200", "seconds=5",
                "last_record=orders-0@3799", "last_error=amount is missing (39)");
    }

    @Test
    void aCountNotLoggedYetComesOutOnceItsIntervalHasPassedWithNoFurtherDeadLetter() {
        for (int i = 0; i < 12; i++) {
            log.deadLettered("orders-1@" + i, "orders.DLT", 3, "boom");
        }
        now.addAndGet(29 * SECOND);
        log.flushDue();
        assertThat(lines.list).hasSize(10);

        now.addAndGet(SECOND);
        log.flushDue();
        assertThat(lines.list).hasSize(11);
        assertThat(keyValues(10)).contains("count=2", "last_record=orders-1@11");

        log.flush();
        assertThat(lines.list).as("nothing left to count").hasSize(11);
    }

    private List<String> keyValues(int line) {
        return lines.list.get(line).getKeyValuePairs().stream().map(kv -> kv.key + "=" + kv.value).toList();
    }

    private String value(int line, String key) {
        return lines.list.get(line).getKeyValuePairs().stream().filter(kv -> kv.key.equals(key)).findFirst()
                .map(kv -> String.valueOf(kv.value)).orElseThrow();
    }
}
