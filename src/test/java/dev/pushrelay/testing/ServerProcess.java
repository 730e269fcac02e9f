package dev.pushrelay.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * pushrelay started as its own process (the real Main, on this test's classpath), for tests
 * that need the server's file descriptors apart from the client's, or its pid.
 */
public final class ServerProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("listening on (\\S+):(\\d+)");
    /** Longer than any start seen at load 60 (tens of seconds), short of hanging a build. */
    private static final Duration START_LIMIT = Duration.ofMinutes(3);

    private final Process process;
    private final int port;
    private final Path conf;
    private final Path stderrLog;

    private ServerProcess(Process process, int port, Path conf, Path stderrLog) {
        this.process = process;
        this.port = port;
        this.conf = conf;
        this.stderrLog = stderrLog;
    }

    /** Starts the server on an ephemeral loopback port with {@code conf} as its configuration. */
    public static ServerProcess start(String conf, String... jvmArgs) throws IOException {
        Path dir = Files.createTempDirectory("pushrelay-proc");
        Files.writeString(dir.resolve("pushrelay.conf"), conf);
        return startIn(dir, jvmArgs);
    }

    /**
     * Starts the server with {@code dir/pushrelay.conf} as it stands, e.g. again after a stop,
     * so pid and state files of the previous run are where it left them.
     */
    public static ServerProcess startIn(Path dir, String... jvmArgs) throws IOException {
        return startFile(dir.resolve("pushrelay.conf"), dir.resolve("stderr.log"), jvmArgs);
    }

    /**
     * Starts the server on the configuration file {@code conf} itself (its relative paths
     * resolve against its directory), writing stderr to {@code stderrLog}.
     */
    public static ServerProcess startFile(Path conf, Path stderrLog, String... jvmArgs) throws IOException {
        return startUnder(DEFAULT_SIGNALS, conf, stderrLog, jvmArgs);
    }

    /**
     * The signals a server takes (HUP, USR1, TERM, INT) set back to their defaults, as
     * bin/pushrelay does: a JVM never takes over a signal it started with ignored, and this
     * build may itself run under nohup (which ignores HUP) or as a script's background job.
     */
    private static final List<String> DEFAULT_SIGNALS = List.of("env", "--default-signal=HUP,INT,TERM,USR1");

    /**
     * Starts the server through {@code launcher} (a command that runs the rest of the command
     * line in its own process, e.g. {@code nohup}), so a test sees what a server started that
     * way does.
     */
    public static ServerProcess startUnder(List<String> launcher, Path conf, Path stderrLog, String... jvmArgs)
            throws IOException {
        Files.deleteIfExists(stderrLog);
        List<String> cmd = new ArrayList<>(launcher);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(jvmArgs));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.pushrelay.Main",
                "-c", conf.toAbsolutePath().toString(), "--listen", "127.0.0.1:0",
                // the warm-up's own checks are WarmUpTest's and LauncherIT's; here it would only
                // add its budget to every start
                "--warm-up", "0"));
        Process p = new ProcessBuilder(cmd).redirectError(stderrLog.toFile()).start();
        // one reader for the process's whole life keeps the pipe empty; the start waits for its
        // "listening" line at most START_LIMIT, so a server that hangs instead of starting
        // fails the test instead of holding the build
        BlockingQueue<Integer> listening = new ArrayBlockingQueue<>(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) listening.offer(Integer.parseInt(m.group(2)));
                }
            } catch (IOException ignored) {
                // the process ended
            }
            listening.offer(-1);
        }, "server-stdout");
        reader.setDaemon(true);
        reader.start();
        Integer port;
        try {
            port = listening.poll(START_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            port = null;
        }
        if (port != null && port > 0) return new ServerProcess(p, port, conf, stderrLog);
        p.destroyForcibly();
        throw new IOException((port == null ? "server did not start within " + START_LIMIT : "server did not start")
                + ": " + Files.readString(stderrLog));
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public Process process() {
        return process;
    }

    /** The directory holding the configuration file (and so the default pid file). */
    public Path dir() {
        return conf.toAbsolutePath().getParent();
    }

    /** Replaces the configuration file (for a reload). */
    public void writeConf(String text) throws IOException {
        Files.writeString(conf, text);
    }

    /** One request on a fresh connection. */
    public RawResponse send(String request) throws IOException {
        return RawHttp.exchange(port, request);
    }

    /**
     * Polls the channel info at {@code publisherTarget} until exactly {@code n} long-polls wait
     * (protocol.md §3.4), as {@link TestServer#awaitSubscribers}.
     */
    public void awaitSubscribers(String publisherTarget, int n) throws IOException {
        Subscribers.await(port, publisherTarget, n, java.time.Duration.ofSeconds(15));
    }

    /** Sends a signal (HUP, TERM, INT) with kill(1), as an operator would. */
    public void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-s", name, Long.toString(pid())).inheritIO().start();
        if (kill.waitFor() != 0) throw new IOException("kill -s " + name + " " + pid() + " failed");
    }

    /** Everything the server wrote to stderr so far. */
    public String stderr() throws IOException {
        return Files.readString(stderrLog);
    }

    /**
     * Polls stderr until {@code text} has appeared {@code times} times (each reload or
     * stop reports itself there), so a test never sleeps to synchronise.
     */
    public void awaitStderr(String text, int times) throws IOException {
        if (appears(stderrLog, text, times)) return;
        throw new AssertionError("stderr never showed \"" + text + "\" " + times + " times:\n" + stderr()
                + "\nthe server's threads then:\n" + threadDump());
    }

    /**
     * Polls {@code log} (a server's stderr, wherever it was started from) until {@code text}
     * has appeared {@code times} times; false when it has not within 20 s.
     */
    public static boolean appears(Path log, String text, int times) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            String err = Files.readString(log);
            int n = 0;
            for (int i = err.indexOf(text); i >= 0; i = err.indexOf(text, i + 1)) n++;
            if (n >= times) return true;
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        return false;
    }

    /** The server's threads, for a failure message: where a reload or stop that never came stood. */
    private String threadDump() {
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(pid()), "Thread.print").redirectErrorStream(true).start();
            String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            jcmd.waitFor(10, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "(jcmd failed: " + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(interrupted)";
        }
    }

    /** Waits for the process to exit and returns its status. */
    public int awaitExit() throws InterruptedException {
        if (!process.waitFor(30, TimeUnit.SECONDS)) throw new AssertionError("server did not exit");
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
}
