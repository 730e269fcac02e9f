package dev.pushrelay.server;

import dev.pushrelay.config.ListenAddress;
import dev.pushrelay.config.LocationSettings;
import dev.pushrelay.config.routing.Router;
import dev.pushrelay.config.ServerSettings;
import dev.pushrelay.config.Settings;
import dev.pushrelay.http.GracefulStop;
import dev.pushrelay.http.LeanService;
import dev.pushrelay.config.ConfiguredClientLimits;
import dev.pushrelay.http.ClientLimits;
import dev.pushrelay.http.PushHandler;
import dev.pushrelay.http.RequestsInFlight;
import dev.pushrelay.store.ChannelStore;
import dev.pushrelay.store.memory.InMemoryChannelStore;
import io.undertow.UndertowOptions;
import org.xnio.OptionMap;
import org.xnio.Options;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A running pushrelay: one HTTP listener per distinct listen address, one store, and one
 * scheduler thread that sweeps the store every second (expiry and channel GC, protocol.md
 * §5.6, §6.2), and under ZGC one more that asks for a collection when garbage is worth
 * returning ({@link HeapReturn}). IO threads match the cores; no push request ever needs a worker thread,
 * because bodies are read and long-polls are parked without blocking. The two worker
 * threads serve only static files (file-system calls block, protocol.md §8.6) and metrics
 * scrapes.
 *
 * <p>Lifecycle (README "Operating pushrelay: stop, reload, restart"): {@link #reload} swaps
 * the routing and keeps the store, so channels, messages and waiting subscribers survive;
 * {@link #stop} refuses new connections, answers waiting long-polls with 304 over the
 * shutdown window, lets requests in flight finish and saves the state file if one is
 * configured; {@link #close} just stops.
 */
public final class PushServer implements AutoCloseable {

    /** How often expired messages and idle channels are collected. */
    private static final long SWEEP_PERIOD_MS = 1000;
    /** How long a stop waits, after answering the long-polls, for requests still in flight. */
    private static final long FINISH_MS = 5000;

    private final ListeningSockets sockets;
    private final RequestsInFlight requests;
    private final GracefulStop drain;
    private final ChannelStore store;
    private final Brokers brokers;
    private final ScheduledExecutorService sweeper;
    private final HeapReturn heapReturn;
    private final AtomicReference<Router> router;
    private final Telemetry telemetry;
    private final Clock clock;
    private final List<String> startNotes;
    private volatile Settings settings;
    /** The defaults the configuration's client_* directives override (protocol.md §9). */
    private final ClientLimits limits;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);

    private PushServer(ListeningSockets sockets, RequestsInFlight requests, GracefulStop drain, ChannelStore store,
                       Brokers brokers, ScheduledExecutorService sweeper, HeapReturn heapReturn, AtomicReference<Router> router,
                       Telemetry telemetry, Clock clock, List<String> startNotes, Settings settings, ClientLimits limits) {
        this.sockets = sockets;
        this.requests = requests;
        this.drain = drain;
        this.store = store;
        this.brokers = brokers;
        this.sweeper = sweeper;
        this.heapReturn = heapReturn;
        this.router = router;
        this.telemetry = telemetry;
        this.clock = clock;
        this.startNotes = List.copyOf(startNotes);
        this.settings = settings;
        this.limits = limits;
    }

    /**
     * Binds every listen address of {@code settings}, restores the state file if one is
     * configured, and starts serving.
     */
    public static PushServer start(Settings settings, Clock clock) {
        return start(settings, clock, ClientLimits.fromSystemProperties());
    }

    /** Like {@link #start(Settings, Clock)} with explicit limits for hostile clients (protocol.md §9). */
    public static PushServer start(Settings settings, Clock clock, ClientLimits limits) {
        return start(settings, clock, limits, new InMemoryChannelStore(clock, settings.maxReservedMemory()));
    }

    /**
     * Like {@link #start(Settings, Clock, ClientLimits)} with the in-memory store given:
     * locations without nchan_redis_* directives keep their channels there (protocol.md §13).
     */
    public static PushServer start(Settings settings, Clock clock, ClientLimits limits, ChannelStore store) {
        return start(settings, clock, limits, store, LeanSwitch.fromEnvironment());
    }

    /**
     * Like {@link #start(Settings, Clock, ClientLimits, ChannelStore)}, with the lean path
     * (protocol.md §12) on or off whatever {@code PUSHRELAY_LEAN} says.
     */
    public static PushServer start(Settings settings, Clock clock, ClientLimits limits, ChannelStore store, boolean lean) {
        AtomicReference<Router> router = new AtomicReference<>(new Router(settings));
        Brokers brokers = new Brokers(store, clock);
        List<String> notes = new ArrayList<>();
        Telemetry telemetry;
        try {
            notes.addAll(brokers.openAll(settings));
            telemetry = Telemetry.start(settings, store, clock, brokers::redisParked);
        } catch (RuntimeException e) {
            brokers.close();
            store.close();
            throw e;
        }
        GracefulStop drain = new GracefulStop(brokers::waiting);
        RequestsInFlight requests = new RequestsInFlight(
                new PushHandler(router::get, store, brokers, telemetry.reporting(), drain));
        OptionMap serverOptions = serverOptions(settings, limits);
        OptionMap socketOptions = OptionMap.builder()
                .set(Options.BACKLOG, 4096)
                .set(Options.REUSE_ADDRESSES, true)
                .getMap();
        LeanService leanService = lean ? new LeanService(router::get, brokers, store, telemetry.reporting().metrics(), drain,
                requests) : null;
        ListeningSockets sockets = ListeningSockets.create(requests, settings.process().ioThreadCount(), serverOptions,
                socketOptions, leanService, System::nanoTime);
        try {
            for (ListenAddress listen : distinctListens(settings)) {
                sockets.bind(listen);
            }
        } catch (IOException | RuntimeException e) {
            sockets.shutdown();
            brokers.close();
            store.close();
            telemetry.close();
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
        }
        // Bound but not yet accepting: the state is back before the first request, and a
        // failed bind above has not consumed the state file.
        Path state = settings.process().statePath();
        if (state != null) {
            notes.add(StateKeeper.restore(store, state));
        }
        ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pushrelay-sweeper");
            t.setDaemon(true);
            return t;
        });
        sockets.resume();
        sweeper.scheduleWithFixedDelay(() -> sweep(store), SWEEP_PERIOD_MS, SWEEP_PERIOD_MS, TimeUnit.MILLISECONDS);
        return new PushServer(sockets, requests, drain, store, brokers, sweeper, HeapReturn.start(), router, telemetry, clock,
                notes, settings, limits);
    }

    /**
     * Undertow's options for every connection: keep-alive, and the limits on a request's head
     * (protocol.md §9), the defaults ({@code limits}) with what the configuration sets.
     */
    static OptionMap serverOptions(Settings settings, ClientLimits limits) {
        OptionMap.Builder b = OptionMap.builder()
                .set(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, false)
                .set(UndertowOptions.NO_REQUEST_TIMEOUT, idleKeepAliveMillis(settings))
                .set(UndertowOptions.ENABLE_HTTP2, false);
        limits.with(headDirectives(settings)).applyTo(b);
        return b.getMap();
    }

    /**
     * client_header_timeout and large_client_header_buffers govern reading a request's head,
     * before the Host header says which server it is for; nginx then uses the default server
     * of the address. pushrelay reads every head the same way, with the values of the first
     * server block (which inherits http's), protocol.md §12. client_body_timeout is not taken
     * from there: each location applies its own, so another server's locations keep theirs
     * (or the default) instead of the first server's.
     */
    static ConfiguredClientLimits headDirectives(Settings settings) {
        if (settings.servers().isEmpty() || settings.servers().get(0).serverLevel() == null) return ConfiguredClientLimits.UNSET;
        ConfiguredClientLimits first = settings.servers().get(0).serverLevel().client();
        return new ConfiguredClientLimits(first.headerTimeoutMs(), null, first.headerBufferCount(), first.headerBufferBytes());
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

    private static Set<ListenAddress> distinctListens(Settings settings) {
        Set<ListenAddress> out = new LinkedHashSet<>();
        for (ServerSettings server : settings.servers()) {
            for (ListenAddress l : server.listens()) {
                out.add(new ListenAddress(l.host(), l.port(), false));
            }
        }
        return out;
    }

    /** Report lines of the start-up ({@code "[level] text"}), e.g. what the state file restored. */
    public List<String> startNotes() {
        return startNotes;
    }

    /**
     * Applies a new configuration without losing anything (README "Operating pushrelay"):
     * new listen addresses are bound first (a failure changes nothing and throws), then the
     * routing is swapped, so new and changed locations take effect with the next request;
     * push_max_reserved_memory is applied to the store; removed addresses stop accepting,
     * their open connections stay. The store is kept: channels, buffered messages and
     * waiting long-polls survive. The state path and shutdown window in effect at stop are
     * the latest reloaded ones.
     *
     * @return report lines ({@code "[level] text"}) on what changed besides the locations
     * @throws IOException when a new address cannot be bound; the old configuration stays
     */
    public synchronized List<String> reload(Settings next) throws IOException {
        if (stopping.get()) throw new IllegalStateException("stopping");
        Settings previous = settings;
        Set<ListenAddress> have = sockets.listens();
        Set<ListenAddress> want = distinctListens(next);
        List<ListenAddress> added = new ArrayList<>();
        try {
            for (ListenAddress l : want) {
                if (!have.contains(l)) {
                    sockets.bind(l);
                    added.add(l);
                }
            }
        } catch (IOException | RuntimeException e) {
            for (ListenAddress l : added) sockets.close(l);
            throw e;
        }
        List<String> notes = new ArrayList<>(brokers.openAll(next)); // before the routing needs them
        router.set(new Router(next));
        // New connections get the new keepalive_timeout and client_* limits; open ones keep theirs.
        sockets.serverOptions(serverOptions(next, limits));
        sockets.resume();
        for (ListenAddress l : added) notes.add("[notice] now listening on " + l);
        for (ListenAddress l : have) {
            if (!want.contains(l)) {
                sockets.close(l);
                notes.add("[notice] no longer listening on " + l + " (open connections stay)");
            }
        }
        if (next.maxReservedMemory() != previous.maxReservedMemory()) {
            store.budget(next.maxReservedMemory());
            notes.add("[notice] push_max_reserved_memory " + previous.maxReservedMemory() + " -> "
                    + next.maxReservedMemory() + " bytes");
        }
        settings = next;
        return notes;
    }

    /**
     * Graceful stop: refuses new connections, answers every waiting long-poll with 304
     * spread over pushrelay_shutdown_window, lets requests in flight (publish bodies still
     * arriving) finish for up to {@value #FINISH_MS} ms, answers anything newer with 503,
     * saves the state file if configured, and releases everything. Idempotent: a second
     * caller waits for the first to finish.
     *
     * @return report lines ({@code "[level] text"})
     */
    public List<String> stop() {
        if (!stopping.compareAndSet(false, true)) {
            awaitStopped();
            return List.of();
        }
        List<String> notes = new ArrayList<>();
        try {
            Settings s = settings;
            sockets.closeAll();
            int answered = drain.begin(s.process().shutdownWindowMillis());
            requests.shutdown();
            boolean finished;
            try {
                finished = requests.awaitShutdown(FINISH_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                finished = false;
            }
            notes.add("[notice] answered " + answered + " waiting subscribers with 304 over "
                    + s.process().shutdownWindowMillis() + " ms");
            if (!finished) notes.add("[warn] requests still in flight after " + FINISH_MS + " ms were cut off");
            sweeper.shutdownNow();
            heapReturn.close();
            Path state = s.process().statePath();
            if (state != null) {
                notes.add(StateKeeper.save(store, state, clock.instant().getEpochSecond()));
            }
            brokers.close();
            store.close();
            sockets.shutdown();
            telemetry.close(); // last: the final requests' log lines are written
        } finally {
            stopped.countDown();
        }
        return notes;
    }

    private void awaitStopped() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Long-polls currently parked on this server. */
    public int parked() {
        return drain.parked();
    }

    /** The addresses actually bound (ports resolved when the configuration asked for 0). */
    public List<InetSocketAddress> addresses() {
        return sockets.addresses();
    }

    /** The first bound port. */
    public int port() {
        return addresses().get(0).getPort();
    }

    public ChannelStore store() {
        return store;
    }

    /** Closes and reopens the log files (after log rotation; nginx does this on SIGUSR1). */
    public void reopenLogs() {
        telemetry.reopenLogs();
    }

    /** Stops at once: connections are closed, nothing is answered or saved (see {@link #stop}). */
    @Override
    public void close() {
        if (!stopping.compareAndSet(false, true)) {
            awaitStopped();
            return;
        }
        try {
            sweeper.shutdownNow();
            heapReturn.close();
            sockets.shutdown();
            brokers.close();
            store.close();
            telemetry.close(); // after the sockets: the last requests' log lines are written
        } finally {
            stopped.countDown();
        }
    }
}
