package io.kgroups.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.kgroups.admin.MemberDetail;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class ReconciliationWatchTest {
    private static final TopicPartition P0 = new TopicPartition("orders", 0);
    private static final TopicPartition P1 = new TopicPartition("orders", 1);

    private static MemberDetail member(int epoch, List<TopicPartition> owns, List<TopicPartition> target) {
        return new MemberDetail("m-1", null, "loader-1", "/10.0.0.1", owns, epoch, target);
    }

    @Test
    void aMemberBehindItsTargetIsReportedOnlyAfterTheThreshold() {
        ReconciliationWatch watch = new ReconciliationWatch(60_000);
        List<MemberDetail> behind = List.of(member(4, List.of(P0), List.of(P0, P1)));

        assertThat(watch.stuck("loader", behind, 5, 0)).isEmpty();
        assertThat(watch.stuck("loader", behind, 5, 59_000)).isEmpty();
        assertThat(watch.stuck("loader", behind, 5, 61_000)).singleElement().asString()
                .contains("member loader-1 (m-1) reconciling for 61s: epoch 4, target 5", "owns 1 partitions of its target 2");
    }

    @Test
    void aMemberThatSettlesIsForgotten() {
        ReconciliationWatch watch = new ReconciliationWatch(60_000);
        watch.stuck("loader", List.of(member(4, List.of(P0), List.of(P0, P1))), 5, 0);
        assertThat(watch.stuck("loader", List.of(member(5, List.of(P0, P1), List.of(P0, P1))), 5, 30_000)).isEmpty();

        // Reconciling again later starts a new clock.
        assertThat(watch.stuck("loader", List.of(member(5, List.of(P0), List.of(P0, P1))), 6, 70_000)).isEmpty();
    }

    @Test
    void aGroupWhoseNameStartsLikeAnotherKeepsItsOwnClock() {
        ReconciliationWatch watch = new ReconciliationWatch(60_000);
        List<MemberDetail> behind = List.of(member(4, List.of(P0), List.of(P0, P1)));
        watch.stuck("a/b", behind, 5, 0);

        // Group "a" settling must not clear group "a/b" (the same member id in both, as generated ids may be).
        watch.stuck("a", behind, 5, 0);
        watch.stuck("a", List.of(), 5, 30_000);

        assertThat(watch.stuck("a/b", behind, 5, 61_000)).singleElement().asString().contains("reconciling for 61s");
    }

    @Test
    void classicMembersHaveNoEpochsAndAreNeverReported() {
        ReconciliationWatch watch = new ReconciliationWatch(0);
        MemberDetail classic = new MemberDetail("m-2", null, "old-loader", "/10.0.0.2", List.of(P0), null, null);
        assertThat(watch.stuck("loader", List.of(classic), null, 1_000_000)).isEmpty();
    }
}
