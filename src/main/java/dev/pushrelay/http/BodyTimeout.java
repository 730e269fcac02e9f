package dev.pushrelay.http;

import dev.pushrelay.config.LocationSettings;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.AbstractServerConnection;
import io.undertow.server.HttpServerExchange;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.StreamSourceConduit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * client_body_timeout (protocol.md §9): a publisher that stops sending its body for longer
 * than the timeout between two reads is cut off, as nginx does: the connection is closed
 * without an answer and nothing is published. Without it a client that declares a body and
 * never sends it would hold its connection forever. Undertow's own read timeout cannot be
 * used: it would also fire on parked long-polls, whose sockets are watched for a close.
 */
final class BodyTimeout implements Runnable {

    private final HttpServerExchange exchange;
    private final long timeoutMs;
    private volatile long lastRead = System.nanoTime();
    private volatile XnioExecutor.Key key;

    private BodyTimeout(HttpServerExchange exchange, long timeoutMs) {
        this.exchange = exchange;
        this.timeoutMs = timeoutMs;
    }

    /**
     * Watches the body about to be read; call before the request channel is taken. The
     * location's client_body_timeout applies, else the server's default.
     */
    static void arm(HttpServerExchange exchange, LocationSettings location) {
        if (exchange.isRequestComplete() || !exchange.isRequestChannelAvailable() || alreadyBuffered(exchange)) return;
        Long configured = location.client().bodyTimeoutMs();
        BodyTimeout t = new BodyTimeout(exchange, configured != null ? configured : ClientLimits.bodyTimeoutMs(exchange));
        exchange.addRequestWrapper((factory, ex) -> new Counting(factory.create(), t));
        exchange.addExchangeCompleteListener((ex, next) -> {
            t.cancel();
            next.proceed();
        });
        t.schedule(t.timeoutMs);
    }

    /**
     * True when the whole declared body arrived with the request head (the common case for
     * small publishes): it is read at once, so no timer is needed. Scheduling and cancelling
     * one per publish showed in profiles of the publish benchmark.
     */
    private static boolean alreadyBuffered(HttpServerExchange exchange) {
        long length = exchange.getRequestContentLength();
        if (length == 0) return true;
        if (length < 0 || !(exchange.getConnection() instanceof AbstractServerConnection c)) return false;
        PooledByteBuffer extra = c.getExtraBytes();
        return extra != null && extra.getBuffer().remaining() >= length;
    }

    private void schedule(long ms) {
        key = exchange.getIoThread().executeAfter(this, ms, TimeUnit.MILLISECONDS);
    }

    private void cancel() {
        XnioExecutor.Key k = key;
        if (k != null) k.remove();
    }

    @Override
    public void run() {
        if (exchange.isRequestComplete() || exchange.isComplete()) return;
        long idle = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastRead);
        if (idle >= timeoutMs) {
            IoUtils.safeClose(exchange.getConnection());
        } else {
            schedule(timeoutMs - idle);
        }
    }

    /** Notes the time of every read that brought bytes. */
    private static final class Counting extends AbstractStreamSourceConduit<StreamSourceConduit> {
        private final BodyTimeout timeout;

        Counting(StreamSourceConduit next, BodyTimeout timeout) {
            super(next);
            this.timeout = timeout;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            int n = super.read(dst);
            if (n > 0) timeout.lastRead = System.nanoTime();
            return n;
        }

        @Override
        public long read(ByteBuffer[] dsts, int offs, int len) throws IOException {
            long n = super.read(dsts, offs, len);
            if (n > 0) timeout.lastRead = System.nanoTime();
            return n;
        }
    }
}
