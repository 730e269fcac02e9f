package dev.pushrelay.http;

import dev.pushrelay.wire.Refusal;
import dev.pushrelay.wire.StrictSourceConduit;
import io.undertow.server.AbstractServerConnection;
import io.undertow.server.HttpServerExchange;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The strict request checks under an exchange's connection (protocol.md §9), and nginx's
 * handling of a body nobody reads (ngx_http_discard_request_body): a location that answers
 * without the body (static files, {@code return}) reads what has arrived of it and drops it
 * before answering, refuses the request with 400 when that part is already broken, and
 * otherwise answers at once, reading the rest of the body afterwards.
 */
final class WireChecks {

    private static final int DISCARD = 4096;

    private WireChecks() {
    }

    /** The connection's {@link StrictSourceConduit}, or null where the listener installed none. */
    static StrictSourceConduit of(HttpServerExchange exchange) {
        return exchange.getConnection() instanceof AbstractServerConnection c
                && c.getOriginalSourceConduit() instanceof StrictSourceConduit s ? s : null;
    }

    /**
     * nginx's {@code $request} for the stand-in of a refused request: the refused request's
     * line as far as it was read (protocol.md §9); null for any other exchange.
     */
    static String refusedRequestLine(HttpServerExchange exchange) {
        if (Refusal.of(exchange.getRequestURI()) == null) return null;
        StrictSourceConduit wire = of(exchange);
        return wire == null ? null : wire.refusedRequestLine();
    }

    /**
     * Reads and drops what has arrived of the request's body, as nginx does before a static
     * file or a {@code return} answer. @return true, with nginx's 400 sent and the connection
     * to be closed, when those bytes broke the body's framing; false when the body is whole
     * or its rest has not arrived yet (it is then read after the answer, and a fault found
     * in it closes the connection, as nginx's)
     */
    static boolean bodyRefused(HttpServerExchange exchange) {
        if (exchange.isRequestComplete()) return false;
        StrictSourceConduit wire = of(exchange);
        StreamSourceChannel body = exchange.getRequestChannel();
        if (body == null || wire == null) return false; // taken already, or no strict checks
        ByteBuffer scratch = ByteBuffer.allocate(DISCARD);
        wire.bodyReading(true); // a broken body reads as "nothing yet" here, not as its end
        try {
            while (true) {
                scratch.clear();
                int n = body.read(scratch);
                if (n == -1) return false;
                if (n == 0) break;
            }
        } catch (IOException e) {
            exchange.setPersistent(false);
            return false; // the client went: whatever is answered is not read
        } finally {
            wire.bodyReading(false);
        }
        Refusal why = wire.bodyRefusal();
        if (why == null) return false;
        exchange.setPersistent(false);
        Responses.refusal(exchange, why.status(), why.title());
        return true;
    }

    /**
     * Ends an exchange whose answer has no body left to write. Undertow would first read the
     * rest of an unread request body and only then write the head, so a HEAD or header-only
     * answer waited for the client's whole body; nginx answers at once and reads the body
     * after. Here the head goes out first; Undertow then reads the rest of the body.
     */
    static void endExchange(HttpServerExchange exchange) {
        if (!exchange.isRequestComplete() && !exchange.isResponseComplete()) {
            try {
                StreamSinkChannel out = exchange.getResponseChannel();
                if (out != null) {
                    out.shutdownWrites();
                    if (!out.flush()) {
                        out.getWriteSetter().set(ChannelListeners.flushingChannelListener(null,
                                (ch, e) -> IoUtils.safeClose(exchange.getConnection())));
                        out.resumeWrites();
                    }
                }
            } catch (IOException e) {
                IoUtils.safeClose(exchange.getConnection());
            }
        }
        exchange.endExchange();
    }
}
