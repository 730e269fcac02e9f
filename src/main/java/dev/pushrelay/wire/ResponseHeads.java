package dev.pushrelay.wire;

import io.undertow.server.ConduitWrapper;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Protocols;
import org.xnio.conduits.StreamSinkConduit;

/**
 * Two details of nginx's response head that Undertow writes differently, corrected per
 * response after Undertow has chosen the framing (protocol.md §12) and before the head is
 * written (Undertow writes it on the first write or flush, from the exchange's state then).
 *
 * <ul>
 *   <li>nginx's status line is {@code HTTP/1.1} whatever the request's version; Undertow
 *       echoes {@code HTTP/1.0}. The exchange's protocol becomes HTTP/1.1 only once the
 *       framing is chosen from the request's version, so a 1.0 client still gets no chunks
 *       and keep-alive only if it asked; the request's own version stays readable through
 *       {@link #requestProtocol} (the access log's {@code $request}, {@code $server_protocol}).
 *   <li>The module's {@code 304} carries {@code Content-Length: 0} (protocol.md §4.3, §4.5);
 *       Undertow removes Content-Length from every 304 while choosing the framing, and
 *       leaves out the {@code Connection: close} of a 304 after which it closes.
 * </ul>
 */
public final class ResponseHeads {

    private static final AttachmentKey<HttpString> REQUEST_PROTOCOL = AttachmentKey.create(HttpString.class);

    private static final ConduitWrapper<StreamSinkConduit> STATUS_LINE_1_1 = (factory, exchange) -> {
        StreamSinkConduit framed = factory.create();
        exchange.putAttachment(REQUEST_PROTOCOL, exchange.getProtocol());
        exchange.setProtocol(Protocols.HTTP_1_1);
        // a 1.1 status line means "persistent" to the client unless it says otherwise; nginx
        // also names keep-alive to the 1.0 client that asked for it
        if (!exchange.getResponseHeaders().contains(Headers.CONNECTION)) {
            exchange.getResponseHeaders().put(Headers.CONNECTION, exchange.isPersistent() ? "keep-alive" : "close");
        }
        return framed;
    };

    private static final ConduitWrapper<StreamSinkConduit> LENGTH_ZERO = (factory, exchange) -> {
        StreamSinkConduit framed = factory.create();
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, 0);
        // Undertow's 304 path also skips the Connection header a closing answer needs
        if (!exchange.isPersistent()) exchange.getResponseHeaders().put(Headers.CONNECTION, "close");
        return framed;
    };

    private ResponseHeads() {
    }

    /** Makes the status line of the answer to an HTTP/1.0 request say HTTP/1.1; call before the response starts. */
    public static void nginxStatusLine(HttpServerExchange exchange) {
        if (exchange.isHttp10()) exchange.addResponseWrapper(STATUS_LINE_1_1);
    }

    /** Ends {@code exchange} with a header-only 304 that keeps its {@code Content-Length: 0}. */
    public static void notModifiedWithLength(HttpServerExchange exchange) {
        exchange.setStatusCode(304);
        exchange.addResponseWrapper(LENGTH_ZERO);
        exchange.endExchange();
    }

    /** The request line's version, which the status line of the answer may no longer show. */
    public static HttpString requestProtocol(HttpServerExchange exchange) {
        HttpString p = exchange.getAttachment(REQUEST_PROTOCOL);
        return p != null ? p : exchange.getProtocol();
    }
}
