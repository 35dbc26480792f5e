package io.kgroups.demo;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One storage loader in a JVM of its own ({@code kgroups load-orders}, see {@link LoaderLaunch}), so that it can be killed
 * for real: SIGKILL leaves no chance to commit or to leave the group, as when a machine dies.
 * It runs in {@code dir} (a relative path in its options, as of the default H2 database, is under it), its output goes to
 * {@code dir/<name>.log}, and it ends by itself if the process that started it ends.
 */
public final class LoaderProcess {
    private final String name;
    private final List<String> command;
    private final Path dir;
    private final Path log;
    private Process process;
    private int starts;

    public LoaderProcess(String name, LoaderLaunch launch, List<String> loadOrdersArgs, Path dir) {
        this.name = name;
        this.dir = dir;
        this.log = dir.resolve(name + ".log");
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        // A loader is small: a bounded heap and the serial collector leave the cores to Kafka and the other loaders.
        cmd.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classPath(), launch.mainClass()));
        cmd.addAll(launch.arguments());
        cmd.addAll(List.of("--name", name, "--exit-with-parent"));
        cmd.addAll(loadOrdersArgs);
        this.command = List.copyOf(cmd);
    }

    /** This JVM's class path, absolute: the loader runs in a directory of its own. */
    private static String classPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(entry -> Path.of(entry).toAbsolutePath().toString()).collect(Collectors.joining(File.pathSeparator));
    }

    public String name() {
        return name;
    }

    public Path log() {
        return log;
    }

    public synchronized void start() {
        try {
            process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            starts++;
        } catch (IOException e) {
            throw new RunFailedException("cannot start " + name + " (" + command.get(0) + "): " + e.getMessage(), e);
        }
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Exit code of a loader that ended, or null while it runs. */
    public synchronized Integer exitCode() {
        return process == null || process.isAlive() ? null : process.exitValue();
    }

    public synchronized long pid() {
        return process.pid();
    }

    public synchronized int starts() {
        return starts;
    }

    /** SIGKILL, and wait until it is gone; returns the time it was gone (epoch ms). */
    public synchronized long kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new RunFailedException(name + " (pid " + process.pid() + ") did not die within 30 s of SIGKILL", null);
        }
        return System.currentTimeMillis();
    }

    /** SIGTERM: the loader stores and commits what is in flight, then leaves the group. */
    public synchronized void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** The last lines of its log, for an error message. */
    public String tail() {
        try {
            List<String> lines = java.nio.file.Files.readAllLines(log);
            return String.join(System.lineSeparator(), lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no log at " + log + ")";
        }
    }
}
