package io.kgroups.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BackoffTest {

    @ParameterizedTest(name = "retry {0}: between {1} and {2} ms")
    @CsvSource({
        "1, 50, 100",
        "2, 100, 200",
        "3, 200, 400",
        "5, 500, 1000",    // capped at max
        "40, 500, 1000",   // no overflow for large retry numbers
    })
    void exponentialDoublesUpToTheMaxWithJitter(int retry, long low, long high) {
        Backoff backoff = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(1));
        for (int i = 0; i < 200; i++) {
            assertThat(backoff.delayMs(retry)).isBetween(low, high);
        }
    }

    @ParameterizedTest(name = "retry {0}")
    @CsvSource({"1", "2", "10"})
    void fixedIsFixed(int retry) {
        assertThat(Backoff.fixed(Duration.ofMillis(250)).delayMs(retry)).isEqualTo(250);
    }
}
