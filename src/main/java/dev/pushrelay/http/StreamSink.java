package dev.pushrelay.http;

import io.undertow.server.AbstractServerConnection;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpServerConnection;
import io.undertow.util.Headers;
import org.xnio.ChannelListener;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.StreamSinkConduit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * The response side of a stream (protocol.md §14): writes without blocking, on the
 * exchange's IO thread only, and queues what the socket does not take at once. The queue
 * is bounded in bytes: a client that stops reading fills it and {@link #write} says so,
 * so a slow reader costs a bounded amount of memory, never a thread.
 *
 * <p>After {@link #direct()} on an HTTP/1.x connection, the body bypasses Undertow's response
 * conduits once the head is out: this class frames the chunks itself (or, for HTTP/1.0, writes
 * the close-delimited body as it is), so a chunk built once per message (§14.3) goes to every
 * stream in one write; only the last chunk is Undertow's, when the response ends.
 */
final class StreamSink implements ChannelListener<StreamSinkChannel> {

    private static final ByteBuffer CRLF = ByteBuffer.wrap("\r\n".getBytes(StandardCharsets.US_ASCII)).asReadOnlyBuffer();
    private static final ByteBuffer[] NONE = new ByteBuffer[0];

    private enum Mode { CONDUITS, CHUNKED, CLOSE_DELIMITED }

    private final HttpServerExchange exchange;
    private final long limit;
    private final Runnable onBroken;
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    private StreamSinkChannel channel;
    private Mode mode = Mode.CONDUITS;
    /** The socket under Undertow's response conduits, once {@link #direct} chose it. */
    private StreamSinkConduit wire;
    private boolean headOut;
    private long queued;
    private boolean ending;
    private boolean broken;

    /**
     * @param limit bytes that may wait for a slow client
     * @param onBroken runs once, on the IO thread, when a write fails (the client left)
     */
    StreamSink(HttpServerExchange exchange, long limit, Runnable onBroken) {
        this.exchange = exchange;
        this.limit = limit;
        this.onBroken = onBroken;
    }

    /**
     * Before the first write: frame the body here and write it under Undertow's conduits, when
     * the connection is plain HTTP/1.x (chunked when persistent HTTP/1.1, close-delimited for
     * HTTP/1.0); elsewhere nothing changes.
     */
    void direct() {
        if (!(exchange.getConnection() instanceof HttpServerConnection c) || channel != null) return;
        if (exchange.isHttp11() && exchange.isPersistent()) {
            exchange.getResponseHeaders().put(Headers.TRANSFER_ENCODING, Headers.CHUNKED.toString());
            mode = Mode.CHUNKED;
        } else if (!exchange.isHttp11()) {
            mode = Mode.CLOSE_DELIMITED;
        } else {
            return;
        }
        wire = ((AbstractServerConnection) c).getOriginalSinkConduit();
    }

    /** Whether {@link #writeChunk} takes chunks framed by the caller. */
    boolean chunked() {
        return mode == Mode.CHUNKED;
    }

    /** Queues {@code b} and writes what the socket takes. @return false when over the limit (nothing queued) */
    boolean write(ByteBuffer b) {
        if (mode != Mode.CHUNKED) return enqueue(b);
        if (!b.hasRemaining()) return true; // an empty chunk would end the response
        byte[] size = (Integer.toHexString(b.remaining()) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        if (!room(size.length + b.remaining() + 2)) return false;
        add(ByteBuffer.wrap(size));
        add(b);
        add(CRLF.duplicate());
        flush();
        return true;
    }

    /**
     * Writes a whole chunk, {@code <hex size>\r\n<data>\r\n} (RFC 9112 §7.1), and queues what
     * the socket does not take; only when {@link #chunked()}. {@code b} is this write's own view
     * of a chunk shared by every stream (§14.3): it is moved, and kept while queued.
     */
    boolean writeChunk(ByteBuffer b) {
        if (queue.isEmpty() && headOut && !broken && !ending) {
            // the usual case: nothing waiting, the chunk written at once without the queue
            try {
                wire.write(b);
                if (!b.hasRemaining()) {
                    if (!wire.flush()) waitForRoom();
                    return true;
                }
            } catch (IOException e) {
                broken = true;
                onBroken.run();
                return true;
            }
            queue.add(b);
            queued += b.remaining();
            waitForRoom();
            return true;
        }
        return enqueue(b);
    }

    private boolean enqueue(ByteBuffer b) {
        if (!room(b.remaining())) return false;
        add(b);
        flush();
        return true;
    }

    private boolean room(long n) {
        return broken || ending || queued == 0 || queued + n <= limit;
    }

    private void add(ByteBuffer b) {
        if (broken || ending) return;
        queue.add(b);
        queued += b.remaining();
    }

    /** Sends the response head now, without a byte of body (an empty chunk would end it). */
    void head() {
        flush();
    }

    /** Ends the response once everything queued is written. */
    void end() {
        if (ending) return;
        ending = true;
        if (broken) return;
        if (queue.isEmpty()) {
            exchange.endExchange();
        } else {
            flush();
        }
    }

    /** Drops what waits and closes the connection at once (the client is too slow, or gone). */
    void abort() {
        ending = true;
        queue.clear();
        queued = 0;
        exchange.setPersistent(false);
        org.xnio.IoUtils.safeClose(exchange.getConnection());
    }

    @Override
    public void handleEvent(StreamSinkChannel c) {
        flush();
    }

    private void flush() {
        if (broken) return;
        try {
            if (channel == null) channel = exchange.getResponseChannel();
            if (wire != null && !headOut) {
                // the head first, through Undertow's conduits; the body after it goes under them
                if (!channel.flush()) {
                    waitForRoom();
                    return;
                }
                headOut = true;
            }
            while (!queue.isEmpty()) {
                if (wire != null) {
                    queued -= wire.write(queue.toArray(NONE), 0, queue.size());
                    while (!queue.isEmpty() && !queue.peek().hasRemaining()) queue.poll();
                    if (!queue.isEmpty()) {
                        waitForRoom();
                        return;
                    }
                    continue;
                }
                ByteBuffer b = queue.peek();
                queued -= channel.write(b);
                if (b.hasRemaining()) {
                    waitForRoom();
                    return;
                }
                queue.poll();
            }
            if (wire != null ? !wire.flush() : !channel.flush()) {
                waitForRoom();
                return;
            }
            channel.suspendWrites();
            if (ending) exchange.endExchange();
        } catch (IOException e) {
            broken = true;
            queue.clear();
            queued = 0;
            onBroken.run();
        }
    }

    private void waitForRoom() {
        channel.getWriteSetter().set(this);
        channel.resumeWrites();
    }
}
