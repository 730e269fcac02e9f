package dev.pushrelay.it.clients;

import dev.pushrelay.testing.ChannelInfoJson;
import dev.pushrelay.testing.RawHttp;
import dev.pushrelay.testing.RawResponse;
import dev.pushrelay.testing.ServerProcess;
import dev.pushrelay.testing.Subscribers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real pushrelay for the real clients: its own process (the real Main on this test's
 * classpath) with the real clock, so the clients see real Last-Modified times as in
 * production, on an ephemeral loopback port.
 */
final class Relay implements AutoCloseable {

    private final ServerProcess server;
    private final int port;

    private Relay(ServerProcess server) {
        this.server = server;
        this.port = server.port();
    }

    /** A server whose configuration file (under target/clients-it/) holds {@code conf}. */
    static Relay start(String conf) {
        try {
            Files.createDirectories(ClientProcess.OUT);
            Path file = Files.createTempFile(ClientProcess.OUT, "relay", ".conf");
            Files.writeString(file, conf);
            return startFile(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The deployment of conf/pushrelay.conf (seed article 002). */
    static Relay startDefault() {
        return startFile(ClientProcess.ROOT.resolve("conf/pushrelay.conf"));
    }

    /**
     * The seed deployment as module 0.691+ ran it: without its 0.68-era
     * {@code push_min_message_recipients 0;}, which keeps only the newest message
     * (protocol.md §5.5), so tests can walk a buffer of ten.
     */
    static Relay startTenDeep() {
        try {
            String conf = Files.readString(ClientProcess.ROOT.resolve("conf/pushrelay.conf"))
                    .replaceAll("(?m)^\\s*push_min_message_recipients.*$", "");
            return start(conf);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A server on the configuration file itself: its relative paths resolve against its directory. */
    static Relay startFile(Path conf) {
        try {
            Files.createDirectories(ClientProcess.OUT);
            return new Relay(ServerProcess.startFile(conf, Files.createTempFile(ClientProcess.OUT, "relay", ".err")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return port;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    RawResponse send(String request) throws IOException {
        return RawHttp.exchange(port, request);
    }

    /**
     * Polls the channel info at {@code publisherTarget} until exactly {@code n} long-polls wait
     * (protocol.md §3.4): the clients are then parked and a publish reaches them, no sleeping.
     */
    void awaitSubscribers(String publisherTarget, int n) throws IOException {
        Subscribers.await(port, publisherTarget, n, Duration.ofSeconds(20));
    }

    /**
     * Every message stored on {@code channel}, oldest first, walked with the cursor
     * (protocol.md §4.2) through /activity; the count comes from the channel info at /publish.
     * What the server holds: the truth the clients' output is compared with.
     */
    List<String> messages(String channel) throws IOException {
        int count = ChannelInfoJson.get(port, "/publish?id=" + channel)
                .orElseThrow(() -> new AssertionError("no channel " + channel)).messages();
        List<String> bodies = new java.util.ArrayList<>();
        String target = "/activity?id=" + channel;
        try (RawHttp c = new RawHttp(port)) {
            String request = RawHttp.get(target);
            while (bodies.size() < count) {
                c.send(request);
                RawResponse r = c.read();
                if (r.status() != 200) throw new AssertionError("walking " + channel + " after " + bodies + ": " + r);
                bodies.add(r.text());
                request = RawHttp.next(target, r);
            }
        }
        return bodies;
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
