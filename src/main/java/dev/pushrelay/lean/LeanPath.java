package dev.pushrelay.lean;

import dev.pushrelay.http.LeanService;
import dev.pushrelay.wire.CloseBatch;
import org.xnio.StreamConnection;

import java.nio.ByteBuffer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The lean path (protocol.md §12, "The lean path"): accepted connections are opened as
 * {@link LeanConnection}s, which parse plain request heads themselves and answer the plain
 * long-polls of the in-memory store without an Undertow exchange; at the first request they
 * have any doubt about, the connection goes to Undertow for good ({@link HandOff}).
 * Switched off by {@code PUSHRELAY_LEAN=off} (README "Performance"): every connection is
 * then Undertow's from the start, as before.
 */
public final class LeanPath {

    /** Read buffer size: Undertow's own (16 KB less its slice overhead). */
    static final int BUFFER = 16 * 1024 - 20;

    private final LeanService service;
    private final HandOff handOff;
    private final Supplier<LeanLimits> limits;
    /** A monotonic clock in nanoseconds (System::nanoTime), for the idle timeout between requests. */
    private final LongSupplier nanos;
    /** Each IO thread's read buffer: heads are parsed in it and only leftovers are copied out. */
    private final ThreadLocal<ByteBuffer> scratch = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(BUFFER));
    /** Each IO thread's connections that left, closed off it together once per round. */
    private final ThreadLocal<CloseBatch> closes = new ThreadLocal<>();

    LeanPath(LeanService service, HandOff handOff, Supplier<LeanLimits> limits, LongSupplier nanos) {
        this.service = service;
        this.handOff = handOff;
        this.limits = limits;
        this.nanos = nanos;
    }

    /**
     * @param lineBytes  large_client_header_buffers' size (protocol.md §9)
     * @param headBytes  the head limit
     * @param maxHeaders the header-count limit
     * @param idleMillis the idle time between requests after which a connection closes
     */
    public static LeanLimits limits(int lineBytes, int headBytes, int maxHeaders, long idleMillis) {
        return new LeanLimits(Math.min(BUFFER, Math.min(lineBytes, headBytes) / 2), Math.max(0, maxHeaders / 2), idleMillis);
    }

    /**
     * @param limits read once per accepted connection
     * @param nanos  a monotonic clock in nanoseconds (System::nanoTime), for keepalive_timeout
     */
    public static LeanPath create(LeanService service, HandOff handOff, Supplier<LeanLimits> limits, LongSupplier nanos) {
        return new LeanPath(service, handOff, limits, nanos);
    }

    /** Opens an accepted connection, on its IO thread: reads what it sent and serves or hands it off. */
    public void open(StreamConnection connection) {
        new LeanConnection(this, connection, limits.get()).start();
    }

    LeanService service() {
        return service;
    }

    long nanos() {
        return nanos.getAsLong();
    }

    HandOff handOff() {
        return handOff;
    }

    /** Closes a connection whose client left, off its IO thread (called on that thread). */
    void closeOffThread(StreamConnection connection) {
        CloseBatch b = closes.get();
        if (b == null) {
            b = new CloseBatch(connection.getIoThread());
            closes.set(b);
        }
        b.close(connection);
    }

    ByteBuffer scratch() {
        ByteBuffer b = scratch.get();
        b.clear();
        return b;
    }
}
