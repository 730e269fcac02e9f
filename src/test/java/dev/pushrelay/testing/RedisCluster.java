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
 * --cluster-enabled yes}, persistence off), each node in its own directory of one temporary
 * directory, joined with {@code redis-cli --cluster create}; optionally with one replica per
 * master ({@code --cluster-replicas 1}, six processes, a node timeout of 1 s so a killed
 * master's replica takes over within a few seconds). Ready once every node reports {@code
 * cluster_state:ok}; stopped on close, each process by its own handle. The fault helpers
 * (failover, kill, slot migration) return once every live node agrees on the new owner.
 */
public final class RedisCluster implements AutoCloseable {

    private final Path dir;
    private final int replicas;
    private final List<Integer> ports = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    private RedisCluster(Path dir, int replicas) {
        this.dir = dir;
        this.replicas = replicas;
    }

    public static RedisCluster start() throws IOException {
        return start(0);
    }

    /** @param replicas replicas per master: 0 or 1 */
    public static RedisCluster start(int replicas) throws IOException {
        RedisCluster c = new RedisCluster(Files.createTempDirectory("pushrelay-redis-cluster"), replicas);
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
        int nodes = 3 * (1 + replicas);
        for (int i = 0; i < nodes; i++) {
            int port = freePortPair();
            Path d = Files.createDirectories(dir.resolve(Integer.toString(port)));
            Process p = new ProcessBuilder(ExternalPrograms.redisServer().toString(), "--port", Integer.toString(port),
                    "--bind", "127.0.0.1", "--cluster-enabled", "yes", "--cluster-config-file", d.resolve("nodes.conf").toString(),
                    "--save", "", "--appendonly", "no", "--dir", d.toString(), "--maxmemory-policy", "noeviction",
                    "--cluster-node-timeout", "1000")
                    .redirectErrorStream(true).redirectOutput(d.resolve("redis.log").toFile()).start();
            ports.add(port);
            processes.add(p);
        }
        for (int i = 0; i < nodes; i++) {
            Process p = processes.get(i);
            Ports.awaitListening(ports.get(i), java.time.Duration.ofSeconds(10), p::isAlive, () -> "redis-server cluster node");
        }
        List<String> create = new ArrayList<>(List.of(cliPath(), "--cluster", "create"));
        for (int port : ports) create.add("127.0.0.1:" + port);
        create.addAll(List.of("--cluster-replicas", Integer.toString(replicas), "--cluster-yes"));
        String out = run(create);
        if (!out.contains("All 16384 slots covered")) throw new IOException("redis-cli --cluster create: " + out);
        awaitOk();
        if (replicas > 0) {
            await("every replica in sync", () -> {
                for (int m : masters()) {
                    if (replicaOf(m) < 0) return false;
                    if (!cli(m, "INFO", "replication").contains("state=online")) return false;
                }
                return true;
            });
        }
    }

    /** Every live node reports cluster_state:ok and the same master for every slot range. */
    private void awaitOk() throws IOException {
        await("cluster_state:ok on every live node", () -> {
            String first = null;
            for (int port : live()) {
                if (!cli(port, "CLUSTER", "INFO").contains("cluster_state:ok")) return false;
                String view = mastersView(port);
                if (first == null) first = view;
                else if (!first.equals(view)) return false;
            }
            return true;
        });
    }

    private interface Check {
        boolean ok() throws IOException;
    }

    private static void await(String what, Check c) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!c.ok()) {
            if (System.nanoTime() > deadline) throw new IOException("redis cluster: not " + what + " within 30 s");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    private List<Integer> live() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < ports.size(); i++) if (processes.get(i).isAlive()) out.add(ports.get(i));
        return out;
    }

    /** The connected masters with slots as {@code port}'s CLUSTER NODES says, sorted by slots. */
    private String mastersView(int port) {
        List<String> masters = new ArrayList<>();
        for (String[] n : nodes(port)) {
            if (n[2].contains("master") && !n[2].contains("fail") && n.length > 8) {
                masters.add(String.join(" ", java.util.Arrays.copyOfRange(n, 8, n.length)) + "@" + n[1]);
            }
        }
        java.util.Collections.sort(masters);
        return String.join(",", masters);
    }

    private List<String[]> nodes(int port) {
        List<String[]> out = new ArrayList<>();
        for (String line : cli(port, "CLUSTER", "NODES").split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length >= 8) out.add(f);
        }
        return out;
    }

    private int anyLive() {
        return live().get(0);
    }

    private static int portOf(String[] node) {
        String addr = node[1];
        return Integer.parseInt(addr.substring(addr.lastIndexOf(':') + 1, addr.indexOf('@')));
    }

    /** The masters serving slots now (as a live node sees them). */
    public List<Integer> masters() {
        List<Integer> out = new ArrayList<>();
        for (String[] n : nodes(anyLive())) {
            if (n[2].contains("master") && !n[2].contains("fail") && n.length > 8) out.add(portOf(n));
        }
        return out;
    }

    /**
     * The hash slot of the keys of channel {@code id} of a location without a channel group
     * ({@code pushrelay{/ID}:c}, protocol.md §1, §13).
     */
    public int slotOfChannel(String id) {
        return Integer.parseInt(cli(anyLive(), "CLUSTER", "KEYSLOT", "pushrelay{/" + id + "}:c"));
    }

    /** The port of the master owning {@code slot}. */
    public int masterOf(int slot) {
        for (String[] n : nodes(anyLive())) {
            if (!n[2].contains("master") || n[2].contains("fail")) continue;
            for (int i = 8; i < n.length; i++) {
                String r = n[i];
                if (r.startsWith("[")) continue; // a migration in progress
                int dash = r.indexOf('-');
                int lo = Integer.parseInt(dash < 0 ? r : r.substring(0, dash));
                int hi = Integer.parseInt(dash < 0 ? r : r.substring(dash + 1));
                if (slot >= lo && slot <= hi) return portOf(n);
            }
        }
        throw new IllegalStateException("no master owns slot " + slot);
    }

    /** A live replica of the master on {@code masterPort}, or -1. */
    public int replicaOf(int masterPort) {
        String id = nodeId(masterPort);
        for (String[] n : nodes(anyLive())) {
            if (n[2].contains("slave") && !n[2].contains("fail") && n[3].equals(id)) return portOf(n);
        }
        return -1;
    }

    public String nodeId(int port) {
        return cli(port, "CLUSTER", "MYID");
    }

    /**
     * {@code CLUSTER FAILOVER} on the replica of {@code masterPort} (a coordinated switch:
     * the master stops writes until its replica has everything); returns the new master.
     */
    public int failover(int masterPort) throws IOException {
        int replica = replicaOf(masterPort);
        if (replica < 0) throw new IOException("no replica of " + masterPort);
        String out = cli(replica, "CLUSTER", "FAILOVER");
        if (!out.equals("OK")) throw new IOException("CLUSTER FAILOVER on " + replica + ": " + out);
        await("replica " + replica + " promoted", () -> cli(replica, "ROLE").startsWith("master"));
        awaitOk();
        await("the old master " + masterPort + " replicating", () -> replicaOf(replica) == masterPort);
        return replica;
    }

    /**
     * Kills the master on {@code masterPort} with SIGKILL once its replica has every write
     * (replication offsets equal); returns at once, while the slot has no master.
     */
    public void kill(int masterPort) throws IOException {
        int replica = replicaOf(masterPort);
        if (replica < 0) throw new IOException("no replica of " + masterPort);
        await("replica " + replica + " caught up", () -> offset(masterPort, "master_repl_offset")
                == offset(replica, "slave_repl_offset"));
        Process p = processes.get(ports.indexOf(masterPort));
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until {@code replica} was promoted and every live node agrees on the masters. */
    public void awaitPromoted(int replica) throws IOException {
        await("replica " + replica + " promoted", () -> cli(replica, "ROLE").startsWith("master"));
        awaitOk();
    }

    private long offset(int port, String field) {
        for (String line : cli(port, "INFO", "replication").split("\n")) {
            if (line.startsWith(field + ":")) return Long.parseLong(line.substring(field.length() + 1).trim());
        }
        return -1;
    }

    /**
     * Moves {@code slot} with its keys to the master on {@code toPort}, as {@code redis-cli
     * --cluster reshard} does: IMPORTING at the target, MIGRATING at the source, MIGRATE of
     * every key, then SETSLOT NODE at both and at every other master.
     */
    public void migrateSlot(int slot, int toPort) throws IOException {
        migrateSlot(slot, toPort, () -> { });
    }

    /** A step run while a slot migrates. */
    public interface Step {
        void run() throws IOException;
    }

    /**
     * As {@link #migrateSlot(int, int)}, running {@code midway} after the keys moved and
     * before the slot is given to the target: the source answers ASK, the target takes
     * ASKING commands.
     */
    public void migrateSlot(int slot, int toPort, Step midway) throws IOException {
        int from = masterOf(slot);
        if (from == toPort) return;
        String fromId = nodeId(from);
        String toId = nodeId(toPort);
        String s = Integer.toString(slot);
        expectOk(cli(toPort, "CLUSTER", "SETSLOT", s, "IMPORTING", fromId));
        expectOk(cli(from, "CLUSTER", "SETSLOT", s, "MIGRATING", toId));
        while (true) {
            String keys = cli(from, "CLUSTER", "GETKEYSINSLOT", s, "100");
            if (keys.isBlank()) break;
            List<String> cmd = new ArrayList<>(List.of("MIGRATE", "127.0.0.1", Integer.toString(toPort), "", "0",
                    "5000", "KEYS"));
            cmd.addAll(List.of(keys.split("\n")));
            String out = cli(from, cmd.toArray(String[]::new));
            if (!out.equals("OK")) throw new IOException("MIGRATE: " + out);
        }
        midway.run();
        expectOk(cli(toPort, "CLUSTER", "SETSLOT", s, "NODE", toId));
        expectOk(cli(from, "CLUSTER", "SETSLOT", s, "NODE", toId));
        for (int m : masters()) if (m != from && m != toPort) cli(m, "CLUSTER", "SETSLOT", s, "NODE", toId);
        await("slot " + slot + " at " + toPort + " everywhere", () -> {
            for (int port : live()) {
                if (port == toPort) continue;
                if (!cli(port, "CLUSTER", "NODES").contains(toId)) return false;
            }
            return masterOf(slot) == toPort;
        });
        awaitOk();
    }

    private static void expectOk(String out) throws IOException {
        if (!out.equals("OK")) throw new IOException("redis-cli: " + out);
    }

    /** The seed a pushrelay configuration names: the first master. */
    public String url() {
        return "redis://127.0.0.1:" + ports.get(0);
    }

    public List<Integer> ports() {
        return List.copyOf(ports);
    }

    /** One redis-cli command against the node on {@code port}, output trimmed. */
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
