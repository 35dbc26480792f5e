package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Runs the kgroups command in this JVM and captures what it prints. */
final class Cli {
    /** An empty config file: a test never reads the named clusters of the machine's ~/.kgroups/config. */
    private static final Path NO_NAMED_CLUSTERS = emptyConfig();

    /**
     * @param console what reached the JVM's System.out and System.err while the command ran (where
     *     logging goes: a library's log line); null when not watched ({@link #run(String...)})
     */
    record Result(int exitCode, String out, String err, String console) {
        /** Everything the user sees: the command's stdout and stderr, and the console. */
        String all() {
            return out + err + (console == null ? "" : console);
        }
    }

    private Cli() {
    }

    static Result run(String... args) {
        return run(Map.of(), args);
    }

    /** As {@link #run(String...)}, stdout written to {@code out} as the command prints it (its {@code out()} is empty). */
    static Result run(java.io.Writer out, String... args) {
        StringWriter err = new StringWriter();
        int code = Kgroups.execute(args, new PrintWriter(out, true), new PrintWriter(err, true),
                withoutNamedClusters(Map.of()));
        return new Result(code, "", err.toString(), null);
    }

    static Result run(Map<String, String> environment, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Kgroups.execute(args, new PrintWriter(out, true), new PrintWriter(err, true), withoutNamedClusters(environment));
        return new Result(code, out.toString(), err.toString(), null);
    }

    private static Map<String, String> withoutNamedClusters(Map<String, String> environment) {
        Map<String, String> env = new HashMap<>(environment);
        env.putIfAbsent(ClusterProfiles.CONFIG_ENV, NO_NAMED_CLUSTERS.toString());
        return env;
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

    /** As {@link #run(Map, String...)}, also capturing the JVM's System.out and System.err (one command at a time). */
    static Result runWatchingConsole(Map<String, String> environment, String... args) {
        try (Console console = Console.watch()) {
            Result result = run(environment, args);
            return new Result(result.exitCode(), result.out(), result.err(), console.text());
        }
    }

    /** The JVM's System.out and System.err, captured until closed (one watch at a time). */
    private static final class Console implements AutoCloseable {
        private final PrintStream systemOut = System.out;
        private final PrintStream systemErr = System.err;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        static Console watch() {
            Console console = new Console();
            PrintStream capture = new PrintStream(console.bytes, true, StandardCharsets.UTF_8);
            System.setOut(capture);
            System.setErr(capture);
            return console;
        }

        String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            System.setOut(systemOut);
            System.setErr(systemErr);
        }
    }

    /**
     * A command that runs until stopped (monitor, load-orders, broker) on a thread of this JVM,
     * the console watched meanwhile; {@link #stop()} interrupts it, as Ctrl-C would end it.
     */
    static final class Running {
        private final StringWriter out = new StringWriter();
        private final StringWriter err = new StringWriter();
        private final AtomicInteger exitCode = new AtomicInteger(-1);
        private final Console console = Console.watch();
        private final Thread thread;

        Running(Map<String, String> environment, String... args) {
            thread = new Thread(() -> exitCode.set(Kgroups.execute(args, new PrintWriter(out, true),
                    new PrintWriter(err, true), withoutNamedClusters(environment))), "kgroups " + String.join(" ", args));
            thread.start();
        }

        /** Waits until stdout holds {@code text}, or the command has ended. */
        Running printed(String text) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(out.toString().contains(text)
                    || !thread.isAlive()).as("'%s' on stdout, or the end; stdout:%n%s%nstderr:%n%s", text, out, err).isTrue());
            return this;
        }

        String out() {
            return out.toString();
        }

        /** Interrupts the command and waits for it to end (60 s at most). */
        Result stop() throws InterruptedException {
            try {
                thread.interrupt();
                thread.join(60_000);
            } finally {
                console.close();
            }
            assertThat(thread.isAlive()).as("stopped within 60 s of an interrupt; stdout:%n%s%nstderr:%n%s", out, err).isFalse();
            return new Result(exitCode.get(), out.toString(), err.toString(), console.text());
        }
    }
}
