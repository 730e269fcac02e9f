package dev.pushrelay.http;

import io.undertow.server.HttpServerExchange;
import org.xnio.ChannelListener;
import org.xnio.channels.StreamSinkChannel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The response side of a stream (protocol.md §14): writes without blocking, on the
 * exchange's IO thread only, and queues what the socket does not take at once. The queue
 * is bounded in bytes: a client that stops reading fills it and {@link #write} says so,
 * so a slow reader costs a bounded amount of memory, never a thread.
 */
final class StreamSink implements ChannelListener<StreamSinkChannel> {

    private final HttpServerExchange exchange;
    private final long limit;
    private final Runnable onBroken;
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    private StreamSinkChannel channel;
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

    /** Queues {@code b} and writes what the socket takes. @return false when over the limit (nothing queued) */
    boolean write(ByteBuffer b) {
        if (broken || ending) return true;
        if (queued > 0 && queued + b.remaining() > limit) return false;
        queue.add(b);
        queued += b.remaining();
        flush();
        return true;
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
            while (!queue.isEmpty()) {
                ByteBuffer b = queue.peek();
                queued -= channel.write(b);
                if (b.hasRemaining()) {
                    waitForRoom();
                    return;
                }
                queue.poll();
            }
            if (!channel.flush()) {
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
