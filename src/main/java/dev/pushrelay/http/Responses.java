package dev.pushrelay.http;

import dev.pushrelay.channel.Refusal;
import dev.pushrelay.wire.ResponseHeads;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The fixed responses of the protocol: header-only statuses, nginx-style error pages and
 * one-line text answers (protocol.md §3.1, §4.6). Every method ends the exchange.
 */
final class Responses {

    static final HttpString ALLOW = new HttpString("Allow");
    static final HttpString ETAG = new HttpString("Etag");
    static final HttpString VARY = new HttpString("Vary");
    static final String VARY_VALUE = "If-None-Match, If-Modified-Since";
    /**
     * The signature line of every page, nginx 1.22.1's with server_tokens on, so that a page is
     * byte for byte (and length for length) what a client of the module received (protocol.md §9).
     */
    static final String SIGNATURE = "nginx/1.22.1";

    private Responses() {
    }

    /** Status line and {@code Content-Length: 0}, nothing else. */
    static void headerOnly(HttpServerExchange exchange, int status, String reason) {
        exchange.setStatusCode(status);
        if (reason != null) exchange.setReasonPhrase(reason);
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, 0);
        WireChecks.endExchange(exchange);
    }

    /**
     * A push endpoint's {@code 304 Not Modified} (subscriber timeout, interval-poll with nothing
     * new): header-only with {@code Content-Length: 0}, as the module sends it (protocol.md §4.3,
     * §4.5); a static file's 304 has none, as nginx's not-modified filter.
     */
    static void notModified(HttpServerExchange exchange) {
        ResponseHeads.notModifiedWithLength(exchange);
    }

    /** A text/plain body such as "No channel id provided." (protocol.md §1). */
    static void text(HttpServerExchange exchange, int status, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, bytes.length);
        exchange.getResponseSender().send(ByteBuffer.wrap(bytes));
    }

    /**
     * nginx's own error page for {@code status} (ngx_http_special_response.c), which is
     * what the module's clients saw for 403, 404, 405, 413 and 500; no body for HEAD.
     */
    static void errorPage(HttpServerExchange exchange, int status) {
        // nginx's 302 page is titled "302 Found" while its status line says Moved Temporarily
        errorPage(exchange, status, status == 302 ? "302 Found" : status + " " + reason(status));
    }

    /** An error page whose title differs from its status line, e.g. nginx's "400 Request Header Or Cookie Too Large". */
    static void errorPage(HttpServerExchange exchange, int status, String title) {
        errorPage(exchange, status, title, exchange.getRequestMethod().equalToString("HEAD"));
    }

    /**
     * The page's headers, and the page unless {@code bodyless} (the answer to a HEAD): its
     * Content-Length is the page's either way, as nginx's (ngx_http_send_special_response sets
     * the length before it drops the body of a header-only answer).
     */
    static void errorPage(HttpServerExchange exchange, int status, String title, boolean bodyless) {
        exchange.setStatusCode(status);
        exchange.setReasonPhrase(reason(status));
        byte[] page = page(status, title);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/html");
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, page.length);
        if (bodyless) {
            WireChecks.endExchange(exchange);
            return;
        }
        exchange.getResponseSender().send(ByteBuffer.wrap(page));
    }

    /** nginx's page for {@code status} titled as errorPage(exchange, status) titles it (the lean path's too). */
    static byte[] page(int status) {
        return page(status, status == 302 ? "302 Found" : status + " " + reason(status));
    }

    private static byte[] page(int status, String title) {
        return ("<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n" + heading(status, title)
                + "<hr><center>" + SIGNATURE + "</center>\r\n</body>\r\n</html>\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The page's heading: its title, except for a 400 titled otherwise (nginx's 494 page,
     * "400 Request Header Or Cookie Too Large"), headed "400 Bad Request" with the title's
     * rest on a line below, as ngx_http_error_494_page.
     */
    private static String heading(int status, String title) {
        String plain = status + " " + reason(status);
        if (status != 400 || title.equals(plain) || !title.startsWith("400 ")) {
            return "<center><h1>" + title + "</h1></center>\r\n";
        }
        return "<center><h1>" + plain + "</h1></center>\r\n<center>" + title.substring(4) + "</center>\r\n";
    }

    /**
     * nginx's answer to a request it refused while reading it (protocol.md §9): the page, and
     * for a HEAD its headers alone, Content-Length still the page's (Undertow drops the body).
     */
    static void refusal(HttpServerExchange exchange, int status, String title) {
        errorPage(exchange, status, title, false);
    }

    /** 405 with the exact Allow list of the endpoint (protocol.md §3.1, §4.1). */
    static void notAllowed(HttpServerExchange exchange, String allow) {
        exchange.getResponseHeaders().put(ALLOW, allow);
        errorPage(exchange, 405);
    }

    static final String OUT_OF_MEMORY_TEXT = "push_max_reserved_memory exhausted: nothing was stored, try again later\n";

    /** The one mapping from a store refusal to the wire (protocol.md §4.6). */
    static void refusal(HttpServerExchange exchange, Refusal why) {
        switch (why) {
            case NO_SUCH_CHANNEL -> errorPage(exchange, 403);
            case TOO_MANY_SUBSCRIBERS -> headerOnly(exchange, 403, "Forbidden");
            case CONFLICT -> headerOnly(exchange, 409, "Conflict");
            case GONE -> headerOnly(exchange, 410, "Gone");
            case OUT_OF_MEMORY -> text(exchange, 500, OUT_OF_MEMORY_TEXT);
        }
    }

    /** nginx's reason phrases, which differ from Undertow's for some codes. */
    static String reason(int status) {
        return switch (status) {
            case 302 -> "Moved Temporarily";
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Not Allowed";
            case 409 -> "Conflict";
            case 410 -> "Gone";
            case 413 -> "Request Entity Too Large";
            case 414 -> "Request-URI Too Large";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 503 -> "Service Temporarily Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> io.undertow.util.StatusCodes.getReason(status);
        };
    }
}
