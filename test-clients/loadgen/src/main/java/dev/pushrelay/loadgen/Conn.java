package dev.pushrelay.loadgen;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/** One non-blocking keep-alive HTTP/1.1 client connection, owned by a single {@link IoLoop}. */
final class Conn {
    /** Callbacks, always invoked on the owning loop's thread. */
    interface Handler {
        void onConnect(Conn c);

        void onResponse(Conn c, ResponseParser r, long nowNanos);

        /** The connection failed or was closed by the peer (not called for {@link #close()}). */
        void onClose(Conn c, String reason);
    }

    /** A connection that reads a stream instead of responses (EventSource, WebSocket). */
    interface RawReader {
        /** Bytes as they arrive, on the loop thread; the buffer is reused afterwards. */
        void onBytes(Conn c, ByteBuffer buf, long nowNanos);
    }

    final IoLoop loop;
    final Handler handler;
    final ResponseParser parser;
    /** Request buffer, filled by the handler and sent with {@link #flush()}. */
    final ByteBuffer out;
    /** Free slot for the handler (e.g. the time the current request was sent). */
    long sentAt;
    /** Free slot for the handler. */
    Object attachment;
    /** When set, read bytes go here and not to {@link #parser}. */
    RawReader raw;

    SocketChannel ch;
    SelectionKey key;
    boolean connected;
    boolean closed;
    boolean awaitingResponse;

    Conn(IoLoop loop, Handler handler, int outSize, int bodyKeep) {
        this.loop = loop;
        this.handler = handler;
        this.parser = new ResponseParser(bodyKeep);
        this.out = ByteBuffer.allocate(outSize);
    }

    /** Writes the bytes in {@code out} (from 0 to its position). Call on the loop thread. */
    void flush() {
        out.flip();
        awaitingResponse = true;
        try {
            ch.write(out);
        } catch (IOException e) {
            out.clear();
            loop.fail(this, "write: " + e.getMessage());
            return;
        }
        if (out.hasRemaining()) {
            key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        } else {
            out.clear();
        }
    }

    void onWritable() {
        try {
            ch.write(out);
        } catch (IOException e) {
            out.clear();
            loop.fail(this, "write: " + e.getMessage());
            return;
        }
        if (!out.hasRemaining()) {
            out.clear();
            key.interestOps(SelectionKey.OP_READ);
        }
    }

    /** Closes the connection without calling the handler. With {@code reset} the socket is reset (no TIME_WAIT). */
    void close(boolean reset) {
        if (closed) {
            return;
        }
        closed = true;
        loop.forget(this);
        if (ch != null) {
            try {
                if (reset && connected) {
                    ch.setOption(StandardSocketOptions.SO_LINGER, 0);
                }
            } catch (IOException ignored) {
                // best effort
            }
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }
}
