package dev.pushrelay.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;

/** The OPTIONS answers (protocol.md §3.1, §4.1): 200, header-only, with the CORS headers. */
final class Cors {

    private static final HttpString ORIGIN = new HttpString("Access-Control-Allow-Origin");
    private static final HttpString HEADERS = new HttpString("Access-Control-Allow-Headers");
    private static final HttpString METHODS = new HttpString("Access-Control-Allow-Methods");

    static final String PUBLISHER_METHODS = "GET, POST, PUT, DELETE, OPTIONS";
    static final String SUBSCRIBER_METHODS = "GET, OPTIONS";

    private Cors() {
    }

    static void publisherOptions(HttpServerExchange exchange) {
        send(exchange, "Content-Type, Origin", PUBLISHER_METHODS);
    }

    static void subscriberOptions(HttpServerExchange exchange) {
        send(exchange, "If-None-Match, If-Modified-Since, Origin", SUBSCRIBER_METHODS);
    }

    private static void send(HttpServerExchange exchange, String headers, String methods) {
        HeaderMap h = exchange.getResponseHeaders();
        h.put(ORIGIN, "*");
        h.put(HEADERS, headers);
        h.put(METHODS, methods);
        h.put(Headers.CONTENT_LENGTH, 0);
        exchange.setStatusCode(200);
        exchange.endExchange();
    }
}
