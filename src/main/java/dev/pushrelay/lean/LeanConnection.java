package dev.pushrelay.lean;

import dev.pushrelay.http.LeanExchange;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;
import org.xnio.conduits.ConduitStreamSinkChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;
import org.xnio.conduits.PushBackStreamSourceConduit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One connection on the lean path (protocol.md §12): its own read listener parses each
 * request head ({@link HeadParser}); a request the lean service takes is answered with
 * pre-encoded bytes in one gathering write, and the connection goes on with the next
 * request (keep-alive, pipelining) or closes. At the first request it does not take, before
 * anything of that request is answered, it hands the connection to Undertow with every byte
 * read so far, for good. Confined to its IO thread, as Undertow's connections are.
 *
 * <p>States: {@link #READING} between requests; {@link #SERVING} while the service handles
 * a request (reads suspended); {@link #AWAITING} while a long-poll is parked (reads resumed
 * to notice the client leaving, as http/DisconnectWatch; pipelined bytes are kept for
 * later); {@link #WRITING} while an answer waits for the socket; {@link #GONE} once closed or
 * handed off.
 */
final class LeanConnection implements LeanExchange, ChannelListener<Channel> {

    private static final Logger LOG = Logger.getLogger(LeanConnection.class.getName());
    private static final int READING = 0;
    private static final int SERVING = 1;
    private static final int AWAITING = 2;
    private static final int WRITING = 3;
    private static final int GONE = 4;
    private static final byte[] NO_BODY = new byte[0];

    private final LeanPath path;
    private final StreamConnection connection;
    private final LeanLimits limits;
    private int state = READING;
    private boolean driving;
    /** Bytes read and not consumed yet (pipelined requests), or null. */
    private byte[] pending;
    /** The request being served; dropped while it is parked (only its framing is kept). */
    private LeanHead head;
    private boolean http10;
    private boolean keepAlive;
    /** The request's body, an array read for it alone (a publish stores it as it is). */
    private byte[] body = NO_BODY;
    private BooleanSupplier onGone;
    private ByteBuffer[] unwritten;
    private boolean persistentAfterWrite;
    private XnioExecutor.Key idleTimer;
    /** When the connection last became idle between requests (the path's clock, nanoseconds). */
    private long idleSince;
    /** The listening address it was accepted on, looked up once (routing asks at every request). */
    private InetSocketAddress local;

    LeanConnection(LeanPath path, StreamConnection connection, LeanLimits limits) {
        this.path = path;
        this.connection = connection;
        this.limits = limits;
    }

    void start() {
        source().getReadSetter().set(this);
        drive();
    }

    private ConduitStreamSourceChannel source() {
        return connection.getSourceChannel();
    }

    private ConduitStreamSinkChannel sink() {
        return connection.getSinkChannel();
    }

    @Override
    public void handleEvent(Channel channel) {
        if (channel == sink()) {
            writable();
            return;
        }
        switch (state) {
            case READING -> drive();
            case AWAITING -> watch();
            default -> source().suspendReads();
        }
    }

    /** Reads and takes requests while they are answered at once; stops when one waits, or for more bytes. */
    private void drive() {
        if (driving) return;
        driving = true;
        try {
            while (state == READING && next()) {
                // answered at once and persistent: the next request, if its bytes are here
            }
        } finally {
            driving = false;
        }
    }

    /**
     * One request: the pending bytes and what the socket has, parsed and served or handed off.
     *
     * @return true to look for another request at once (pending bytes are left)
     */
    private boolean next() {
        ByteBuffer buf = path.scratch();
        if (pending != null) {
            buf.put(pending);
            pending = null;
        }
        int n;
        try {
            n = buf.hasRemaining() ? source().read(buf) : 0;
        } catch (IOException reset) {
            if (buf.position() > 0) {
                close();
            } else {
                departed();
            }
            return false;
        }
        int have = buf.position();
        buf.flip();
        if (n < 0 && have == 0) { // the client closed between requests
            departed();
            return false;
        }
        if (have == 0) {
            // nothing sent yet: wait, closing after keepalive_timeout as Undertow's
            // NO_REQUEST_TIMEOUT does (a head begun and stalled goes to Undertow's header timeout)
            idle();
            return false;
        }
        LeanHead h = n < 0 ? HeadParser.NOT_MINE : HeadParser.parse(buf, 0, have, limits.maxHead(), limits.maxHeaders());
        if (h == null || h == HeadParser.NOT_MINE) {
            handOff(buf);
            return false;
        }
        long declared = h.contentLength;
        long used = h.length + Math.max(0, declared);
        if (used > have) { // a body not all here yet: Undertow reads it (and its timeouts)
            handOff(buf);
            return false;
        }
        int end = (int) used;
        if (declared > 0) {
            byte[] b = new byte[(int) declared];
            buf.get(h.length, b);
            body = b;
        } else {
            body = NO_BODY;
        }
        if (end < have) {
            byte[] rest = new byte[have - end];
            buf.get(end, rest);
            pending = rest;
        }
        head = h;
        http10 = h.http10;
        keepAlive = h.keepAlive;
        state = SERVING;
        boolean taken;
        try {
            taken = path.service().serve(this);
        } catch (RuntimeException e) {
            // the store may have acted on the request: never handed to Undertow to run again
            LOG.log(Level.SEVERE, "lean request " + h.method + " " + h.target + " failed", e);
            close();
            return false;
        }
        if (!taken) {
            state = READING;
            pending = null;
            head = null;
            body = NO_BODY;
            buf.position(0).limit(have);
            handOff(buf);
            return false;
        }
        if (state == SERVING) { // answered by a write still in progress, or parked
            return false;
        }
        return state == READING && pending != null;
    }

    /** Between requests with nothing read: wait for the next, closing after keepalive_timeout. */
    private void idle() {
        idleSince = path.nanos();
        if (idleTimer == null && limits.idleMillis() > 0 && !armIdleCheck(limits.idleMillis())) return;
        source().resumeReads();
    }

    /** The idle timer is armed once per idle period, not per request: it re-arms for what is left. */
    private void idleCheck() {
        idleTimer = null;
        if (state != READING) return;
        long idleFor = TimeUnit.NANOSECONDS.toMillis(path.nanos() - idleSince);
        if (idleFor >= limits.idleMillis()) {
            close();
        } else {
            armIdleCheck(limits.idleMillis() - idleFor);
        }
    }

    /**
     * Arms the idle check; false, with the connection closed, when the IO thread is already
     * stopping (a server, or the warm-up's scratch server, closing under a request it was
     * answering): nothing will wait for a next request there, and XNIO refuses new timers.
     */
    private boolean armIdleCheck(long millis) {
        try {
            idleTimer = ioThread().executeAfter(this::idleCheck, millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (RejectedExecutionException e) {
            close();
            return false;
        }
    }

    /** Parked: the socket is read only to notice the client leaving; pipelined bytes are kept. */
    private void watch() {
        ByteBuffer buf = path.scratch();
        int room = LeanPath.BUFFER - (pending == null ? 0 : pending.length);
        if (room <= 0) {
            source().suspendReads(); // full: the rest stays in the socket until the answer
            return;
        }
        buf.limit(room);
        int n;
        try {
            n = source().read(buf);
        } catch (IOException e) {
            n = -1;
        }
        if (n < 0) {
            left();
            return;
        }
        if (n > 0) {
            buf.flip();
            int old = pending == null ? 0 : pending.length;
            byte[] more = pending == null ? new byte[n] : java.util.Arrays.copyOf(pending, old + n);
            buf.get(more, old, n);
            pending = more;
        }
    }

    /** The client left while its request waited: the wait ends, the socket closes off this thread. */
    private void left() {
        source().suspendReads();
        BooleanSupplier r = onGone;
        onGone = null;
        state = GONE;
        if (r == null || !r.getAsBoolean()) {
            IoUtils.safeClose(connection); // an answer may be on its way on this thread: close behind it
            return;
        }
        path.closeOffThread(connection);
    }

    @Override
    public void await(BooleanSupplier onGone) {
        if (state != SERVING) return;
        this.onGone = onGone;
        state = AWAITING;
        head = null; // its strings are not needed to answer: a parked poll keeps only its framing
        body = NO_BODY;
        if (!connection.isOpen()) {
            left();
            return;
        }
        source().resumeReads();
    }

    @Override
    public void answer(ByteBuffer[] parts, boolean persistent) {
        if (state == GONE) return;
        onGone = null;
        // A parked poll's reads (watching for the client leaving) stay resumed: when the answer
        // is written at once, idle() would resume them again on this same turn, and each
        // suspend/resume pair queued two interest updates for the selector to go through
        // (JFR, 1x10,000: 16% of the IO thread). They are suspended below only if the answer
        // must wait for the socket; a read event meanwhile suspends them (handleEvent).
        boolean watching = state == AWAITING;
        state = WRITING;
        head = null;
        body = NO_BODY;
        try {
            write(parts);
        } catch (IOException e) {
            close();
            return;
        }
        if (left(parts)) {
            if (watching) source().suspendReads();
            unwritten = rest(parts); // the parts may be the caller's scratch, reused once this returns
            persistentAfterWrite = persistent;
            sink().getWriteSetter().set(this);
            sink().resumeWrites();
            return;
        }
        written(persistent);
    }

    private void write(ByteBuffer[] parts) throws IOException {
        if (parts.length == 1) { // one pre-encoded answer: write(2), not writev(2)
            ByteBuffer b = parts[0];
            while (b.hasRemaining()) {
                if (sink().write(b) == 0) return;
            }
            return;
        }
        while (left(parts)) {
            if (sink().write(parts) == 0) return;
        }
    }

    /** What is left of {@code parts}, copied into one buffer of its own. */
    private static ByteBuffer[] rest(ByteBuffer[] parts) {
        int n = 0;
        for (ByteBuffer b : parts) n += b.remaining();
        ByteBuffer copy = ByteBuffer.allocate(n);
        for (ByteBuffer b : parts) copy.put(b);
        return new ByteBuffer[] {copy.flip()};
    }

    private static boolean left(ByteBuffer[] parts) {
        for (ByteBuffer b : parts) {
            if (b.hasRemaining()) return true;
        }
        return false;
    }

    private void writable() {
        ByteBuffer[] parts = unwritten;
        if (parts == null || state != WRITING) {
            sink().suspendWrites();
            return;
        }
        try {
            write(parts);
        } catch (IOException e) {
            close();
            return;
        }
        if (left(parts)) return;
        unwritten = null;
        sink().suspendWrites();
        written(persistentAfterWrite);
    }

    /** The answer is on the wire: close, or read the next request. */
    private void written(boolean persistent) {
        if (!persistent) {
            close();
            return;
        }
        state = READING;
        if (pending == null) {
            idle();
        } else if (!driving) {
            drive(); // an answer that waited (a parked poll, a slow socket): its pipelined requests now
        }
    }

    /**
     * The client left between requests: nothing of ours is in flight, so the socket is closed
     * off the IO thread, where many clients leaving at once would stall it (wire/OffThreadClose, wire/CloseBatch).
     */
    private void departed() {
        state = GONE;
        pending = null;
        source().suspendReads();
        path.closeOffThread(connection);
    }

    private void close() {
        state = GONE;
        pending = null;
        IoUtils.safeClose(connection);
    }

    /** Gives the connection to Undertow with {@code read} (read mode, may be null) as its first bytes. */
    private void handOff(ByteBuffer read) {
        state = GONE;
        source().suspendReads();
        source().getReadSetter().set(null);
        sink().getWriteSetter().set(null);
        if (read != null && read.hasRemaining()) {
            ByteBuffer copy = ByteBuffer.allocate(read.remaining());
            copy.put(read).flip();
            PushBackStreamSourceConduit back = new PushBackStreamSourceConduit(source().getConduit());
            back.pushBack(new PushedBack(copy));
            source().setConduit(back);
        }
        path.handOff().handOff(connection);
    }

    // The request, as the service sees it.

    @Override
    public XnioIoThread ioThread() {
        return connection.getIoThread();
    }

    @Override
    public boolean http10() {
        return http10;
    }

    @Override
    public boolean keepAlive() {
        return keepAlive;
    }

    @Override
    public long contentLength() {
        return head.contentLength;
    }

    @Override
    public byte[] body() {
        return body;
    }

    @Override
    public String uri() {
        return head.path;
    }

    @Override
    public String requestUri() {
        return head.target;
    }

    @Override
    public String args() {
        return head.args;
    }

    @Override
    public String header(String name) {
        return head.header(name);
    }

    @Override
    public InetSocketAddress localAddress() {
        InetSocketAddress a = local;
        if (a == null) {
            a = connection.getLocalAddress(InetSocketAddress.class);
            local = a;
        }
        return a;
    }

    @Override
    public String remoteAddr() {
        InetSocketAddress a = connection.getPeerAddress(InetSocketAddress.class);
        return a == null ? "" : a.getAddress().getHostAddress();
    }

    @Override
    public String method() {
        return head.method;
    }

    @Override
    public String protocol() {
        return head.http10 ? "HTTP/1.0" : "HTTP/1.1";
    }
}
