package io.kgroups.bench;

import io.kgroups.embedded.EmbeddedKafka;

/**
 * One cold start, run by {@link BrokerBench} in a JVM of its own: class loading and JIT are part
 * of what a user waits for, and a second start in the same JVM takes a fraction of the first.
 * Prints the milliseconds that build() and start() of a 1-broker EmbeddedKafka took.
 */
public final class ColdStart {
    private ColdStart() {
    }

    public static void main(String[] args) {
        long start = System.nanoTime();
        try (EmbeddedKafka kafka = BrokerBench.newBroker()) {
            kafka.start();
            System.out.println((System.nanoTime() - start) / 1e6);
        }
        // Kafka leaves non-daemon threads behind: do not wait for them.
        System.exit(0);
    }
}
