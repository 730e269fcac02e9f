package dev.pushrelay.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A real three-master Redis Cluster on loopback (Debian's redis-server with {@code
 * --cluster-enabled yes}, persistence off, no replicas), each master in its own directory of
 * one temporary directory, joined with {@code redis-cli --cluster create}. Ready once every
 * master reports {@code cluster_state:ok}; stopped on close, each process by its own handle.
 */
public final class RedisCluster implements AutoCloseable {

    private final Path dir;
    private final List<Integer> ports = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    private RedisCluster(Path dir) {
        this.dir = dir;
    }

    public static RedisCluster start() throws IOException {
        RedisCluster c = new RedisCluster(Files.createTempDirectory("pushrelay-redis-cluster"));
        try {
            c.launch();
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** A free port whose cluster bus port (port + 10000) is free too. */
    private static int freePortPair() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int p;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                p = s.getLocalPort();
            }
            if (p + 10000 > 65535) continue;
            try (ServerSocket bus = new ServerSocket(p + 10000, 1, InetAddress.getLoopbackAddress())) {
                return p;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free port pair for a cluster node");
    }

    private void launch() throws IOException {
        for (int i = 0; i < 3; i++) {
            int port = freePortPair();
            Path d = Files.createDirectories(dir.resolve(Integer.toString(port)));
            Process p = new ProcessBuilder(ExternalPrograms.redisServer().toString(), "--port", Integer.toString(port),
                    "--bind", "127.0.0.1", "--cluster-enabled", "yes", "--cluster-config-file", d.resolve("nodes.conf").toString(),
                    "--save", "", "--appendonly", "no", "--dir", d.toString(), "--maxmemory-policy", "noeviction")
                    .redirectErrorStream(true).redirectOutput(d.resolve("redis.log").toFile()).start();
            ports.add(port);
            processes.add(p);
        }
        for (int i = 0; i < 3; i++) {
            Process p = processes.get(i);
            Ports.awaitListening(ports.get(i), java.time.Duration.ofSeconds(10), p::isAlive, () -> "redis-server cluster node");
        }
        List<String> create = new ArrayList<>(List.of(cliPath(), "--cluster", "create"));
        for (int port : ports) create.add("127.0.0.1:" + port);
        create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        String out = run(create);
        if (!out.contains("All 16384 slots covered")) throw new IOException("redis-cli --cluster create: " + out);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (int port : ports) {
            while (!cli(port, "CLUSTER", "INFO").contains("cluster_state:ok")) {
                if (System.nanoTime() > deadline) throw new IOException("cluster not ok on " + port);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        }
    }

    /** The seed a pushrelay configuration names: the first master. */
    public String url() {
        return "redis://127.0.0.1:" + ports.get(0);
    }

    public List<Integer> ports() {
        return List.copyOf(ports);
    }

    /** One redis-cli command against the master on {@code port}, output trimmed. */
    public String cli(int port, String... args) {
        List<String> cmd = new ArrayList<>(List.of(cliPath(), "-p", Integer.toString(port)));
        cmd.addAll(List.of(args));
        try {
            return run(cmd);
        } catch (IOException e) {
            return "";
        }
    }

    private static String cliPath() {
        return ExternalPrograms.redisServer().resolveSibling("redis-cli").toString();
    }

    private static String run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }

    @Override
    public void close() {
        for (int i = 0; i < processes.size(); i++) {
            Process p = processes.get(i);
            if (!p.isAlive()) continue;
            cli(ports.get(i), "SHUTDOWN", "NOSAVE");
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
