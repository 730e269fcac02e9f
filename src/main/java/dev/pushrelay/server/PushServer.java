package dev.pushrelay.server;

import dev.pushrelay.config.Listen;
import dev.pushrelay.config.LocationSettings;
import dev.pushrelay.config.Router;
import dev.pushrelay.config.ServerSettings;
import dev.pushrelay.config.Settings;
import dev.pushrelay.http.PushHandler;
import dev.pushrelay.store.ChannelStore;
import dev.pushrelay.store.memory.InMemoryChannelStore;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import org.xnio.Options;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A running pushrelay: one Undertow server with a listener per distinct listen address,
 * one store, and one scheduler thread that sweeps the store every second (expiry and
 * channel GC, protocol.md §5.6, §6.2). IO threads match the cores; no push request ever
 * needs a worker thread, because bodies are read and long-polls are parked without
 * blocking. The two worker threads serve only static files (file-system calls block,
 * protocol.md §8.6).
 */
public final class PushServer implements AutoCloseable {

    /** How often expired messages and idle channels are collected. */
    private static final long SWEEP_PERIOD_MS = 1000;

    private final Undertow undertow;
    private final ChannelStore store;
    private final ScheduledExecutorService sweeper;
    private final AtomicReference<Router> router;

    private PushServer(Undertow undertow, ChannelStore store, ScheduledExecutorService sweeper, AtomicReference<Router> router) {
        this.undertow = undertow;
        this.store = store;
        this.sweeper = sweeper;
        this.router = router;
    }

    /** Binds every listen address of {@code settings} and starts serving. */
    public static PushServer start(Settings settings, Clock clock) {
        ChannelStore store = new InMemoryChannelStore(clock, settings.maxReservedMemory());
        AtomicReference<Router> router = new AtomicReference<>(new Router(settings));
        PushHandler handler = new PushHandler(router::get, store);
        int cores = Runtime.getRuntime().availableProcessors();
        Undertow.Builder builder = Undertow.builder()
                .setIoThreads(Math.max(1, cores))
                .setWorkerThreads(2)
                .setHandler(handler)
                .setSocketOption(Options.BACKLOG, 4096)
                .setSocketOption(Options.REUSE_ADDRESSES, true)
                .setServerOption(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, false)
                .setServerOption(UndertowOptions.MAX_HEADER_SIZE, 64 * 1024)
                .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, idleKeepAliveMillis(settings))
                .setServerOption(UndertowOptions.ENABLE_HTTP2, false);
        for (Listen listen : distinctListens(settings)) {
            builder.addHttpListener(listen.port(), listen.host());
        }
        Undertow undertow = builder.build();
        ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pushrelay-sweeper");
            t.setDaemon(true);
            return t;
        });
        try {
            undertow.start();
        } catch (RuntimeException e) {
            sweeper.shutdownNow();
            store.close();
            throw e;
        }
        sweeper.scheduleWithFixedDelay(() -> sweep(store), SWEEP_PERIOD_MS, SWEEP_PERIOD_MS, TimeUnit.MILLISECONDS);
        return new PushServer(undertow, store, sweeper, router);
    }

    private static void sweep(ChannelStore store) {
        try {
            store.sweep();
        } catch (RuntimeException e) {
            // A failed sweep must not cancel the schedule; the next one retries.
            java.util.logging.Logger.getLogger(PushServer.class.getName()).log(java.util.logging.Level.WARNING, "sweep failed", e);
        }
    }

    /**
     * keepalive_timeout for idle keep-alive connections (protocol.md §8.5). Undertow reads
     * this per listener when a connection opens, before any request says which location it
     * is for, so one value serves all: the largest non-zero keepalive_timeout of any
     * location (nginx's default 75 s when none sets one), so no connection is closed
     * earlier than nginx would have. A location with 0 closes after each response instead.
     */
    static int idleKeepAliveMillis(Settings settings) {
        long max = 0;
        for (ServerSettings server : settings.servers()) {
            for (LocationSettings l : server.locations()) {
                max = Math.max(max, l.keepaliveTimeoutSeconds());
            }
        }
        if (max == 0) max = LocationSettings.DEFAULT_KEEPALIVE_SECONDS;
        return (int) Math.min(Integer.MAX_VALUE, max * 1000);
    }

    private static Set<Listen> distinctListens(Settings settings) {
        Set<Listen> out = new LinkedHashSet<>();
        for (ServerSettings server : settings.servers()) {
            for (Listen l : server.listens()) {
                out.add(new Listen(l.host(), l.port(), false));
            }
        }
        return out;
    }

    /** The addresses actually bound (ports resolved when the configuration asked for 0). */
    public List<InetSocketAddress> addresses() {
        List<InetSocketAddress> out = new ArrayList<>();
        for (Undertow.ListenerInfo info : undertow.getListenerInfo()) {
            out.add((InetSocketAddress) info.getAddress());
        }
        return out;
    }

    /** The first bound port. */
    public int port() {
        return addresses().get(0).getPort();
    }

    public ChannelStore store() {
        return store;
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        undertow.stop();
        store.close();
    }
}
