package dev.pushrelay.http;

import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.AbstractServerConnection;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import io.undertow.util.AttachmentKey;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.conduits.ConduitStreamSourceChannel;
import org.xnio.conduits.StreamSourceConduit;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Notices a client that goes away while its long-poll waits, so the wait is released at
 * once (protocol.md §4.3) instead of when the next message would have been written.
 *
 * <p>One watch per connection, attached on first use, with one close listener, so a
 * keep-alive connection that long-polls a million times registers one listener, not a
 * million. Undertow suspends reads while a request is handled; we resume them on the raw
 * socket with our own listener: end-of-stream (a close or a half-close, as nginx treats it)
 * or an error (a reset) closes the connection, whose close listener ends the current wait.
 * If the client sends bytes instead (a pipelined request), they are appended to the
 * connection's extra bytes for Undertow to parse after this exchange, and we keep watching
 * behind them; only when that buffer is full do we stop reading (the client then waits like
 * any sender on a full socket). Undertow puts its own listener back when the exchange
 * completes. A request whose body is still unread is not watched: its bytes are the body's.
 */
final class DisconnectWatch implements ChannelListener<ConduitStreamSourceChannel> {

    private static final AttachmentKey<DisconnectWatch> KEY = AttachmentKey.create(DisconnectWatch.class);

    private final AbstractServerConnection connection;
    private final StreamSourceConduit socket;
    private volatile Runnable onClose;

    private DisconnectWatch(AbstractServerConnection connection) {
        this.connection = connection;
        this.socket = connection.getOriginalSourceConduit();
        connection.addCloseListener(c -> {
            Runnable r = onClose;
            onClose = null;
            if (r != null) r.run();
        });
    }

    /**
     * Runs {@code onClose} if the exchange's connection closes before {@link #clear}; must
     * be called on the exchange's IO thread.
     */
    static void watch(HttpServerExchange exchange, Runnable onClose) {
        ServerConnection c = exchange.getConnection();
        if (!(c instanceof AbstractServerConnection conn)) {
            c.addCloseListener(x -> onClose.run());
            return;
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
            onClose.run();
            return;
        }
        if (exchange.isRequestComplete()) {
            conn.getChannel().getSourceChannel().getReadSetter().set(watch);
            watch.socket.resumeReads();
        }
    }

    /** The wait ended: forget its close action. */
    static void clear(HttpServerExchange exchange) {
        DisconnectWatch watch = exchange.getConnection().getAttachment(KEY);
        if (watch != null) watch.onClose = null;
    }

    @Override
    public void handleEvent(ConduitStreamSourceChannel channel) {
        PooledByteBuffer extra = connection.getExtraBytes();
        try {
            int n = extra == null ? readFresh() : append(extra.getBuffer());
            if (n < 0) {
                socket.suspendReads();
                IoUtils.safeClose(connection);
            }
        } catch (IOException e) {
            socket.suspendReads();
            IoUtils.safeClose(connection);
        }
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
