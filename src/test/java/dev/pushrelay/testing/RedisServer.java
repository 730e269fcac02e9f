package dev.pushrelay.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A real Debian redis-server on a free loopback port, persistence off, in its own temporary
 * directory; stopped (SHUTDOWN NOSAVE) on close. Tests that need it carry
 * {@code @Tag(ExternalPrograms.REDIS)} and {@code @ExtendWith(ExternalPrograms.class)}, which skip
 * them with a message when redis-server is missing.
 */
public final class RedisServer implements AutoCloseable {

    private final int port;
    private final Path dir;
    private Process process;

    private RedisServer(int port, Path dir) {
        this.port = port;
        this.dir = dir;
    }

    public static RedisServer start() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        RedisServer r = new RedisServer(port, Files.createTempDirectory("pushrelay-redis"));
        r.launch();
        return r;
    }

    /** Starts (again) on the same port: with persistence off, a restart has lost every key. */
    public void launch() throws IOException {
        process = new ProcessBuilder(ExternalPrograms.redisServer().toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--maxmemory-policy", "noeviction",
                "--enable-debug-command", "local")
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!"PONG".equals(cli("PING"))) {
            if (System.nanoTime() > deadline) throw new IOException("redis-server did not answer on " + port);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Runs one redis-cli command and returns its output, trimmed ("" when it failed). */
    public String cli(String... args) {
        try {
            List<String> cmd = new java.util.ArrayList<>(List.of(ExternalPrograms.redisServer().resolveSibling("redis-cli").toString(), "-p", Integer.toString(port)));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** Stops Redis without saving anything, and waits for the process to end. */
    public void stop() throws InterruptedException {
        if (process == null) return;
        cli("SHUTDOWN", "NOSAVE");
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        process = null;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
