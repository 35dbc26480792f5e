package io.kgroups.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The deterministic simulation of the whole runtime ({@link Simulation}), over many seeds.
 *
 * <ul>
 * <li>{@code mvn verify}: seeds 1..{@value #DEFAULT_SEEDS} on both cores.</li>
 * <li>{@code -Dsimulation.seeds=100000} (and {@code -Dsimulation.from=N}): a nightly-sized run.</li>
 * <li>{@code -Dsimulation.seed=N}: replays one seed, printing its whole trace (and the runtime's log).</li>
 * <li>{@code -Dsimulation.verbose=true}: prints every seed's setup and what happened in it.</li>
 * </ul>
 * A failing seed is printed with its setup, the last events before the violation, and the
 * command that replays it.
 */
class SimulationTest {
    static final int DEFAULT_SEEDS = 4_000;
    private static final String REPLAY = "mvn -q -pl kgroups-consumer -am test -Dtest=SimulationTest -Dsurefire.failIfNoSpecifiedTests=false -Dsimulation.seed=";

    private static Level runtimeLevel;

    @BeforeAll
    static void quietRuntime() {
        // Thousands of seeds of retries, commit failures and rebalances would log for minutes; a replay logs.
        Logger runtime = (Logger) LoggerFactory.getLogger("io.kgroups.consumer");
        runtimeLevel = runtime.getLevel();
        if (System.getProperty("simulation.seed") == null) {
            runtime.setLevel(Level.OFF);
        }
    }

    @AfterAll
    static void restoreLogging() {
        ((Logger) LoggerFactory.getLogger("io.kgroups.consumer")).setLevel(runtimeLevel);
    }

    @Test
    void everySeedKeepsTheInvariants() throws Exception {
        String one = System.getProperty("simulation.seed");
        if (one != null) {
            Simulation.Result result = Simulation.run(Long.parseLong(one), true);
            System.out.println("seed " + one + ": " + result.setup() + "\n" + result.summary());
            if (!result.passed()) {
                System.out.println(result.trace());
            }
            assertThat(result.violation()).as("seed " + one).isNull();
            return;
        }
        long from = Long.getLong("simulation.from", 1);
        int seeds = Integer.getInteger("simulation.seeds", DEFAULT_SEEDS);
        long start = System.nanoTime();
        AtomicLong next = new AtomicLong(from);
        AtomicLong events = new AtomicLong();
        List<Simulation.Result> failed = java.util.Collections.synchronizedList(new ArrayList<>());
        int runners = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(runners);
        List<Future<?>> done = new ArrayList<>();
        for (int r = 0; r < runners; r++) {
            done.add(pool.submit(() -> {
                long seed;
                while ((seed = next.getAndIncrement()) < from + seeds && failed.size() < 3) {
                    Simulation.Result result = Simulation.run(seed, false);
                    if (Boolean.getBoolean("simulation.verbose")) {
                        System.out.println("seed " + seed + ": " + result.setup() + " | " + result.summary());
                    }
                    if (!result.passed()) {
                        failed.add(result);
                    }
                }
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("simulation: %d seeds from %d in %.1f s on %d threads%n", Math.min(seeds, next.get() - from), from,
                seconds, runners);
        for (Simulation.Result result : failed) {
            System.out.println("\n==== seed " + result.seed() + " FAILED: " + result.violation() + "\nsetup: " + result.setup()
                    + "\n" + result.summary() + "\nlast events:\n" + result.trace() + "\nreplay: " + REPLAY + result.seed());
        }
        assertThat(failed).as("failing seeds (replay each with " + REPLAY + "N)")
                .extracting(r -> r.seed() + ": " + r.violation().lines().findFirst().orElse("")).isEmpty();
    }
}
