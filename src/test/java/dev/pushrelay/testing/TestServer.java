package dev.pushrelay.testing;

import dev.pushrelay.config.ConfLoader;
import dev.pushrelay.config.ListenAddress;
import dev.pushrelay.config.Settings;
import dev.pushrelay.config.syntax.ConfException;
import dev.pushrelay.server.ListenFlag;
import dev.pushrelay.server.PushServer;
import dev.pushrelay.store.StoreStats;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * A real pushrelay on an ephemeral loopback port, configured from a conf text, with a
 * clock the test moves by hand. Use in try-with-resources.
 */
public final class TestServer implements AutoCloseable {

    private final PushServer server;
    private final MutableClock clock;
    private final Path dir;
    private final boolean ownsDir;

    private TestServer(PushServer server, MutableClock clock, Path dir, boolean ownsDir) {
        this.server = server;
        this.clock = clock;
        this.dir = dir;
        this.ownsDir = ownsDir;
    }

    /**
     * Starts a server on the configuration file {@code conf} as it stands, its own
     * {@code listen} addresses included (a test that needs several picks them with
     * {@link Ports#free()}); its relative paths resolve against its directory, which the
     * caller owns: {@link #close()} leaves it.
     */
    public static TestServer startFile(Path conf) {
        try {
            MutableClock clock = new MutableClock(java.time.Instant.ofEpochSecond(1_790_000_000L));
            return new TestServer(PushServer.start(ConfLoader.load(conf), clock), clock, conf.toAbsolutePath().getParent(), false);
        } catch (ConfException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Starts a server whose configuration file holds {@code conf}. */
    public static TestServer start(String conf) {
        return start(conf, dev.pushrelay.http.ClientLimits.NGINX);
    }

    /** Like {@link #start(String)} with explicit client limits (short timeouts for hostile-client tests). */
    public static TestServer start(String conf, dev.pushrelay.http.ClientLimits limits) {
        return start(conf, limits, null);
    }

    /**
     * Like {@link #start(String)} with the lean path (protocol.md §12) on or off, whatever
     * {@code PUSHRELAY_LEAN} says.
     */
    public static TestServer start(String conf, boolean lean) {
        return start(conf, dev.pushrelay.http.ClientLimits.NGINX, lean);
    }

    private static TestServer start(String conf, dev.pushrelay.http.ClientLimits limits, Boolean lean) {
        try {
            Path dir = Files.createTempDirectory("pushrelay-it");
            Path file = dir.resolve("pushrelay.conf");
            Files.writeString(file, conf);
            Settings settings = ListenFlag.apply(ConfLoader.load(file), new ListenAddress("127.0.0.1", 0, false));
            MutableClock clock = new MutableClock(java.time.Instant.ofEpochSecond(1_790_000_000L));
            PushServer server = lean == null ? PushServer.start(settings, clock, limits)
                    : PushServer.start(settings, clock, limits,
                            new dev.pushrelay.store.memory.InMemoryChannelStore(clock, settings.maxReservedMemory()), lean);
            return new TestServer(server, clock, dir, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ConfException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    public int port() {
        return server.port();
    }

    public MutableClock clock() {
        return clock;
    }

    public PushServer server() {
        return server;
    }

    /** The directory of the configuration file. */
    public Path dir() {
        return dir;
    }

    /** One request on a fresh connection. */
    public RawResponse send(String request) throws IOException {
        return RawHttp.exchange(port(), request);
    }

    /** Opens a connection and sends a request without reading the response (a long-poll). */
    public RawHttp open(String request) throws IOException {
        RawHttp c = new RawHttp(port());
        c.send(request);
        return c;
    }

    /**
     * Polls the channel info at {@code publisherTarget} until exactly {@code n} long-poll
     * subscribers wait (protocol.md §3.4), so a test never sleeps to synchronise.
     */
    public void awaitSubscribers(String publisherTarget, int n) throws IOException {
        Subscribers.await(port(), publisherTarget, n, java.time.Duration.ofSeconds(15));
    }

    /** What the store holds right now: channels, messages, waiting subscribers. */
    public StoreStats stats() {
        return server.store().stats();
    }

    /**
     * Polls the store's counts until {@code condition} holds (15 s at most, then the test fails
     * naming {@code what}): for states the wire cannot show, such as "nothing held".
     */
    public void awaitStats(Predicate<StoreStats> condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.test(stats())) {
            if (System.nanoTime() > deadline) throw new AssertionError("never " + what + ": " + stats());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    /** {@link RawSocket#sendAndRead} on this server: any bytes, read until the server closes. */
    public RawSocket.Result sendAndRead(byte[] request) throws IOException {
        return RawSocket.sendAndRead(port(), request);
    }

    /** {@link #sendAndRead(byte[])} of a request written as text (ISO-8859-1, byte for char). */
    public RawSocket.Result sendAndRead(String request) throws IOException {
        return sendAndRead(request.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Override
    public void close() {
        server.close();
        if (!ownsDir) return;
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
