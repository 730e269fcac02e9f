package dev.pushrelay.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import dev.pushrelay.wire.Refusal;
import io.undertow.util.Headers;
import io.undertow.util.Protocols;

/**
 * The checks nginx makes on a request head that Undertow's parser lets through
 * (protocol.md §9): a request line or a header line longer than
 * large_client_header_buffers' size, a Content-Length that is not a number Java can hold,
 * a Transfer-Encoding other than chunked, and an explicit HTTP/0.9. Each gets nginx's answer and the connection
 * is closed, since what follows on it cannot be trusted.
 */
final class RequestChecks {

    private RequestChecks() {
    }

    /**
     * True (and nginx's answer sent) when this is the stand-in of a request the wire layer
     * refused (protocol.md §9, {@code Refusal.TARGET}): the connection closes after it.
     */
    static boolean isRefusedOnTheWire(HttpServerExchange exchange) {
        String target = exchange.getRequestURI();
        return !target.isEmpty() && target.charAt(0) != '/' && Refusal.of(target) != null;
    }

    static boolean refusedOnTheWire(HttpServerExchange exchange) {
        String target = exchange.getRequestURI();
        if (target.isEmpty() || target.charAt(0) == '/') return false;
        Refusal why = Refusal.of(target);
        if (why == null) return false;
        exchange.setPersistent(false);
        Responses.refusal(exchange, why.status(), why.title());
        return true;
    }

    /** False (and the answer sent) when the request must not be handled. */
    static boolean admit(HttpServerExchange exchange) {
        if (exchange.getProtocol().equals(Protocols.HTTP_0_9)) {
            // Undertow would echo "HTTP/0.9" in the status line; nginx has no such answer either.
            exchange.setProtocol(Protocols.HTTP_1_1);
            return refuse(exchange, 400, null);
        }
        int max = ClientLimits.lineBytes(exchange);
        if (requestLineLength(exchange) + 2 > max) {
            return refuse(exchange, 414, null);
        }
        for (HeaderValues values : exchange.getRequestHeaders()) {
            int name = values.getHeaderName().length();
            for (String value : values) {
                if (name + 2 + value.length() + 2 > max) {
                    return refuse(exchange, 400, "Request Header Or Cookie Too Large");
                }
            }
        }
        HeaderValues length = exchange.getRequestHeaders().get(Headers.CONTENT_LENGTH);
        if (length != null && !validLength(length.getFirst())) {
            return refuse(exchange, 400, null);
        }
        HeaderValues coding = exchange.getRequestHeaders().get(Headers.TRANSFER_ENCODING);
        if (coding != null) {
            if (!exchange.getProtocol().equals(Protocols.HTTP_1_1)) {
                return refuse(exchange, 400, null);
            }
            if (coding.size() != 1 || !coding.getFirst().trim().equalsIgnoreCase("chunked")) {
                return refuse(exchange, 501, null);
            }
        }
        return true;
    }

    private static long requestLineLength(HttpServerExchange exchange) {
        String query = exchange.getQueryString();
        return exchange.getRequestMethod().length() + 1L + exchange.getRequestURI().length()
                + (query == null || query.isEmpty() ? 0 : 1 + query.length()) + 1 + exchange.getProtocol().length();
    }

    /** Digits only, and small enough for a long (Undertow would throw later). */
    private static boolean validLength(String v) {
        if (v == null || v.isEmpty() || v.length() > 18) return false;
        for (int i = 0; i < v.length(); i++) {
            if (v.charAt(i) < '0' || v.charAt(i) > '9') return false;
        }
        return true;
    }

    private static boolean refuse(HttpServerExchange exchange, int status, String title) {
        exchange.setPersistent(false);
        Responses.errorPage(exchange, status, title == null ? status + " " + Responses.reason(status) : status + " " + title);
        return false;
    }
}
