package dev.pushrelay.wire;

import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.XnioExecutor;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.ConduitReadableByteChannel;
import org.xnio.conduits.Conduits;
import org.xnio.conduits.StreamSourceConduit;
import org.xnio.channels.StreamSinkChannel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.TimeUnit;

/**
 * The bytes of one connection as they come off the socket, checked by a {@link RequestScanner}
 * before Undertow's parser sees them (protocol.md §9), so that Undertow only ever parses what
 * nginx would have accepted and cannot read a request differently from a proxy in front.
 *
 * <ul>
 *   <li>A request head is handed on only once it is complete and valid: a head that arrives
 *       in pieces is held here (in an array that grows with it, freed when it is handed on).
 *   <li>A refused head is replaced by a stand-in request ({@link Refusal#METHOD}) that the
 *       handler answers with nginx's status and error page, in its place among pipelined
 *       requests; nothing after it is read.
 *   <li>A refused chunked body: the bytes before the fault are handed on, then nothing. A
 *       body reader that asks ({@link #bodyRefusal}) answers nginx's 400; anyone else reading
 *       sees the end of the stream, and Undertow closes the connection.
 * </ul>
 * Bytes are checked where Undertow asked them to be read, so a whole request in one read
 * costs one scan and no copy.
 */
public final class StrictSourceConduit extends AbstractStreamSourceConduit<StreamSourceConduit> {

    private static final int FIRST_HOLD = 2048;
    private static final int DISCARD = 4096;

    /** Null once upgraded: nothing is parsed any more, and a stream lives long (§14.6). */
    private RequestScanner scanner;
    private final int holdMax;
    private final int lineMax;
    /** The request line of the refused request as far as it was read (nginx's $request then); null before a refusal. */
    private String refusedLine;
    /** Bytes taken from the socket and not handed on yet: [start, ready) checked, [ready, end) a head in progress. */
    private ByteBuffer held;
    private int start;
    private int ready;
    private int end;
    /** A stand-in was queued: the socket is not read again. */
    private boolean refusing;
    private boolean bodyReading;
    private boolean upgraded;
    /** Where bytes after a refusal are read to be dropped; allocated on the first refusal only. */
    private ByteBuffer scratch;
    private final StreamConnection connection;
    /** The client left while its head was held: the socket is being closed off the IO thread. */
    private boolean departed;
    private final long headerTimeoutMs;
    /** client_header_timeout of the held head; null when nothing is held. */
    private XnioExecutor.Key headerTimer;

    /**
     * @param connection closed when a held head is not complete {@code headerTimeoutMs} after
     *                   it began (client_header_timeout: no answer, as nginx)
     */
    public StrictSourceConduit(StreamSourceConduit next, StreamConnection connection, long headerTimeoutMs, int lineMax,
                               int headMax, int headersMax) {
        super(next);
        this.connection = connection;
        this.headerTimeoutMs = headerTimeoutMs;
        this.scanner = new RequestScanner(lineMax, headMax, headersMax);
        this.holdMax = headMax + 256;
        this.lineMax = lineMax;
    }

    /**
     * The refused request's line as nginx logs it in {@code $request}: from its first byte
     * to the first CR or LF read, at most large_client_header_buffers' size; null when no
     * head was refused on this connection.
     */
    public String refusedRequestLine() {
        return refusedLine;
    }

    /** Keeps the refused request's line from {@code b[from, to)}, before the stand-in replaces it. */
    private void keepRefusedLine(ByteBuffer b, int from, int to) {
        int end = Math.min(to, from + lineMax);
        StringBuilder line = new StringBuilder(Math.max(0, end - from));
        for (int i = from; i < end; i++) {
            char c = (char) (b.get(i) & 0xff);
            if (c == '\r' || c == '\n') break;
            line.append(c);
        }
        refusedLine = line.toString();
    }

    /** The refusal of the body being read, once its framing was found broken; else null. */
    public Refusal bodyRefusal() {
        RequestScanner s = scanner;
        return s != null && s.refusedInBody() ? s.refusal() : null;
    }

    /**
     * The connection no longer speaks HTTP (a WebSocket after its 101, protocol.md §14.6): from
     * now on bytes pass unchecked, any held ones first.
     */
    public void upgraded() {
        upgraded = true;
        scanner = null;
        ready = end;
        cancelHeaderTimer();
    }

    /** A body reader is (true) or no longer (false) reading the current request's body. */
    public void bodyReading(boolean reading) {
        bodyReading = reading;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (departed) return 0;
        if (ready > start) return handOn(dst, 0);
        if (upgraded) return next.read(dst);
        if (refusing) return discard();
        if (scanner.refusedInBody()) return bodyReading ? 0 : -1;
        if (end > start) return readHeld(dst);
        int p0 = dst.position();
        int n = next.read(dst);
        if (n <= 0) return n;
        int p1 = p0 + n;
        int stop = scanner.scan(dst, p0, p1);
        if (stop < p1 || scanner.refusal() != null) {
            if (scanner.refusedInBody()) {
                dst.position(stop);
                // the fault's bytes are taken off the socket, so no read event comes again:
                // with nothing before the fault, a reader other than the body check must see
                // the end now (a 0 left Undertow's drain of an unread body waiting for good)
                int handed = stop - p0;
                return handed > 0 || bodyReading ? handed : -1;
            }
            int from = scanner.requestStart();
            keepRefusedLine(dst, from < 0 ? p0 : from, p1);
            dst.position(from);
            queueStandIn();
            return from - p0 + handOn(dst, 0);
        }
        if (scanner.inHead()) {
            int from = scanner.requestStart();
            hold(dst, from, p1);
            dst.position(from);
            return from - p0;
        }
        return n;
    }

    /**
     * After a refusal nothing more is parsed, but the socket is still read (into a scratch
     * buffer, then forgotten) so that a client that closes is seen to go, as nginx sees it
     * (protocol.md §4.3). A bounded amount per call: a client that keeps sending must not
     * hold the IO thread. @return 0, or -1 at the end of the stream
     */
    private int discard() throws IOException {
        if (scratch == null) scratch = ByteBuffer.allocate(DISCARD);
        for (int i = 0; i < 16; i++) {
            scratch.clear();
            int n = next.read(scratch);
            if (n <= 0) return n;
        }
        return 0;
    }

    /** A head is being held: reads more of it, and hands on what is checked. */
    private int readHeld(ByteBuffer dst) throws IOException {
        if (start > 0) {
            held.limit(end).position(start);
            held.compact();
            end -= start;
            ready -= start;
            start = 0;
        }
        int headStart = ready; // the held head began here
        while (true) {
            if (end == held.capacity()) grow(held.capacity() * 2);
            held.limit(held.capacity()).position(end);
            int n;
            try {
                n = next.read(held);
            } catch (IOException reset) {
                n = -1;
            }
            if (n < 0 && ready == start) return departed();
            if (n <= 0) {
                held.position(start);
                return n;
            }
            int from = end;
            end += n;
            int stop = scanner.scan(held, from, end);
            if (scanner.refusal() != null) {
                if (scanner.refusedInBody()) {
                    end = stop;
                    ready = stop;
                } else {
                    int r = scanner.requestStart();
                    keepRefusedLine(held, r >= 0 ? r : headStart, end);
                    end = r >= 0 ? r : headStart;
                    ready = end;
                    queueStandIn();
                }
                return handOn(dst, 0);
            }
            if (!scanner.inHead()) {
                ready = end;
                return handOn(dst, 0);
            }
            int r = scanner.requestStart();
            if (r >= 0) { // that head ended and another began: hand on up to the new one
                ready = r;
                cancelHeaderTimer();
                armHeaderTimer();
                return handOn(dst, 0);
            }
        }
    }

    /**
     * The client closed or reset in the middle of a head (a slowloris connection dropped, say),
     * with nothing checked left to hand on. Undertow reads a new request only when none is
     * running, so no answer is in flight: Undertow is told nothing came (0, reads suspended for
     * good) and the socket is closed off the IO thread ({@link OffThreadClose}); Undertow sees
     * the close as a client that left. @return 0
     */
    private int departed() {
        departed = true;
        held = null;
        start = ready = end = 0;
        cancelHeaderTimer();
        next.suspendReads();
        OffThreadClose.close(connection);
        return 0;
    }

    /** Keeps {@code src[from, to)}, a head in progress. */
    private void hold(ByteBuffer src, int from, int to) {
        int n = to - from;
        if (held == null || held.capacity() < n) held = ByteBuffer.allocate(Math.min(holdMax, Math.max(FIRST_HOLD, 2 * n)));
        ByteBuffer d = src.duplicate();
        d.limit(to).position(from);
        held.clear();
        held.put(d);
        start = 0;
        ready = 0;
        end = n;
        armHeaderTimer();
    }

    private void armHeaderTimer() {
        if (headerTimer != null) return;
        try {
            headerTimer = next.getReadThread().executeAfter(() -> {
                headerTimer = null;
                if (end > ready) IoUtils.safeClose(connection); // the held head is still not complete
            }, headerTimeoutMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            IoUtils.safeClose(connection); // the IO thread is stopping: no head will be waited for
        }
    }

    private void cancelHeaderTimer() {
        if (headerTimer != null) {
            headerTimer.remove();
            headerTimer = null;
        }
    }

    private void grow(int capacity) {
        int c = Math.min(holdMax, capacity);
        if (c <= held.capacity()) throw new IllegalStateException("held head over " + holdMax + " bytes");
        ByteBuffer b = ByteBuffer.allocate(c);
        held.limit(end).position(start);
        b.put(held);
        end -= start;
        ready -= start;
        start = 0;
        held = b;
    }

    /** Queues the stand-in of the refused request after what is ready, and stops reading the socket. */
    private void queueStandIn() {
        byte[] stand = scanner.refusal().standIn(scanner.head());
        refusing = true;
        int have = held == null ? 0 : ready - start;
        ByteBuffer b = ByteBuffer.allocate(have + stand.length);
        if (have > 0) {
            held.limit(ready).position(start);
            b.put(held);
        }
        b.put(stand);
        held = b;
        start = 0;
        ready = end = b.position();
    }

    /** Copies checked held bytes into {@code dst}; @return {@code already} plus the bytes copied */
    private int handOn(ByteBuffer dst, int already) {
        int n = Math.min(ready - start, dst.remaining());
        if (n > 0) {
            held.limit(start + n).position(start);
            dst.put(held);
            start += n;
        }
        if (end == ready) cancelHeaderTimer();
        if (start == end && !refusing) {
            held = null; // nothing held: an idle connection keeps no array
            start = ready = end = 0;
        }
        return already + n;
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        for (int i = offset; i < offset + length; i++) {
            if (dsts[i].hasRemaining()) return read(dsts[i]);
        }
        return 0;
    }

    @Override
    public long transferTo(long position, long count, FileChannel target) throws IOException {
        return target.transferFrom(new ConduitReadableByteChannel(this), position, count);
    }

    @Override
    public long transferTo(long count, ByteBuffer throughBuffer, StreamSinkChannel target) throws IOException {
        return Conduits.transfer(this, count, throughBuffer, target);
    }

    /** Held bytes are readable now, whatever the socket says. */
    @Override
    public void resumeReads() {
        if (departed) return;
        if (ready > start) next.wakeupReads();
        else next.resumeReads();
    }

    @Override
    public void terminateReads() throws IOException {
        cancelHeaderTimer();
        next.terminateReads();
    }

    @Override
    public void awaitReadable() throws IOException {
        if (ready == start) next.awaitReadable();
    }

    @Override
    public void awaitReadable(long time, TimeUnit timeUnit) throws IOException {
        if (ready == start) next.awaitReadable(time, timeUnit);
    }
}
