package dev.pushrelay.websocket;

import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.XnioExecutor;
import org.xnio.conduits.ConduitStreamSinkChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;
import org.xnio.conduits.StreamSinkConduit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * A subscriber's WebSocket after the 101 (protocol.md §14.6), on its connection's IO thread
 * only: frames go out as their shared header and payload buffers in one gathering write, with
 * no frame object of its own; what the socket does not take at once waits in a queue bounded
 * in bytes. Pings are answered, a close is answered and ends the connection, and our own close
 * waits a few seconds for the client's before the connection is closed anyway.
 */
public final class SubscriberSocket {

    /** How long a close we sent waits for the client's answer (RFC 6455 §7.1.1). */
    static final long CLOSE_WAIT_MS = 5_000;
    /** How long an ended socket waits, unwatched, before it is closed (see {@link #end}). */
    static final long CLOSE_DELAY_MS = 1_000;
    private static final ByteBuffer[] NONE = new ByteBuffer[0];
    private static final byte[] EMPTY = new byte[0];

    private final StreamConnection connection;
    private final ConduitStreamSinkChannel sink;
    private final ConduitStreamSourceChannel source;
    /** The sink's conduit, which nothing replaces after the 101. */
    private final StreamSinkConduit wire;
    private final PerMessageDeflate.Agreement deflate;
    private final long limit;
    private final Runnable onGone;
    private final FrameReader reader;
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>(4);
    private long queued;
    private boolean closeSent;
    private boolean closeReceived;
    private boolean gone;
    private boolean told;
    private XnioExecutor.Key closeTimer;

    /**
     * @param deflate what was agreed, or null: frames go uncompressed
     * @param limit bytes that may wait for a client that does not read
     * @param onGone runs once when the socket stops taking messages: a close sent or received,
     *               or the connection ended
     */
    public SubscriberSocket(StreamConnection connection, PerMessageDeflate.Agreement deflate, long limit, Runnable onGone) {
        this.connection = connection;
        this.sink = connection.getSinkChannel();
        this.source = connection.getSourceChannel();
        this.wire = sink.getConduit();
        this.deflate = deflate;
        this.limit = limit;
        this.onGone = onGone;
        this.reader = new FrameReader(deflate != null, new FrameReader.Listener() {
            @Override
            public void control(int opcode, byte[] payload) {
                controlFrame(opcode, payload);
            }

            @Override
            public void invalid(int code, String reason) {
                close(code, reason);
            }
        });
    }

    /** What was agreed for permessage-deflate, or null. */
    public PerMessageDeflate.Agreement deflate() {
        return deflate;
    }

    /** Starts reading the client's frames. */
    public void start() {
        source.getReadSetter().set(c -> read());
        sink.getWriteSetter().set((ChannelListener<ConduitStreamSinkChannel>) c -> flush());
        source.resumeReads();
        read(); // frames the client sent right after the handshake may be read already, waiting in a push-back buffer
    }

    /**
     * Queues a frame (its header and payload, both shared: the socket reads {@code duplicate()}s;
     * an empty payload when the header buffer holds the whole frame) and writes what the socket
     * takes.
     *
     * @return false when more than the limit would wait (nothing queued: the caller closes)
     */
    public boolean send(ByteBuffer header, ByteBuffer payload) {
        if (!payload.hasRemaining()) return sendWhole(header.duplicate());
        if (closeSent || gone) return true;
        long n = header.remaining() + (long) payload.remaining();
        if (queued > 0 && queued + n > limit) return false;
        queue.add(header.duplicate());
        queue.add(payload.duplicate());
        queued += n;
        flush();
        return true;
    }

    /**
     * Queues one whole frame and writes what the socket takes: {@code frame} is this socket's
     * own view of it (the caller's duplicate of a shared frame), which is moved and, when not
     * written whole, kept in the queue.
     *
     * @return false when more than the limit would wait (nothing queued: the caller closes)
     */
    public boolean sendWhole(ByteBuffer frame) {
        if (closeSent || gone) return true;
        long n = frame.remaining();
        if (queued > 0 && queued + n > limit) return false;
        if (queued == 0) {
            // the usual case: nothing waiting, the frame written at once, on the socket's
            // conduit itself (one object less to touch per delivery)
            try {
                wire.write(frame);
                if (!frame.hasRemaining()) {
                    if (!wire.flush()) sink.resumeWrites();
                    return true;
                }
            } catch (IOException e) {
                end();
                return true;
            }
            queue.add(frame);
            queued += frame.remaining();
            sink.resumeWrites();
            return true;
        }
        queue.add(frame);
        queued += n;
        flush();
        return true;
    }

    /** Bytes queued and not yet written. */
    public long unsent() {
        return queued;
    }

    public void ping() {
        if (!closeSent && !gone) enqueue(WsFrames.control(WsFrames.PING, EMPTY));
    }

    /** Sends a close frame after what is queued, then ends the connection once the client answers. */
    public void close(int code, String reason) {
        if (closeSent || gone) return;
        closeSent = true;
        stopped();
        enqueue(WsFrames.close(code, reason));
        if (!gone && !closeReceived) {
            closeTimer = connection.getIoThread().executeAfter(this::end, CLOSE_WAIT_MS, TimeUnit.MILLISECONDS);
        }
    }

    private void enqueue(ByteBuffer frame) {
        queue.add(frame);
        queued += frame.remaining();
        flush();
    }

    private void controlFrame(int opcode, byte[] payload) {
        switch (opcode) {
            case WsFrames.PING -> {
                if (!closeSent) enqueue(WsFrames.control(WsFrames.PONG, payload));
            }
            case WsFrames.CLOSE -> {
                closeReceived = true;
                stopped();
                if (payload.length == 1) {
                    close(FrameReader.PROTOCOL_ERROR, "bad close frame");
                } else if (!closeSent) {
                    // RFC 6455 §5.5.1: answer with the code the client sent (none when it sent none)
                    closeSent = true;
                    byte[] code = payload.length >= 2 ? new byte[] {payload[0], payload[1]} : EMPTY;
                    enqueue(WsFrames.control(WsFrames.CLOSE, code));
                }
                if (queue.isEmpty()) end();
            }
            default -> {
                // a pong: the client is alive, nothing to do
            }
        }
    }

    private void read() {
        ByteBuffer in = ByteBuffer.allocate(1024);
        try {
            while (!gone) {
                in.clear();
                int n = source.read(in);
                if (n == 0) return;
                if (n < 0) {
                    end();
                    return;
                }
                in.flip();
                if (!closeReceived) reader.read(in);
            }
        } catch (IOException e) {
            end();
        }
    }

    private void flush() {
        if (gone) return;
        try {
            while (!queue.isEmpty()) {
                ByteBuffer[] bufs = queue.toArray(NONE);
                long w = sink.write(bufs);
                queued -= w;
                while (!queue.isEmpty() && !queue.peek().hasRemaining()) queue.poll();
                if (!queue.isEmpty()) {
                    sink.resumeWrites();
                    return;
                }
            }
            if (!sink.flush()) {
                sink.resumeWrites();
                return;
            }
            sink.suspendWrites();
            if (closeSent && closeReceived) end();
        } catch (IOException e) {
            end();
        }
    }

    /**
     * Tells the subscriber, stops watching the socket, and closes it a little later, once.
     * Closing an XNIO connection runs a {@code selectNow()} on the IO thread's selector, which
     * takes every ready socket's event: when 10,000 clients reset at once, closing each at once
     * cost a pass over the still-ready others each (8-12 s in all, BENCHMARKS.md). Unwatched
     * first, the dead sockets leave the selector, and the deferred closes find it quiet.
     */
    private void end() {
        if (gone) return;
        gone = true;
        queue.clear();
        queued = 0;
        if (closeTimer != null) closeTimer.remove();
        stopped();
        source.suspendReads();
        sink.suspendWrites();
        connection.getIoThread().executeAfter(() -> IoUtils.safeClose(connection), CLOSE_DELAY_MS, TimeUnit.MILLISECONDS);
    }

    private void stopped() {
        if (told) return;
        told = true;
        onGone.run();
    }
}
