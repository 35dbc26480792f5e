package io.kgroups.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kgroups.admin.MemberDetail;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Membership changes counted cycle by cycle on a clock of the test's, and when they make a storm. */
class RebalanceWatchTest {
    private static final long SECOND = 1000;

    private static MemberDetail member(String id, String client) {
        return new MemberDetail(id, null, client, "/10.0.0." + client.length(), List.of(), null, null);
    }

    @Test
    void aStableGroupHasNoRebalancesAndTheFirstSightIsNone() {
        RebalanceWatch watch = new RebalanceWatch(3, Duration.ofMinutes(5));
        List<MemberDetail> members = List.of(member("m-1", "loader-1"), member("m-2", "loader-2"));
        assertThat(watch.observe("g", members, 7, 0)).isEqualTo(RebalanceWatch.Rebalances.NONE);
        for (int cycle = 1; cycle <= 20; cycle++) {
            RebalanceWatch.Rebalances r = watch.observe("g", members, 7, cycle * 5 * SECOND);
            assertThat(r.total()).isZero();
            assertThat(r.storm()).isNull();
        }
    }

    /**
     * A member that exceeds max.poll.interval.ms: removed, and back under a new member id a few
     * seconds later, again and again. A classic group (no epoch) shows it by the member ids.
     */
    @Test
    void aMemberLeavingAndComingBackIsAStormWithThatCause() {
        RebalanceWatch watch = new RebalanceWatch(4, Duration.ofMinutes(1));
        MemberDetail steady = member("s-1", "loader-1");
        watch.observe("g", List.of(steady, member("slow-0", "loader-slow")), null, 0);
        List<String> storms = new ArrayList<>();
        long total = 0;
        for (int i = 1; i <= 4; i++) {
            // gone at one sample, back with a new id at the next
            RebalanceWatch.Rebalances gone = watch.observe("g", List.of(steady), null, (10 * i - 5) * SECOND);
            RebalanceWatch.Rebalances back = watch.observe("g", List.of(steady, member("slow-" + i, "loader-slow")), null,
                    10 * i * SECOND);
            total = back.total();
            storms.add(gone.storm());
            storms.add(back.storm());
        }
        assertThat(total).isEqualTo(8);
        assertThat(storms.subList(0, 3)).as("below 4 changes in the minute").containsOnlyNulls();
        assertThat(storms.get(3)).startsWith("rebalancing storm: 4 membership changes in the last 1 min")
                .contains("came loader-slow@/10.0.0.11 x2", "went loader-slow@/10.0.0.11 x2",
                        "likely: the same members leave and come back", "max.poll.interval.ms");
        assertThat(storms.get(7)).startsWith("rebalancing storm: 8 membership changes");
    }

    /** The consumer protocol bumps the group epoch at each change: two changes between samples count two. */
    @Test
    void theEpochCountsChangesBetweenSamples() {
        RebalanceWatch watch = new RebalanceWatch(5, Duration.ofMinutes(5));
        List<MemberDetail> members = List.of(member("m-1", "loader-1"));
        watch.observe("g", members, 10, 0);
        RebalanceWatch.Rebalances r = watch.observe("g", members, 12, 5 * SECOND);
        assertThat(r.total()).as("a member came and went between the samples: epoch 10 -> 12").isEqualTo(2);
        assertThat(r.recent()).singleElement().satisfies(c -> {
            assertThat(c.rebalances()).isEqualTo(2);
            assertThat(c.joined()).isEmpty();
            assertThat(c.epoch()).isEqualTo(12);
        });
        RebalanceWatch.Rebalances again = watch.observe("g", List.of(member("m-1", "loader-1"), member("m-2", "loader-2")),
                13, 10 * SECOND);
        assertThat(again.total()).as("one join, one epoch step: one change, not two").isEqualTo(3);
    }

    @Test
    void changesOlderThanTheWindowNoLongerMakeAStormButStayCounted() {
        RebalanceWatch watch = new RebalanceWatch(3, Duration.ofSeconds(30));
        watch.observe("g", List.of(), 1, 0);
        for (int epoch = 2; epoch <= 4; epoch++) {
            watch.observe("g", List.of(), epoch, (epoch - 1) * SECOND);
        }
        RebalanceWatch.Rebalances storm = watch.observe("g", List.of(), 4, 4 * SECOND);
        assertThat(storm.storm()).startsWith("rebalancing storm: 3 membership changes in the last 30 s")
                .contains("likely: the group epoch moved with the same members");
        RebalanceWatch.Rebalances later = watch.observe("g", List.of(), 4, 40 * SECOND);
        assertThat(later.storm()).isNull();
        assertThat(later.recent()).isEmpty();
        assertThat(later.total()).isEqualTo(3);
    }

    @Test
    void newInstancesArrivingAreNamedAsRestartsAndAGroupGoneIsForgotten() {
        RebalanceWatch watch = new RebalanceWatch(2, Duration.ofMinutes(5));
        watch.observe("g", List.of(member("a", "pod-a")), null, 0);
        watch.observe("g", List.of(member("b", "pod-b")), null, 5 * SECOND);
        RebalanceWatch.Rebalances r = watch.observe("g", List.of(member("c", "pod-c")), null, 10 * SECOND);
        assertThat(r.storm()).contains("came pod-b@/10.0.0.5, pod-c@/10.0.0.5", "went pod-a@/10.0.0.5, pod-b@/10.0.0.5",
                "likely: members keep arriving or leaving: instances restarting", "group.instance.id");
        watch.retain(Set.of());
        assertThat(watch.observe("g", List.of(member("d", "pod-d")), null, 15 * SECOND))
                .as("seen afresh after it was forgotten").isEqualTo(RebalanceWatch.Rebalances.NONE);
    }

    @Test
    void badSettingsAreRefusedByName() {
        assertThatThrownBy(() -> new RebalanceWatch(1, Duration.ofMinutes(1))).hasMessageContaining("at least 2 changes");
        assertThatThrownBy(() -> new RebalanceWatch(5, Duration.ZERO)).hasMessageContaining("storm window must be positive");
    }
}
