package dev.pushrelay.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Loopback ports for servers a test must name in a configuration file (nginx's, or a
 * pushrelay conf with several listen addresses); everything else binds port 0.
 */
public final class Ports {

    private Ports() {
    }

    /**
     * A port free on 127.0.0.1 a moment ago. Another process may take it before the test binds
     * it; the bind then fails loudly rather than the test passing by accident.
     */
    public static int free() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * Polls until 127.0.0.1:{@code port} accepts a connection: a server started as a child
     * process (nginx, redis-server) is ready. Fails the test at once when {@code alive} turns
     * false, or after {@code limit}, with {@code diagnostics} (e.g. the child's output).
     */
    public static void awaitListening(int port, Duration limit, BooleanSupplier alive, Supplier<String> diagnostics) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!alive.getAsBoolean()) throw new AssertionError("exited before listening on " + port + "\n" + diagnostics.get());
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException notYet) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
        throw new AssertionError("nothing listened on " + port + " after " + limit + "\n" + diagnostics.get());
    }
}
