package io.kgroups.cli;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The runnable jar in a JVM of its own, stdout and stderr to one file. A run that does not end in
 * time fails with what it printed, a thread dump of where it was, and the end of every broker log
 * it wrote: its temporary directories are made under the test's directory, so they can be found.
 */
final class JarRun {
    private static final Path JAR = Path.of(System.getProperty("kgroups.jar", "target/kgroups.jar"));
    private static final int BROKER_LOG_LINES = 60;

    record Result(int exitCode, String output) { }

    private JarRun() {
    }

    static Result run(Path dir, Duration limit, String... args) throws IOException, InterruptedException {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        List<String> command = new ArrayList<>(List.of(java(), "-Djava.io.tmpdir=" + tmp, "-jar", JAR.toString()));
        command.addAll(List.of(args));
        Path output = dir.resolve("output.txt");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                threadDump(process, output);
                throw new AssertionError("kgroups " + String.join(" ", args) + " did not end within " + limit.toSeconds()
                        + " s. It printed (a thread dump at the end):\n" + read(output) + brokerLogs(dir));
            }
            return new Result(process.exitValue(), read(output));
        } finally {
            process.destroyForcibly();
        }
    }

    /** SIGQUIT: the JVM prints every thread's stack to its stdout and runs on. */
    private static void threadDump(Process process, Path output) throws InterruptedException {
        try {
            new ProcessBuilder("kill", "-QUIT", String.valueOf(process.pid())).inheritIO().start().waitFor();
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> read(output).contains("Full thread dump"));
        } catch (IOException | org.awaitility.core.ConditionTimeoutException e) {
            // the output so far still says a lot
        }
    }

    /** The end of every broker.log under {@code dir}, for a failure message. */
    static String brokerLogs(Path dir) {
        StringBuilder text = new StringBuilder();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path log : files.filter(p -> p.getFileName().toString().equals("broker.log")).toList()) {
                List<String> lines = read(log).lines().toList();
                text.append("\n--- the last ").append(Math.min(BROKER_LOG_LINES, lines.size())).append(" lines of ")
                        .append(log).append(":\n")
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - BROKER_LOG_LINES), lines.size())));
            }
        } catch (IOException | UncheckedIOException e) {
            text.append("\n(cannot read the broker logs under ").append(dir).append(": ").append(e.getMessage()).append(')');
        }
        return text.isEmpty() ? "\n(no broker.log under " + dir + ")" : text.toString();
    }

    private static String read(Path file) {
        try {
            // not readString: a line cut by a kill must not make the whole output unreadable
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
