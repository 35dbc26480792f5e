package io.kgroups.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChaosScheduleTest {

    @ParameterizedTest(name = "{0} s, a kill every {1} s: kills at {2}, broker down {3} s to {4} s")
    @CsvSource(delimiter = '|', value = {
        // duration | killEvery | kill times (s)           | broker stop | broker start
        "45         | 8         | 8 16 24                  | 22.5        | 30",      // CI's short form: no kill in the last 20 s
        "600        | 15        | 15 30 45 60 75 90 105 120 135 150 165 180 195 210 225 240 255 270 285 300 315 330 345 "
            + "360 375 390 405 420 435 450 465 480 495 510 525 540 555 570 | 300 | 320", // the 10-minute run: the broker down 20 s
        "36         | 8         | 8                        | 18          | 24",      // the broker down a sixth of the run
        "90         | 30        | 30                       | 45          | 60",      // the quiet end is the kill interval when longer
    })
    void killsEveryIntervalUpToAQuietEndAndStopsABrokerHalfWay(double duration, double killEvery, String killTimes,
            double brokerStop, double brokerStart) {
        ChaosSchedule schedule = ChaosSchedule.plan(7, seconds(duration), seconds(killEvery), 3, 3);

        assertThat(schedule.kills()).extracting(ChaosSchedule.PlannedKill::at)
                .containsExactlyElementsOf(List.of(killTimes.strip().split(" ")).stream()
                        .map(t -> seconds(Double.parseDouble(t))).toList());
        assertThat(schedule.brokerStopAt()).isEqualTo(seconds(brokerStop));
        assertThat(schedule.brokerStartAt()).isEqualTo(seconds(brokerStart));
        assertThat(schedule.kills()).extracting(ChaosSchedule.PlannedKill::loader).allMatch(l -> l >= 0 && l < 3);
        assertThat(schedule.broker()).isBetween(1, 3);
    }

    @ParameterizedTest(name = "seed {0}")
    @CsvSource({"1", "7", "-42", "20261124"})
    void theSameSeedDrawsTheSameScheduleAndAnotherSeedAnother(long seed) {
        ChaosSchedule once = ChaosSchedule.plan(seed, Duration.ofMinutes(10), Duration.ofSeconds(15), 3, 3);

        assertThat(ChaosSchedule.plan(seed, Duration.ofMinutes(10), Duration.ofSeconds(15), 3, 3)).isEqualTo(once);
        assertThat(ChaosSchedule.plan(seed + 1, Duration.ofMinutes(10), Duration.ofSeconds(15), 3, 3)).isNotEqualTo(once);
    }

    private static Duration seconds(double s) {
        return Duration.ofMillis(Math.round(s * 1000));
    }
}
