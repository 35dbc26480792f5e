package io.kgroups.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Runs the kgroups command in this JVM and captures what it prints. */
final class Cli {
    /** An empty config file: a test never reads the named clusters of the machine's ~/.kgroups/config. */
    private static final Path NO_NAMED_CLUSTERS = emptyConfig();

    record Result(int exitCode, String out, String err) {
    }

    private Cli() {
    }

    static Result run(String... args) {
        return run(Map.of(), args);
    }

    static Result run(Map<String, String> environment, String... args) {
        Map<String, String> env = new HashMap<>(environment);
        env.putIfAbsent(ClusterProfiles.CONFIG_ENV, NO_NAMED_CLUSTERS.toString());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Kgroups.execute(args, new PrintWriter(out, true), new PrintWriter(err, true), env);
        return new Result(code, out.toString(), err.toString());
    }

    private static Path emptyConfig() {
        try {
            Path file = Files.createTempFile("kgroups-config-", "");
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
