package io.kgroups.embedded.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The bound on each stop step, with steps that a broker cannot be made to do on demand: one that
 * never ends, one that fails. No broker runs here (the nodes are never started).
 */
class ClusterShutdownStepTest {

    private static BrokerNode node(int id) {
        return new BrokerNode(id, Path.of("unused-" + id), Map.of());
    }

    @Test
    void aStepThatDoesNotEndIsInterruptedAndItsNodeLeftOut() throws Exception {
        BrokerNode stuck = node(1);
        BrokerNode quick = node(2);
        CountDownLatch interrupted = new CountDownLatch(1);
        List<RuntimeException> failures = new ArrayList<>();

        List<BrokerNode> ended = ClusterShutdown.runBounded("broker side", List.of(stuck, quick), node -> {
            if (node == stuck) {
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    interrupted.countDown();
                }
            }
        }, Duration.ofMillis(500), failures);

        assertThat(ended).containsExactly(quick);
        assertThat(failures).isEmpty();
        assertThat(interrupted.await(30, TimeUnit.SECONDS)).as("the stuck step was interrupted").isTrue();
    }

    @Test
    void aStepThatFailsIsReportedAndTheOthersStillRun() {
        BrokerNode failing = node(1);
        BrokerNode other = node(2);
        List<RuntimeException> failures = new ArrayList<>();

        List<BrokerNode> ended = ClusterShutdown.runBounded("controller side", List.of(failing, other), node -> {
            if (node == failing) {
                throw new IllegalStateException("log directory failed");
            }
        }, Duration.ofSeconds(30), failures);

        assertThat(ended).containsExactly(failing, other);
        assertThat(failures).extracting(Throwable::getMessage).containsExactly("log directory failed");
    }

    @Test
    void anInterruptedCallerStillWaitsForTheStepAndKeepsItsInterrupt() {
        BrokerNode slow = node(1);
        CountDownLatch release = new CountDownLatch(1);
        List<RuntimeException> failures = new ArrayList<>();
        Thread caller = Thread.currentThread();
        new Thread(() -> {
            // the step ends only once the caller waits for it, after its interrupt
            await().atMost(Duration.ofSeconds(30)).until(() -> caller.getState() == Thread.State.TIMED_WAITING);
            release.countDown();
        }).start();

        Thread.currentThread().interrupt();
        List<BrokerNode> ended = ClusterShutdown.runBounded("broker side", List.of(slow), node -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException("interrupted", e);
            }
        }, Duration.ofSeconds(30), failures);

        assertThat(Thread.interrupted()).as("the caller's interrupt is kept").isTrue();
        assertThat(ended).containsExactly(slow);
        assertThat(failures).isEmpty();
    }
}
