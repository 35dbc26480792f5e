package io.kgroups.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.kgroups.orders.LoadVerification;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What {@code kgroups demo}'s exit code says: passed only when checked, caught up and nothing lost. */
class DemoResultTest {

    @ParameterizedTest(name = "checked {0}, caught up {1}, valid never stored {2}, invalid not dead-lettered {3}, "
            + "orders behind {4}: stopped {5}, passed {6}")
    @CsvSource(delimiter = '|', value = {
        // checked | caught up | lostValid | lostInvalid | behind | stopped | passed
        "true      | true      | 0         | 0           | 0      | false   | true",
        "true      | true      | 1         | 0           | 0      | false   | false",
        "true      | true      | 0         | 1           | 0      | false   | false",
        "true      | true      | 0         | 0           | 1      | false   | false",
        "true      | false     | 0         | 0           | 0      | false   | false", // nothing lost yet, but not all committed
        "false     | true      | 0         | 0           | 0      | true    | false", // stopped by Ctrl-C before the check
    })
    void passesOnlyWhenCheckedCaughtUpAndNothingLost(boolean checked, boolean caughtUp, long lostValid, long lostInvalid,
            long behind, boolean stopped, boolean passed) {
        LoadVerification check = checked
                ? new LoadVerification(100, 98, 2, 0, 20, 20, 2, lostValid, lostInvalid, behind, 3) : null;
        DemoResult result = new DemoResult(Duration.ofSeconds(9),
                new DemoResult.Kill("loader-2", 42, Duration.ofSeconds(16), Duration.ofSeconds(6)), caughtUp, check);

        assertThat(result.stopped()).isEqualTo(stopped);
        assertThat(result.passed()).isEqualTo(passed);
    }
}
