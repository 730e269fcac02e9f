package dev.pushrelay.http;

import dev.pushrelay.wire.Refusal;
import dev.pushrelay.wire.StrictSourceConduit;
import io.undertow.io.IoCallback;
import io.undertow.io.Sender;
import io.undertow.server.Connectors;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpContinue;
import org.xnio.channels.StreamSourceChannel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Reads a request body whole without blocking a thread (protocol.md §3.1: the module reads
 * the whole body before it looks at the method). Same contract as Undertow's
 * {@code Receiver.receiveFullBytes}, without its byte-by-byte copy through a synchronized
 * stream: a small declared body is read straight into an array of its size, usually in one
 * copy from the bytes that came with the request head; larger and chunked bodies grow an
 * array by doubling as their bytes arrive.
 *
 * <p>client_max_body_size stays Undertow's: it is the exchange's max entity size, so the
 * request conduit itself refuses a chunked body that crosses it ({@code
 * RequestTooBigException}, handed to {@code failed} unwrapped on either path). The caller's
 * own limit on what is kept (the memory budget) is {@link TooLargeToKeep}; a body nobody
 * keeps is {@link #drain drained} through one buffer. A chunked body whose framing the wire
 * checks refuse ({@link StrictSourceConduit#bodyRefusal}) is answered here with nginx's 400
 * page, whoever asked for it, and nothing of it is used (protocol.md §9).
 */
final class BodyReader {

    interface Done {
        void body(HttpServerExchange exchange, byte[] body);
    }

    interface Failed {
        void failed(HttpServerExchange exchange, IOException error);
    }

    private static final byte[] EMPTY = new byte[0];
    /** First array for a body of unknown length (chunked). */
    private static final int FIRST_CHUNKED = 1024;
    /**
     * The most allocated before the bytes arrive: a declared length is a promise, and a
     * client that declares a large body and sends nothing must not make the server hold
     * it (protocol.md §9). Larger bodies grow by doubling, up to exactly their length. Bodies
     * up to this size (all that fit in the read buffer with the head) take one copy.
     */
    private static final int FIRST_DECLARED_MAX = 16 * 1024;
    /** Arrays are indexed by int; longer declared bodies are refused like Undertow does. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private final HttpServerExchange exchange;
    private final StreamSourceChannel channel;
    private final boolean exact;
    private final long length;
    /** False: the bytes are read and dropped (a body nobody will use). */
    private final boolean keep;
    /** The most bytes kept; a longer body fails. */
    private final long cap;
    private final Done done;
    private final Failed failed;
    /** The connection's wire checks, which know when a chunked body's framing broke. */
    private final StrictSourceConduit wire;
    private ByteBuffer buf;
    private long seen;
    private boolean finished;

    private BodyReader(HttpServerExchange exchange, StreamSourceChannel channel, long length, boolean keep, long cap,
                       Done done, Failed failed) {
        this.exchange = exchange;
        this.channel = channel;
        this.exact = length >= 0;
        this.length = length;
        this.keep = keep;
        this.cap = cap;
        this.buf = ByteBuffer.wrap(new byte[exact ? (int) Math.min(length, FIRST_DECLARED_MAX)
                : keep ? FIRST_CHUNKED : FIRST_DECLARED_MAX]);
        this.done = done;
        this.failed = failed;
        this.wire = WireChecks.of(exchange);
    }

    /**
     * The body is larger than the caller will keep: a message longer than
     * push_max_reserved_memory could never be stored, so it is not read into the heap either
     * (protocol.md §9; with {@code client_max_body_size 0} nothing else bounds it).
     */
    static final class TooLargeToKeep extends IOException {
        final long limit;

        TooLargeToKeep(long limit) {
            super("request body longer than " + limit + " bytes");
            this.limit = limit;
        }
    }

    /**
     * Reads the body whole, then calls {@code done} (or {@code failed}) exactly once, on the
     * IO thread. A body longer than {@code keepAtMost} bytes fails with {@link TooLargeToKeep}:
     * before anything is read (and before 100 Continue) when its length is declared, where it
     * crosses the limit when chunked.
     */
    static void read(HttpServerExchange exchange, long keepAtMost, Done done, Failed failed) {
        begin(exchange, true, Math.min(keepAtMost, MAX_ARRAY), done, failed);
    }

    /**
     * Reads the body to its end and drops it; {@code done} gets an empty body. For methods
     * that do not use one (the module still reads it first, protocol.md §3.1): it holds one
     * small buffer however long the body is.
     */
    static void drain(HttpServerExchange exchange, Done done, Failed failed) {
        begin(exchange, false, Long.MAX_VALUE, done, failed);
    }

    private static void begin(HttpServerExchange exchange, boolean keep, long cap, Done done, Failed failed) {
        if (exchange.isRequestComplete()) {
            done.body(exchange, EMPTY);
            return;
        }
        long length = exchange.getRequestContentLength();
        if (keep && length > cap) {
            failed.failed(exchange, tooLarge(cap));
            return;
        }
        if (HttpContinue.requiresContinueResponse(exchange)) {
            // As nginx does before it reads a body (ngx_http_test_expect): a client that sent
            // "Expect: 100-continue" waits for this before sending the body (curl: one second).
            HttpContinue.sendContinueResponse(exchange, new IoCallback() {
                @Override
                public void onComplete(HttpServerExchange ex, Sender sender) {
                    start(ex, length, keep, cap, done, failed);
                }

                @Override
                public void onException(HttpServerExchange ex, Sender sender, IOException e) {
                    failed.failed(ex, e != null ? e : new IOException("100 Continue could not be sent"));
                }
            });
            return;
        }
        start(exchange, length, keep, cap, done, failed);
    }

    /** Arrays are limited by int: past that Undertow's own refusal (413); below it, the caller's limit. */
    private static IOException tooLarge(long cap) {
        return cap >= MAX_ARRAY ? new io.undertow.server.RequestTooBigException() : new TooLargeToKeep(cap);
    }

    private static void start(HttpServerExchange exchange, long length, boolean keep, long cap, Done done,
                              Failed failed) {
        StreamSourceChannel channel = exchange.getRequestChannel();
        if (channel == null) { // taken already: nothing left to read
            done.body(exchange, EMPTY);
            return;
        }
        BodyReader r = new BodyReader(exchange, channel, length, keep, cap, done, failed);
        if (r.wire != null) r.wire.bodyReading(true);
        if (!r.pump(false)) {
            // Waits for more bytes: resumed by Undertow once the handler returns.
            channel.getReadSetter().set(ch -> {
                if (!r.finished) r.pump(true);
            });
            channel.resumeReads();
        }
    }

    /**
     * Reads what is there. @return true when finished (done or failed called), false when
     * the channel has no more bytes yet
     * @param later true from the read listener: the callbacks then run as Undertow's root
     *              handler would, so an exception or an unanswered exchange ends properly
     */
    private boolean pump(boolean later) {
        try {
            while (true) {
                if (exact && seen == length) {
                    // Every declared byte is in (a kept array is exactly that long by then);
                    // the conduit has already marked the request complete.
                    finish(later, keep ? buf.array() : EMPTY, null);
                    return true;
                }
                if (!buf.hasRemaining()) {
                    if (!keep) {
                        buf.clear();
                    } else if (!grow()) {
                        finish(later, null, tooLarge(cap));
                        return true;
                    }
                }
                int n = channel.read(buf);
                if (n == -1) {
                    if (exact) {
                        // the fixed-length conduit reports a short body as an error, not EOF; be safe
                        finish(later, null, new IOException("request body ended before its Content-Length"));
                    } else {
                        finish(later, keep ? Arrays.copyOf(buf.array(), buf.position()) : EMPTY, null);
                    }
                    return true;
                }
                if (n == 0) {
                    if (wire == null || wire.bodyRefusal() == null) return false;
                    refuse(later, wire.bodyRefusal());
                    return true;
                }
                seen += n;
            }
        } catch (IOException e) {
            finish(later, null, e);
            return true;
        }
    }

    /** Doubles the array, up to the declared length or the cap. @return false at the cap */
    private boolean grow() {
        byte[] a = buf.array();
        long bigger = Math.min(exact ? length : cap, Math.max(1L, (long) a.length * 2));
        if (bigger <= a.length) return false;
        ByteBuffer b = ByteBuffer.wrap(Arrays.copyOf(a, (int) bigger));
        b.position(buf.position());
        buf = b;
        return true;
    }

    /**
     * The body's framing broke (protocol.md §9): nothing of it is used, and the answer is
     * nginx's, whoever asked for the body; neither callback runs.
     */
    private void refuse(boolean later, Refusal why) {
        finished = true;
        wire.bodyReading(false);
        channel.suspendReads();
        HttpHandler answer = ex -> {
            ex.setPersistent(false);
            Responses.errorPage(ex, why.status(), why.title());
        };
        if (later) {
            Connectors.executeRootHandler(answer, exchange);
        } else {
            try {
                answer.handleRequest(exchange);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private void finish(boolean later, byte[] body, IOException error) {
        finished = true;
        if (wire != null) wire.bodyReading(false);
        if (later) {
            channel.suspendReads();
            Connectors.executeRootHandler(ex -> deliver(body, error), exchange);
        } else {
            deliver(body, error);
        }
    }

    private void deliver(byte[] body, IOException error) {
        if (error != null) {
            failed.failed(exchange, error);
        } else {
            done.body(exchange, body);
        }
    }
}
