package io.kgroups.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code java -jar kgroups-bench.jar NAME [--quick]}: runs one benchmark and prints its report. */
public final class BenchMain {
    private static final int EXIT_FAILED = 1;
    private static final int EXIT_USAGE = 2;

    /** Every benchmark, in the order the usage lists them. */
    private static final List<Benchmark> BENCHMARKS = List.of(new BrokerBench(), new RuntimeBench(), new ParallelBench(), new ShareBench(), new GroupOpsBench(), new MonitorBench(), new LoaderBench());

    private BenchMain() {
    }

    public static void main(String[] args) {
        Map<String, Benchmark> byName = new LinkedHashMap<>();
        BENCHMARKS.forEach(b -> byName.put(b.name(), b));

        String name = null;
        boolean quick = false;
        for (String arg : args) {
            if (arg.equals("--quick")) {
                quick = true;
            } else if (arg.equals("-h") || arg.equals("--help")) {
                System.out.print(usage());
                System.exit(0);
            } else if (arg.startsWith("-") || name != null) {
                usageError("unexpected argument '" + arg + "'");
            } else {
                name = arg;
            }
        }
        Benchmark benchmark = byName.get(name);
        if (benchmark == null) {
            usageError((name == null ? "no benchmark given" : "unknown benchmark '" + name + "'")
                    + ": choose one of: " + String.join(", ", byName.keySet()));
        }

        try {
            benchmark.run(quick).print(System.out);
        } catch (Exception e) {
            System.err.println("benchmark '" + name + "' failed: " + e);
            e.printStackTrace();
            System.exit(EXIT_FAILED);
        }
        // Kafka leaves non-daemon threads behind (client and broker pools): do not wait for them.
        System.exit(0);
    }

    private static void usageError(String message) {
        System.err.println(message);
        System.err.print(usage());
        System.exit(EXIT_USAGE);
    }

    private static String usage() {
        StringBuilder text = new StringBuilder("usage: bench NAME [--quick]\n\n");
        for (Benchmark b : BENCHMARKS) {
            text.append(String.format("  %-10s %s%n", b.name(), b.description()));
        }
        text.append(String.format("%n  %-10s %s%n", "--quick",
                "fewer and smaller runs: a smoke test, not figures to quote"));
        return text.toString();
    }
}
