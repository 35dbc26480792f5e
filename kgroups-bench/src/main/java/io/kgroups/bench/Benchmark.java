package io.kgroups.bench;

import java.util.List;

/** One benchmark that {@link BenchMain} runs by name. */
public interface Benchmark {
    /** The name given on the command line, e.g. {@code broker}. */
    String name();

    /** One line for the usage text. */
    String description();

    /** The usage of its own options (given after the name), e.g. {@code [--groups N]}; empty: none. */
    default String optionsUsage() {
        return "";
    }

    /**
     * Takes its own options, the arguments after the name but {@code --quick}; a bad one is an
     * IllegalArgumentException saying what is wrong and how to fix it, in one line.
     */
    default void configure(List<String> options) {
        if (!options.isEmpty()) {
            throw new IllegalArgumentException("unexpected argument '" + options.get(0) + "': " + name()
                    + " takes no options but --quick");
        }
    }

    /** Runs the benchmark; {@code quick} means fewer and smaller runs, for a smoke test. */
    Report run(boolean quick) throws Exception;
}
