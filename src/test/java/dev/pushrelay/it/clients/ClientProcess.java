package dev.pushrelay.it.clients;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real client (a script of test-clients/, nginx, node) run as a child process with a bounded
 * run time. Its output goes to files under target/clients-it/ so that a failing test shows
 * what the client printed, and no pipe can fill up and stall it.
 */
final class ClientProcess implements AutoCloseable {

    /** The project directory: surefire runs the tests there. */
    static final Path ROOT = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    static final Path OUT = ROOT.resolve("target/clients-it");

    private final String name;
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private ClientProcess(String name, Process process, Path stdout, Path stderr) {
        this.name = name;
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Starts {@code command} in the project directory; {@code name} names its output files. */
    static ClientProcess start(String name, Map<String, String> env, List<String> command) {
        return start(name, env, command, null);
    }

    /** Like {@link #start(String, Map, List)} with {@code input} (UTF-8) as standard input. */
    static ClientProcess start(String name, Map<String, String> env, List<String> command, String input) {
        try {
            Files.createDirectories(OUT);
            Path out = OUT.resolve(name + ".out");
            Path err = OUT.resolve(name + ".err");
            Path in = Path.of("/dev/null");
            if (input != null) {
                in = OUT.resolve(name + ".in");
                Files.writeString(in, input, StandardCharsets.UTF_8);
            }
            ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile())
                    .redirectInput(in.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().putAll(env);
            return new ClientProcess(name, pb.start(), out, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ClientProcess start(String name, String... command) {
        return start(name, Map.of(), List.of(command));
    }

    /** Waits for the end; fails the test (and ends the process) past {@code limit}. Returns the exit code. */
    int await(Duration limit) {
        try {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                close();
                throw new AssertionError(name + " still ran after " + limit + "\n" + describe());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new AssertionError(name + " interrupted", e);
        }
    }

    /** Like {@link #await} and fails the test unless the exit code is {@code expected}. */
    ClientProcess expectExit(int expected, Duration limit) {
        int code = await(limit);
        if (code != expected) throw new AssertionError(name + " exited " + code + ", expected " + expected + "\n" + describe());
        return this;
    }

    java.util.concurrent.CompletableFuture<Process> onExit() {
        return process.onExit();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String stdout() {
        return read(stdout);
    }

    String stderr() {
        return read(stderr);
    }

    /** The output lines so far. */
    List<String> lines() {
        return stdout().lines().toList();
    }

    String describe() {
        return "--- " + name + " stdout:\n" + stdout() + "--- " + name + " stderr:\n" + stderr();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** Ends the process and the processes it started, by pid. */
    @Override
    public void close() {
        if (!process.isAlive()) return;
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
}
