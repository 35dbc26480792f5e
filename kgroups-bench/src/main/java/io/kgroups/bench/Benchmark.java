package io.kgroups.bench;

/** One benchmark that {@link BenchMain} runs by name. */
public interface Benchmark {
    /** The name given on the command line, e.g. {@code broker}. */
    String name();

    /** One line for the usage text. */
    String description();

    /** Runs the benchmark; {@code quick} means fewer and smaller runs, for a smoke test. */
    Report run(boolean quick) throws Exception;
}
