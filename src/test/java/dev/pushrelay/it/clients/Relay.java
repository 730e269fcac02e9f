package dev.pushrelay.it.clients;

import dev.pushrelay.testing.RawHttp;
import dev.pushrelay.testing.RawResponse;
import dev.pushrelay.testing.ServerProcess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real pushrelay for the real clients: its own process with the real clock (the clients see
 * real Last-Modified times, as in production), on an ephemeral loopback port.
 */
final class Relay implements AutoCloseable {

    private static final Pattern SUBSCRIBERS = Pattern.compile("\"subscribers\": (\\d+)");

    private final ServerProcess server;

    private Relay(ServerProcess server) {
        this.server = server;
    }

    static Relay start(String conf) {
        try {
            return new Relay(ServerProcess.start(conf));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The deployment of conf/pushrelay.conf (seed article 002). */
    static Relay startDefault() {
        try {
            return start(Files.readString(ClientProcess.ROOT.resolve("conf/pushrelay.conf")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return server.port();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    RawResponse send(String request) throws IOException {
        return RawHttp.exchange(port(), request);
    }

    /**
     * Polls the channel info at {@code publisherTarget} until exactly {@code n} long-polls wait
     * (protocol.md §3.4): the clients are then parked and a publish reaches them, no sleeping.
     */
    void awaitSubscribers(String publisherTarget, int n) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String last = "";
        while (System.nanoTime() < deadline) {
            RawResponse r = send(RawHttp.get(publisherTarget, "Accept: text/json"));
            last = r.toString();
            if (r.status() == 200) {
                Matcher m = SUBSCRIBERS.matcher(r.text());
                if (m.find() && Integer.parseInt(m.group(1)) == n) return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        throw new AssertionError("never saw " + n + " subscribers on " + publisherTarget + "; last: " + last);
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
