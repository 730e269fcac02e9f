package dev.pushrelay.http;

import dev.pushrelay.channel.Message;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;

/**
 * A 200 carrying a message (protocol.md §4.4): the publisher's Content-Type verbatim (none
 * if it sent none), exact Content-Length, Last-Modified and Etag naming the message, and
 * Vary. The header values are formatted once per message and shared by every subscriber.
 */
final class MessageResponse {

    /** What is formatted once per message. */
    private record Encoded(String lastModified, String etag) {
        static Encoded of(Message m) {
            return new Encoded(HttpDates.format(m.id().time()), Long.toString(m.id().tag()));
        }
    }

    private MessageResponse() {
    }

    static void send(HttpServerExchange exchange, Message message) {
        Encoded e = message.encoded(Encoded::of);
        exchange.setStatusCode(200);
        HeaderMap h = exchange.getResponseHeaders();
        if (message.contentType() != null) h.put(Headers.CONTENT_TYPE, message.contentType());
        h.put(Headers.CONTENT_LENGTH, message.length());
        h.put(Headers.LAST_MODIFIED, e.lastModified());
        h.put(Responses.ETAG, e.etag());
        h.put(Responses.VARY, Responses.VARY_VALUE);
        if (message.length() == 0) {
            exchange.endExchange();
        } else {
            exchange.getResponseSender().send(message.body());
        }
    }
}
