package dev.pushrelay.http;

import dev.pushrelay.config.LocationSettings;
import io.undertow.server.HttpServerExchange;

/**
 * client_max_body_size (protocol.md §3.1): a declared length over the limit is refused
 * with 413 before anything is read, as nginx does; a chunked body is cut off at the limit.
 */
final class BodyLimit {

    private BodyLimit() {
    }

    /** False (and a 413 sent) when the request may not be read. */
    static boolean admit(HttpServerExchange exchange, LocationSettings location) {
        long max = location.clientMaxBodySize();
        if (max <= 0) return true;
        if (exchange.getRequestContentLength() > max) {
            tooLarge(exchange);
            return false;
        }
        exchange.setMaxEntitySize(max);
        return true;
    }

    /** The unread body makes the connection unusable, so it is closed after the answer. */
    static void tooLarge(HttpServerExchange exchange) {
        exchange.setPersistent(false);
        Responses.errorPage(exchange, 413);
    }
}
