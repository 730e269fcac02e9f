package dev.pushrelay.http;

import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.AbstractServerConnection;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import io.undertow.util.AttachmentKey;
import org.xnio.ChannelListener;
import dev.pushrelay.wire.OffThreadClose;
import org.xnio.IoUtils;
import org.xnio.conduits.ConduitStreamSourceChannel;
import org.xnio.conduits.StreamSourceConduit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.BooleanSupplier;

/**
 * Notices a client that goes away while its long-poll waits, so the wait is released at
 * once (protocol.md §4.3) instead of when the next message would have been written.
 *
 * <p>One watch per connection, not per long-poll. Reads are resumed on the raw socket while
 * the request waits: end-of-stream (a close or a half-close, as nginx treats it) or a reset
 * ends the wait. Pipelined bytes are kept as the connection's extra bytes for Undertow to
 * parse next. A request whose body is still unread is not watched: its bytes are the body's.
 * The departed socket is closed from the worker pool: XNIO's close on the IO thread re-polls
 * every ready socket, which makes many clients leaving together quadratic (protocol.md §9).
 */
final class DisconnectWatch implements ChannelListener<ConduitStreamSourceChannel>, ServerConnection.CloseListener {

    private static final AttachmentKey<DisconnectWatch> KEY = AttachmentKey.create(DisconnectWatch.class);

    private final AbstractServerConnection connection;
    private final StreamSourceConduit socket;
    private volatile BooleanSupplier onClose;

    private DisconnectWatch(AbstractServerConnection connection) {
        this.connection = connection;
        this.socket = connection.getOriginalSourceConduit();
        // The watch is its own close listener: thousands wait at once, so no lambda each.
        connection.addCloseListener(this);
    }

    @Override
    public void closed(ServerConnection c) {
        BooleanSupplier r = onClose;
        onClose = null;
        if (r != null) r.getAsBoolean();
    }

    /**
     * Runs {@code onClose} if the exchange's connection closes before {@link #clear}; must
     * be called on the exchange's IO thread. {@code onClose} answers whether it ended the
     * wait (false: something else, a delivery, had already ended it).
     *
     * @return the connection's watch, for {@link #clear()}; null for a connection that is not
     *         watched this way
     */
    static DisconnectWatch watch(HttpServerExchange exchange, BooleanSupplier onClose) {
        ServerConnection c = exchange.getConnection();
        if (!(c instanceof AbstractServerConnection conn)) {
            c.addCloseListener(x -> onClose.getAsBoolean());
            return null;
        }
        DisconnectWatch watch = conn.getAttachment(KEY);
        if (watch == null) {
            watch = new DisconnectWatch(conn);
            conn.putAttachment(KEY, watch);
        }
        watch.onClose = onClose;
        if (!conn.isOpen()) {
            // Closed before we listened (a server stop): the close listener has already run.
            watch.onClose = null;
            onClose.getAsBoolean();
            return watch;
        }
        if (exchange.isRequestComplete()) {
            conn.getChannel().getSourceChannel().getReadSetter().set(watch);
            watch.socket.resumeReads();
        }
        return watch;
    }

    /** The wait ended: forget its close action. */
    static void clear(HttpServerExchange exchange) {
        DisconnectWatch watch = exchange.getConnection().getAttachment(KEY);
        if (watch != null) watch.onClose = null;
    }

    /** The wait ended: forget its close action (the watch {@link #watch} returned). */
    void clear() {
        onClose = null;
    }

    @Override
    public void handleEvent(ConduitStreamSourceChannel channel) {
        PooledByteBuffer extra = connection.getExtraBytes();
        try {
            int n = extra == null ? readFresh() : append(extra.getBuffer());
            if (n < 0) left();
        } catch (IOException e) {
            left();
        }
    }

    /** End of stream or a reset: release the wait now, close the socket off this thread. */
    private void left() {
        socket.suspendReads();
        BooleanSupplier r = onClose;
        onClose = null;
        if (r == null || !r.getAsBoolean()) {
            // The wait had already ended; a response may be on its way on this thread, so
            // the close stays here, behind it.
            IoUtils.safeClose(connection);
            return;
        }
        OffThreadClose.close(connection, connection.getWorker());
    }

    /** Reads into a new buffer that becomes the connection's extra bytes if anything came. */
    private int readFresh() throws IOException {
        PooledByteBuffer pooled = connection.getByteBufferPool().allocate();
        boolean keep = false;
        try {
            ByteBuffer buffer = pooled.getBuffer();
            int n = socket.read(buffer);
            if (n > 0) {
                buffer.flip();
                connection.setExtraBytes(pooled);
                keep = true;
                if (buffer.limit() == buffer.capacity()) socket.suspendReads(); // full, see append
            }
            return n;
        } finally {
            if (!keep) pooled.close();
        }
    }

    /** Appends behind pipelined bytes already kept (read mode before and after). */
    private int append(ByteBuffer buffer) throws IOException {
        buffer.compact();
        try {
            if (!buffer.hasRemaining()) {
                socket.suspendReads(); // full: leave the rest in the socket until Undertow reads
                return 0;
            }
            int n = socket.read(buffer);
            if (n > 0 && !buffer.hasRemaining()) socket.suspendReads();
            return n;
        } finally {
            buffer.flip();
        }
    }
}
