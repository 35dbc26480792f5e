package io.kgroups.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Any completion order gives the right standing offset, and the done set above it. */
class OffsetTrackerProperties {

    /** Dispatched offsets (increasing, with gaps) and an order in which they complete. */
    record Run(List<Long> dispatched, List<Long> completionOrder) {
    }

    @Provide
    Arbitrary<Run> runs() {
        Arbitrary<List<Integer>> gaps = Arbitraries.integers().between(1, 4).list().ofMinSize(1).ofMaxSize(400);
        Arbitrary<Long> start = Arbitraries.longs().between(0, 1_000_000);
        return Combinators.combine(start, gaps).flatAs((first, steps) -> {
            List<Long> dispatched = new ArrayList<>();
            long offset = first;
            for (int step : steps) {
                offset += step;
                dispatched.add(offset);
            }
            return Arbitraries.shuffle(dispatched).map(order -> new Run(dispatched, order));
        });
    }

    @Property(tries = 300)
    void theStandingIsOnePastTheLongestDonePrefixWhateverTheOrder(@ForAll("runs") Run run) {
        OffsetTracker offsets = OffsetTracker.fresh();
        for (int i = 0; i < run.dispatched().size(); i++) {
            offsets.dispatch(run.dispatched().get(i), i);
        }
        Set<Long> done = new HashSet<>();
        for (long offset : run.completionOrder()) {
            offsets.done(offset);
            done.add(offset);
            int prefix = 0;
            while (prefix < run.dispatched().size() && done.contains(run.dispatched().get(prefix))) {
                prefix++;
            }
            long lowestNotDone = offsets.standing(-1);
            assertThat(lowestNotDone).isEqualTo(prefix < run.dispatched().size() ? run.dispatched().get(prefix)
                    : run.dispatched().get(prefix - 1) + 1);
            OffsetTracker.CommitPoint point = offsets.commitPoint(-1);
            if (prefix > 0) {
                assertThat(point.epoch()).as("the epoch of the record below").isEqualTo(prefix - 1);
            }
            long[] above = point.doneAbove().offsets();
            for (long a : above) {
                assertThat(a).isGreaterThan(lowestNotDone);
                assertThat(done).contains(a);
            }
            // Everything done is either below the lowest not done or recorded above it.
            long recordedOrBelow = done.stream().filter(d -> d < lowestNotDone).count() + above.length;
            assertThat(recordedOrBelow).isEqualTo(done.size());
        }
        assertThat(offsets.pending()).isZero();
    }
}
