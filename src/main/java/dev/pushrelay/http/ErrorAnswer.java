package dev.pushrelay.http;

import io.undertow.server.HttpServerExchange;

/**
 * How a phase answers with an error status: nginx's page, or the location's
 * {@code error_page} (protocol.md §8.11). {@link PushHandler} gives one per routed request.
 */
@FunctionalInterface
interface ErrorAnswer {

    /** nginx's own answer, without error_page: its page (401 with nginx's title), or header-only below 300. */
    ErrorAnswer PLAIN = ErrorAnswer::plain;

    void send(HttpServerExchange exchange, int status);

    static void plain(HttpServerExchange exchange, int status) {
        if (status < 300) {
            Responses.headerOnly(exchange, status, Responses.reason(status));
        } else if (status == 401) {
            Responses.errorPage(exchange, 401, "401 Authorization Required");
        } else {
            Responses.errorPage(exchange, status);
        }
    }
}
