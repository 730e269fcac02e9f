package dev.pushrelay.http;

import dev.pushrelay.config.RedirectSettings;
import dev.pushrelay.config.Return;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * nginx's {@code return} (protocol.md §8.2): a redirect code sends its text as Location
 * (a path made absolute as nginx's header filter does, see {@link RedirectSettings}) and
 * nginx's page; any other code with text sends the text with the location's default_type;
 * a bare redirect, 4xx or 5xx code sends nginx's page, other bare codes (200, 204, 304)
 * a header-only answer; 444 closes
 * the connection without an answer.
 */
final class ReturnResponse {

    private ReturnResponse() {
    }

    /**
     * @param defaultType the location's default_type (server-level returns: text/plain)
     * @param redirects the answering level's absolute_redirect, server_name_in_redirect, port_in_redirect
     */
    static void send(HttpServerExchange exchange, Return ret, String defaultType, RedirectSettings redirects) {
        int code = ret.code();
        if (code == 444) {
            exchange.setPersistent(false);
            org.xnio.IoUtils.safeClose(exchange.getConnection());
            return;
        }
        // nginx's ngx_http_send_response discards the body first: broken framing there is a 400 (§9)
        if (ret.text() != null && WireChecks.bodyRefused(exchange)) return;
        if (ret.isRedirect() && ret.text() != null) {
            exchange.getResponseHeaders().put(Headers.LOCATION, absolute(exchange, ret.text(), redirects));
            Responses.errorPage(exchange, code);
            return;
        }
        if (ret.text() != null) {
            byte[] body = ret.text().getBytes(StandardCharsets.UTF_8);
            exchange.setStatusCode(code);
            exchange.setReasonPhrase(Responses.reason(code));
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, defaultType);
            exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.length);
            if (body.length == 0 || exchange.getRequestMethod().equalToString("HEAD")) {
                WireChecks.endExchange(exchange);
            } else {
                exchange.getResponseSender().send(ByteBuffer.wrap(body));
            }
            return;
        }
        if (ret.isRedirect() || code >= 400) {
            Responses.errorPage(exchange, code);
        } else {
            Responses.headerOnly(exchange, code, Responses.reason(code));
        }
    }

    /** The Location nginx sends for {@code location} (protocol.md §8.2). */
    static String absolute(HttpServerExchange exchange, String location, RedirectSettings redirects) {
        return redirects.location(location, exchange.getRequestHeaders().getFirst(Headers.HOST),
                exchange.getDestinationAddress());
    }
}
