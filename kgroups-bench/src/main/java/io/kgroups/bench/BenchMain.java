package io.kgroups.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code java -jar kgroups-bench.jar NAME [--quick] [its options]}: runs one benchmark and prints its report. */
public final class BenchMain {
    private static final int EXIT_FAILED = 1;
    private static final int EXIT_USAGE = 2;

    /** Every benchmark, in the order the usage lists them. */
    private static final List<Benchmark> BENCHMARKS = List.of(new BrokerBench(), new RuntimeBench(), new ParallelBench(),
            new ShareBench(), new GroupOpsBench(), new MonitorBench(), new MonitorLoadBench(), new LoaderBench());

    private BenchMain() {
    }

    public static void main(String[] args) {
        Map<String, Benchmark> byName = new LinkedHashMap<>();
        BENCHMARKS.forEach(b -> byName.put(b.name(), b));

        String name = null;
        boolean quick = false;
        List<String> rest = new ArrayList<>();
        for (String arg : args) {
            if (arg.equals("--quick")) {
                quick = true;
            } else if (arg.equals("-h") || arg.equals("--help")) {
                System.out.print(usage());
                System.exit(0);
            } else if (name == null && !arg.startsWith("-")) {
                name = arg;
            } else {
                rest.add(arg);
            }
        }
        Benchmark benchmark = byName.get(name);
        if (benchmark == null) {
            usageError((name == null ? "no benchmark given" : "unknown benchmark '" + name + "'")
                    + ": choose one of: " + String.join(", ", byName.keySet()));
        }
        Map<String, String> options = options(benchmark, rest);

        try {
            benchmark.run(quick, options).print(System.out);
        } catch (IllegalArgumentException e) {
            usageError(e.getMessage());
        } catch (Exception e) {
            System.err.println("benchmark '" + name + "' failed: " + e);
            e.printStackTrace();
            System.exit(EXIT_FAILED);
        }
        // Kafka leaves non-daemon threads behind (client and broker pools): do not wait for them.
        System.exit(0);
    }

    /** The benchmark's own options in {@code args}: each one it declares, with its value when it takes one. */
    private static Map<String, String> options(Benchmark benchmark, List<String> args) {
        Map<String, String> declared = new LinkedHashMap<>(); // "--groups" -> "N", "--scaling" -> ""
        for (String option : benchmark.options()) {
            int space = option.indexOf(' ');
            declared.put(space < 0 ? option : option.substring(0, space), space < 0 ? "" : option.substring(space + 1));
        }
        Map<String, String> given = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String label = declared.get(arg);
            if (label == null) {
                usageError("unexpected argument '" + arg + "' for " + benchmark.name()
                        + (declared.isEmpty() ? " (it takes only --quick)" : " (it takes --quick, " + String.join(", ",
                                benchmark.options()) + ")"));
            } else if (label.isEmpty()) {
                given.put(arg.substring(2), "true");
            } else if (i + 1 == args.size()) {
                usageError(arg + " needs a value: " + arg + " " + label);
            } else {
                given.put(arg.substring(2), args.get(++i));
            }
        }
        return given;
    }

    private static void usageError(String message) {
        System.err.println(message);
        System.err.print(usage());
        System.exit(EXIT_USAGE);
    }

    private static String usage() {
        StringBuilder text = new StringBuilder("usage: bench NAME [--quick] [its options]\n\n");
        for (Benchmark b : BENCHMARKS) {
            text.append(String.format("  %-13s %s%n", b.name(), b.description()));
            if (!b.options().isEmpty()) {
                text.append(String.format("  %-13s %s%n", "", String.join(", ", b.options())));
            }
        }
        text.append(String.format("%n  %-13s %s%n", "--quick",
                "fewer and smaller runs: a smoke test, not figures to quote"));
        return text.toString();
    }
}
