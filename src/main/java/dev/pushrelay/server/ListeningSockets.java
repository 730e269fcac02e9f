package dev.pushrelay.server;

import dev.pushrelay.config.ListenAddress;
import dev.pushrelay.http.ClientLimits;
import dev.pushrelay.http.LeanService;
import dev.pushrelay.lean.LeanLimits;
import dev.pushrelay.lean.LeanPath;
import dev.pushrelay.wire.AcceptPacer;
import dev.pushrelay.wire.IoThreadAccept;
import dev.pushrelay.wire.ResponseHeads;
import dev.pushrelay.wire.SelectedKeys;
import dev.pushrelay.wire.StrictSourceConduit;
import io.undertow.UndertowOptions;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.HttpHandler;
import io.undertow.server.protocol.http.HttpOpenListener;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.conduits.StreamSourceConduit;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The listening sockets, held by address, over one XNIO worker and one Undertow HTTP open
 * listener: what {@code Undertow.start()} builds, minus its all-or-nothing lifecycle. Owning
 * the accepting channels lets a reload bind and close addresses while every connection
 * stays open, and lets a graceful stop refuse new connections while it answers the ones it
 * has (README "Operating pushrelay"); Undertow itself can only stop everything at once.
 */
final class ListeningSockets {

    private final XnioWorker worker;
    private final DefaultByteBufferPool buffers;
    /** XNIO's accept thread's listener: only where {@link IoThreadAccept} cannot be built. */
    private final ChannelListener<AcceptingChannel<StreamConnection>> accept;
    /** Opens a connection just accepted, on its IO thread (the lean path's or Undertow's). */
    private final Consumer<StreamConnection> opener;
    private final HttpOpenListener open;
    private final AcceptPacer pacer;
    private final OptionMap socketOptions;
    private final Map<ListenAddress, AcceptingChannel<StreamConnection>> bound = new LinkedHashMap<>();

    /** The head limits new connections are checked with (protocol.md §9); a reload replaces them. */
    private volatile OptionMap headLimits;
    /** The same for the lean path's connections, shared by all of them. */
    private volatile LeanLimits leanLimits;

    private ListeningSockets(XnioWorker worker, DefaultByteBufferPool buffers, HttpOpenListener open, OptionMap socketOptions,
                      OptionMap serverOptions, LeanService lean, LongSupplier nanos) {
        this.worker = worker;
        this.buffers = buffers;
        this.open = open;
        this.headLimits = serverOptions;
        this.leanLimits = leanLimits(serverOptions);
        this.socketOptions = socketOptions;
        if (lean == null) {
            this.opener = this::strict;
        } else {
            LeanPath path = LeanPath.create(lean, this::handOff, () -> leanLimits, nanos);
            this.opener = path::open;
        }
        this.pacer = new AcceptPacer(opener);
        this.accept = ChannelListeners.openListenerAdapter(pacer::accepted);
    }

    /**
     * Puts nginx's request parsing (protocol.md §9) between the socket and Undertow's parser
     * before Undertow sees the connection, and opens it.
     */
    private void strict(StreamConnection connection) {
        strict(connection, connection.getSourceChannel().getConduit(), headLimits);
        open.handleEvent(connection);
    }

    private static void strict(StreamConnection connection, StreamSourceConduit next, OptionMap limits) {
        connection.getSourceChannel().setConduit(new StrictSourceConduit(next, connection,
                limits.get(UndertowOptions.REQUEST_PARSE_TIMEOUT, (int) ClientLimits.NGINX.headerTimeoutMs()),
                limits.get(ClientLimits.LINE_BYTES, ClientLimits.NGINX.lineBytes()),
                limits.get(UndertowOptions.MAX_HEADER_SIZE, ClientLimits.NGINX.headerBytes()),
                limits.get(UndertowOptions.MAX_HEADERS, ClientLimits.NGINX.maxHeaders())));
    }

    /**
     * The lean path's hand-off (protocol.md §12): the connection is opened as it would have
     * been without the lean path, the wire checks over whatever the lean connection pushed
     * back and the socket, so that Undertow reads those bytes first and the checks see every byte.
     */
    private void handOff(StreamConnection connection) {
        strict(connection, connection.getSourceChannel().getConduit(), headLimits);
        open.handleEvent(connection);
    }

    private static LeanLimits leanLimits(OptionMap limits) {
        return LeanPath.limits(limits.get(ClientLimits.LINE_BYTES, ClientLimits.NGINX.lineBytes()),
                limits.get(UndertowOptions.MAX_HEADER_SIZE, ClientLimits.NGINX.headerBytes()),
                limits.get(UndertowOptions.MAX_HEADERS, ClientLimits.NGINX.maxHeaders()),
                limits.get(UndertowOptions.NO_REQUEST_TIMEOUT, -1));
    }

    /**
     * Starts the IO threads; nothing is bound yet.
     *
     * @param serverOptions Undertow's server options (timeouts, header limits)
     * @param lean the lean path's service (protocol.md §12), or null without the lean path
     * @param nanos a monotonic clock in nanoseconds (System::nanoTime): the lean connections' idle timeout
     */
    static ListeningSockets create(HttpHandler root, int ioThreads, OptionMap serverOptions, OptionMap extraSocketOptions,
                                   LeanService lean, LongSupplier nanos) {
        Xnio xnio = Xnio.getInstance(ListeningSockets.class.getClassLoader());
        XnioWorker worker;
        try {
            worker = xnio.createWorker(OptionMap.builder()
                    .set(Options.WORKER_IO_THREADS, ioThreads)
                    .set(Options.CONNECTION_HIGH_WATER, 1_000_000)
                    .set(Options.CONNECTION_LOW_WATER, 1_000_000)
                    .set(Options.WORKER_TASK_CORE_THREADS, 2)
                    .set(Options.WORKER_TASK_MAX_THREADS, 2)
                    .set(Options.TCP_NODELAY, true)
                    .set(Options.CORK, true)
                    .getMap());
        } catch (IOException e) {
            throw new IllegalStateException("cannot start IO threads: " + e.getMessage(), e);
        }
        SelectedKeys.install(worker);
        OptionMap.Builder socket = OptionMap.builder()
                .set(Options.WORKER_IO_THREADS, worker.getIoThreadCount())
                .set(Options.TCP_NODELAY, true)
                .set(Options.REUSE_ADDRESSES, true)
                .addAll(extraSocketOptions);
        // IO threads take turns accepting (XNIO needs fewer tokens than threads)
        if (worker.getIoThreadCount() > 1) {
            socket.set(Options.BALANCING_TOKENS, 1).set(Options.BALANCING_CONNECTIONS, 2);
        }
        // Undertow's defaults for a heap above 128 MB: 16 KB direct buffers.
        DefaultByteBufferPool buffers = new DefaultByteBufferPool(true, 16 * 1024 - 20, -1, 4);
        HttpOpenListener open = new HttpOpenListener(buffers, httpOptions(serverOptions));
        // nginx's status line is HTTP/1.1 for every request (protocol.md §12)
        open.setRootHandler(exchange -> {
            ResponseHeads.nginxStatusLine(exchange);
            root.handleRequest(exchange);
        });
        return new ListeningSockets(worker, buffers, open, socket.getMap(), serverOptions, lean, nanos);
    }

    /** Undertow's options for connections accepted from now on (a reload); open ones keep theirs. */
    void serverOptions(OptionMap serverOptions) {
        open.setUndertowOptions(httpOptions(serverOptions));
        headLimits = serverOptions;
        leanLimits = leanLimits(serverOptions);
    }

    /** Undertow's builder defaults that matter here, then ours (which may override them). */
    private static OptionMap httpOptions(OptionMap serverOptions) {
        return OptionMap.builder()
                .set(UndertowOptions.BUFFER_PIPELINED_DATA, true)
                .addAll(serverOptions)
                .getMap();
    }

    /**
     * Binds {@code listen} without accepting yet (see {@link #resume}); a no-op if bound.
     *
     * @throws IOException when the address cannot be bound (in use, not local, no permission)
     */
    synchronized void bind(ListenAddress listen) throws IOException {
        if (bound.containsKey(listen)) return;
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(listen.host()), listen.port());
        try {
            AcceptingChannel<StreamConnection> server = IoThreadAccept.bind(worker, address, socketOptions, opener);
            if (server == null) server = worker.createStreamConnectionServer(address, accept, socketOptions);
            bound.put(listen, server);
        } catch (IOException e) {
            throw new IOException("cannot listen on " + listen + ": " + e.getMessage(), e);
        }
    }

    /** Starts accepting on every bound address. */
    synchronized void resume() {
        for (AcceptingChannel<StreamConnection> c : bound.values()) c.resumeAccepts();
    }

    /** Closes the listening socket of {@code listen}; its open connections stay. */
    synchronized void close(ListenAddress listen) {
        AcceptingChannel<StreamConnection> c = bound.remove(listen);
        if (c != null) IoUtils.safeClose(c);
    }

    /** Closes every listening socket: new connections are refused, open ones stay. */
    synchronized void closeAll() {
        for (AcceptingChannel<StreamConnection> c : bound.values()) IoUtils.safeClose(c);
        bound.clear();
    }

    synchronized Set<ListenAddress> listens() {
        return Set.copyOf(bound.keySet());
    }

    /** The bound addresses, ports resolved, in binding order. */
    synchronized List<InetSocketAddress> addresses() {
        List<InetSocketAddress> out = new ArrayList<>();
        for (AcceptingChannel<StreamConnection> c : bound.values()) {
            out.add(c.getLocalAddress(InetSocketAddress.class));
        }
        return out;
    }

    /** Closes the listening sockets, then every connection, and stops the IO threads. */
    void shutdown() {
        closeAll();
        worker.shutdownNow();
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        buffers.close();
    }
}
