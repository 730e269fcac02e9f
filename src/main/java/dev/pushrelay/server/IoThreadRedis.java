package dev.pushrelay.server;

import dev.pushrelay.store.BrokerUnavailableException;
import dev.pushrelay.store.redis.Resp;
import dev.pushrelay.store.redis.ThreadConnections;
import io.lettuce.core.RedisURI;
import org.xnio.ChannelListener;
import org.xnio.IoFuture;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;
import org.xnio.conduits.ConduitStreamSinkChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One Redis connection per Undertow IO thread, opened on and served by that thread
 * (protocol.md §13). A command is appended to the thread's output and written once per turn
 * of its event loop (commands of one turn share a write); replies are read and completed on
 * the same thread, so a request, its Redis command and the answer never change threads.
 *
 * <p>A connection that fails or leaves a command unanswered past the command timeout is
 * closed and its commands fail as unavailable (503); until it is open again (tried at most
 * once a second per thread), {@link #current} answers null and the broker uses its shared
 * client, which decides whether Redis is reachable.
 */
final class IoThreadRedis implements ThreadConnections {

    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final InetSocketAddress address;
    private final byte[][][] hello;
    private final long timeoutNanos;
    private final long connectTimeoutMs;
    /** How many of {@link #hello} must succeed (AUTH, SELECT); the name after them may be refused. */
    private final int required;
    private final LongSupplier nanos;
    /** One per IO thread, found by identity as IoMailboxes' are (asked on every command); copied on add. */
    private volatile Lane[] lanes = new Lane[0];
    private volatile boolean closed;
    private volatile byte[] listenChannel;
    private volatile java.util.function.Consumer<byte[]> listener;
    private volatile java.util.function.Consumer<Boolean> subscribed;
    /** The subscription on the first IO thread that asked for its connection, once listen() was called. */
    private volatile Listener subscription;

    /**
     * @param nanos a monotonic clock (System::nanoTime), injected for the command timeout
     */
    IoThreadRedis(String url, long connectTimeoutMs, long commandTimeoutMs, LongSupplier nanos) {
        RedisURI uri = RedisURI.create(url);
        this.address = new InetSocketAddress(uri.getHost(), uri.getPort());
        java.util.List<byte[][]> first = new java.util.ArrayList<>();
        char[] password = uri.getPassword();
        if (password != null && password.length > 0) {
            String user = uri.getUsername();
            first.add(user == null ? cmd("AUTH", new String(password)) : cmd("AUTH", user, new String(password)));
        }
        if (uri.getDatabase() != 0) first.add(cmd("SELECT", Integer.toString(uri.getDatabase())));
        this.required = first.size();
        first.add(cmd("CLIENT", "SETNAME", "pushrelay-io"));
        this.hello = first.toArray(new byte[0][][]);
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(commandTimeoutMs);
        this.connectTimeoutMs = connectTimeoutMs;
        this.nanos = nanos;
    }

    private static byte[][] cmd(String... words) {
        byte[][] out = new byte[words.length][];
        for (int i = 0; i < words.length; i++) out[i] = words[i].getBytes(StandardCharsets.UTF_8);
        return out;
    }

    @Override
    public void listen(byte[] channel, java.util.function.Consumer<byte[]> onMessage,
                       java.util.function.Consumer<Boolean> subscribed) {
        this.listenChannel = channel;
        this.subscribed = subscribed;
        this.listener = onMessage;
    }

    @Override
    public Connection current() {
        if (closed || !(Thread.currentThread() instanceof XnioIoThread io)) return null;
        if (listener != null) listening(io);
        Lane l = lane(io);
        if (l == null) {
            l = new Lane(io);
            addLane(l);
            l.open();
            return null;
        }
        if (l.ready) return l;
        if (l.mayOpen()) l.open();
        return null;
    }

    private Lane lane(XnioIoThread io) {
        for (Lane l : lanes) {
            if (l.io == io) return l;
        }
        return null;
    }

    /** Only the lane's own thread adds it (in {@link #current}); the lock orders threads adding theirs. */
    private synchronized void addLane(Lane l) {
        Lane[] all = java.util.Arrays.copyOf(lanes, lanes.length + 1);
        all[all.length - 1] = l;
        lanes = all;
    }

    /** Connects on {@code io}; a connection not made within the connect timeout is given up. */
    private IoFuture<StreamConnection> connect(XnioIoThread io, ChannelListener<StreamConnection> opened) {
        IoFuture<StreamConnection> f = io.openStreamConnection(address, opened, OptionMap.create(Options.TCP_NODELAY, true));
        io.executeAfter(() -> {
            if (f.getStatus() == IoFuture.Status.WAITING) f.cancel();
        }, connectTimeoutMs, TimeUnit.MILLISECONDS);
        return f;
    }

    /** Opens (or, a second after it failed, reopens) the subscription, on the thread that got it first. */
    private void listening(XnioIoThread io) {
        Listener s = subscription;
        if (s == null) {
            synchronized (this) {
                if (subscription == null) subscription = new Listener(io);
                s = subscription;
            }
        }
        if (s.io == io && s.mayOpen()) s.open();
    }

    @Override
    public void close() {
        closed = true;
        for (Lane l : lanes) onThread(l.io, () -> l.fail("closed"));
        Listener s = subscription;
        if (s != null) onThread(s.io, s::fail);
    }

    /** Runs {@code task} on {@code io}, or here when that thread has already stopped (server stop). */
    private static void onThread(XnioIoThread io, Runnable task) {
        try {
            io.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            task.run();
        }
    }

    /**
     * A connection of one IO thread to Redis, opened and read on that thread (every field is
     * used there only); a second after it failed it may be opened again.
     */
    private abstract class Link {
        final XnioIoThread io;
        StreamConnection connection;
        boolean opening;
        long failedAt = Long.MIN_VALUE / 2;
        Resp.Reader in = new Resp.Reader();

        Link(XnioIoThread io) {
            this.io = io;
        }

        /** Not connected, not connecting, and the last failure a retry interval ago. */
        boolean mayOpen() {
            return connection == null && !opening && nanos.getAsLong() - failedAt > RETRY_NANOS;
        }

        void open() {
            opening = true;
            IoFuture<StreamConnection> f = connect(io, this::opened);
            f.addNotifier((future, link) -> {
                if (future.getStatus() != IoFuture.Status.DONE) io.execute(() -> {
                    opening = false;
                    failedAt = nanos.getAsLong();
                });
            }, this);
        }

        private void opened(StreamConnection c) {
            opening = false;
            if (closed || c.getIoThread() != io) { // not ours to serve: the shared client stays in use
                IoUtils.safeClose(c);
                failedAt = nanos.getAsLong();
                return;
            }
            connection = c;
            ConduitStreamSourceChannel source = c.getSourceChannel();
            source.getReadSetter().set((ChannelListener<ConduitStreamSourceChannel>) ch -> read());
            source.resumeReads();
            c.getCloseSetter().set((ChannelListener<StreamConnection>) x -> closedByPeer());
            greet(c);
        }

        /** Once connected, on this thread: the first commands. */
        abstract void greet(StreamConnection c);

        abstract void read();

        abstract void closedByPeer();
    }

    /** The SUBSCRIBE connection for the announcements. */
    private final class Listener extends Link {
        /** Redis confirmed the SUBSCRIBE on the current connection (reported to the broker). */
        boolean confirmed;

        Listener(XnioIoThread io) {
            super(io);
        }

        @Override
        void closedByPeer() {
            fail();
        }

        @Override
        void greet(StreamConnection c) {
            ByteBuffer out = ByteBuffer.allocate(256);
            for (byte[][] h : hello) out = Resp.encode(out, h);
            out = Resp.encode(out, "SUBSCRIBE".getBytes(StandardCharsets.US_ASCII), listenChannel);
            out.flip();
            try {
                while (out.hasRemaining()) {
                    if (c.getSinkChannel().write(out) == 0) throw new IOException("socket buffer full at start");
                }
            } catch (IOException e) {
                fail();
            }
        }

        @Override
        void read() {
            StreamConnection c = connection;
            if (c == null) return;
            try {
                while (true) {
                    ByteBuffer space = in.space();
                    int n = c.getSourceChannel().read(space);
                    if (n < 0) {
                        fail();
                        return;
                    }
                    if (n == 0) return;
                    in.filled(n);
                    for (Object r = in.next(); r != Resp.Reader.INCOMPLETE; r = in.next()) {
                        // an error (a refused AUTH or name) is left alone: the shared subscription is the one relied on
                        if (r instanceof java.util.List<?> l && l.size() == 3 && l.get(0) instanceof byte[] kind) {
                            if (java.util.Arrays.equals(kind, MESSAGE) && l.get(2) instanceof byte[] payload) {
                                listener.accept(payload);
                            } else if (java.util.Arrays.equals(kind, SUBSCRIBE) && !confirmed) {
                                confirmed = true;
                                subscribed.accept(true);
                            }
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                fail();
            }
        }

        void fail() {
            StreamConnection c = connection;
            connection = null;
            failedAt = nanos.getAsLong();
            in = new Resp.Reader();
            if (c != null) IoUtils.safeClose(c);
            if (confirmed) {
                confirmed = false;
                subscribed.accept(false);
            }
        }
    }

    private static final byte[] MESSAGE = "message".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SUBSCRIBE = "subscribe".getBytes(StandardCharsets.US_ASCII);

    /** A command sent and waiting for its reply. */
    private record Waiting(CompletableFuture<Object> reply, long sentAt) { }

    /** The connection of one IO thread; every field is used on that thread only. */
    private final class Lane extends Link implements Connection {
        boolean ready;
        ByteBuffer out = ByteBuffer.allocate(8192);
        final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
        boolean flushQueued;
        XnioExecutor.Key timer;
        final Runnable flush = this::flush;

        Lane(XnioIoThread io) {
            super(io);
        }

        @Override
        void closedByPeer() {
            fail("connection closed");
        }

        /** Greets (AUTH, SELECT, a name), then takes commands. */
        @Override
        void greet(StreamConnection c) {
            for (int i = 0; i < hello.length; i++) {
                CompletableFuture<Object> r = new CompletableFuture<>();
                if (i < required) r.whenComplete((v, e) -> {
                    if (e != null && connection == c) fail("redis refused the greeting: " + e.getMessage());
                });
                send(r, hello[i]);
            }
            ready = true;
        }

        @Override
        public void send(CompletableFuture<Object> reply, byte[]... command) {
            if (connection == null) {
                reply.completeExceptionally(new BrokerUnavailableException("redis connection closed", null));
                return;
            }
            out = Resp.encode(out, command);
            waiting.add(new Waiting(reply, nanos.getAsLong()));
            if (!flushQueued) {
                flushQueued = true;
                io.execute(flush); // after this turn's other requests: one write for all of them
            }
            if (timer == null) timer = io.executeAfter(this::checkTimeout, timeoutNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void afterTurn(Runnable task) {
            io.execute(task);
        }

        private void flush() {
            flushQueued = false;
            StreamConnection c = connection;
            if (c == null) return;
            ConduitStreamSinkChannel sink = c.getSinkChannel();
            out.flip();
            try {
                while (out.hasRemaining()) {
                    if (sink.write(out) == 0) break;
                }
            } catch (IOException e) {
                out.clear();
                fail("redis write failed: " + e.getMessage());
                return;
            }
            out.compact();
            if (out.position() > 0) {
                sink.getWriteSetter().set((ChannelListener<ConduitStreamSinkChannel>) s -> {
                    s.suspendWrites();
                    flush();
                });
                sink.resumeWrites();
            }
        }

        @Override
        void read() {
            StreamConnection c = connection;
            if (c == null) return;
            ConduitStreamSourceChannel source = c.getSourceChannel();
            try {
                while (true) {
                    ByteBuffer space = in.space();
                    int n = source.read(space);
                    if (n < 0) {
                        fail("redis closed the connection");
                        return;
                    }
                    if (n == 0) return;
                    in.filled(n);
                    for (Object r = in.next(); r != Resp.Reader.INCOMPLETE; r = in.next()) {
                        Waiting w = waiting.poll();
                        if (w == null) {
                            fail("a reply nobody asked for");
                            return;
                        }
                        if (r instanceof Throwable t) w.reply().completeExceptionally(t);
                        else w.reply().complete(r);
                        if (connection != c) return; // a callback failed it meanwhile
                    }
                }
            } catch (IOException | RuntimeException e) {
                fail("redis read failed: " + e.getMessage());
            }
        }

        /** The oldest command unanswered past the timeout: the connection is stuck or gone. */
        private void checkTimeout() {
            timer = null;
            Waiting oldest = waiting.peek();
            if (oldest == null) return;
            long late = nanos.getAsLong() - oldest.sentAt();
            if (late >= timeoutNanos) {
                fail("redis command timed out");
            } else {
                timer = io.executeAfter(this::checkTimeout, timeoutNanos - late, TimeUnit.NANOSECONDS);
            }
        }

        /** Closes the connection and fails every command in flight: their replies may never come. */
        void fail(String why) {
            StreamConnection c = connection;
            connection = null;
            ready = false;
            failedAt = nanos.getAsLong();
            if (timer != null) {
                timer.remove();
                timer = null;
            }
            out.clear();
            in = new Resp.Reader(); // what is left of the old connection's replies is nobody's
            if (c != null) IoUtils.safeClose(c);
            BrokerUnavailableException e = new BrokerUnavailableException(why, null);
            for (Waiting w; (w = waiting.poll()) != null; ) w.reply().completeExceptionally(e);
        }
    }
}
