package io.kgroups.bench;

import java.util.List;
import java.util.Map;

/** One benchmark that {@link BenchMain} runs by name. */
public interface Benchmark {
    /** The name given on the command line, e.g. {@code broker}. */
    String name();

    /** One line for the usage text. */
    String description();

    /** Runs the benchmark; {@code quick} means fewer and smaller runs, for a smoke test. */
    Report run(boolean quick) throws Exception;

    /**
     * The options this benchmark takes besides {@code --quick}, as the usage shows them: a name,
     * then a label when it takes a value ({@code "--groups N"}), or the name alone for a flag.
     */
    default List<String> options() {
        return List.of();
    }

    /** Runs with the options given (name without dashes to value; a flag's value is "true"). */
    default Report run(boolean quick, Map<String, String> options) throws Exception {
        return run(quick);
    }

    /** An option's value as a positive whole number, or {@code fallback} when not given. */
    static int positive(Map<String, String> options, String name, int fallback) {
        String value = options.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value.replace("_", "").replace(",", ""));
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new IllegalArgumentException("--" + name + " " + value + " is not a positive whole number");
    }
}
