package dev.pushrelay.it.clients;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Debian's nginx run in the foreground as the test's child, on a loopback port, with a
 * configuration the test writes into a temporary prefix; ended by its pid. The one place
 * that finds the nginx binary.
 */
final class Nginx implements AutoCloseable {

    private final ClientProcess process;
    private final Path prefix;
    private final int port;

    private Nginx(ClientProcess process, Path prefix, int port) {
        this.process = process;
        this.prefix = prefix;
        this.port = port;
    }

    /** The nginx binary, installed first if it is missing. */
    static String binary() {
        Deps.install("nginx");
        return Files.isExecutable(Path.of("/usr/sbin/nginx")) ? "/usr/sbin/nginx" : "nginx";
    }

    /**
     * Starts nginx with {@code conf}, in which {@code PORT} is replaced by a free port and
     * {@code PREFIX} by the temporary prefix directory; returns once it accepts connections.
     */
    static Nginx start(String name, String conf) {
        String binary = binary();
        try {
            int port = freePort();
            Path prefix = Files.createTempDirectory("pushrelay-nginx");
            Files.createDirectories(prefix.resolve("logs"));
            Files.createDirectories(prefix.resolve("tmp"));
            Path file = prefix.resolve("nginx.conf");
            Files.writeString(file, conf.replace("PORT", Integer.toString(port)).replace("PREFIX", prefix.toString()));
            ClientProcess p = ClientProcess.start(name, binary, "-c", file.toString(), "-p", prefix + "/", "-e", "stderr",
                    "-g", "daemon off;");
            Nginx nginx = new Nginx(p, prefix, port);
            nginx.awaitListening();
            return nginx;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return port;
    }

    ClientProcess process() {
        return process;
    }

    private void awaitListening() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new AssertionError("nginx exited\n" + process.describe());
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
        close();
        throw new AssertionError("nginx never listened on " + port + "\n" + process.describe());
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.close();
        try (var files = Files.walk(prefix)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
