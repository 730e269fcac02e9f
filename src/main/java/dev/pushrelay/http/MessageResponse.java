package dev.pushrelay.http;

import dev.pushrelay.channel.Message;
import dev.pushrelay.config.LocationSettings;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;

import java.nio.ByteBuffer;

/**
 * A 200 carrying a message (protocol.md §4.4): the publisher's Content-Type verbatim (none
 * if it sent none), exact Content-Length, Last-Modified and Etag naming the message, and
 * Vary. The header values are formatted once per message and shared by every subscriber;
 * so is the gzip form (protocol.md §8.4), built on the first subscriber that wants it.
 */
final class MessageResponse {

    /** What is formatted once per message. */
    private static final class Encoded {
        final String lastModified;
        final String etag;
        private volatile byte[] gzipped;

        private Encoded(String lastModified, String etag) {
            this.lastModified = lastModified;
            this.etag = etag;
        }

        static Encoded of(Message m) {
            return new Encoded(HttpDates.format(m.id().time()), Long.toString(m.id().tag()));
        }

        /** Two subscribers may both compress once; the results are equal, so the race is harmless. */
        byte[] gzipped(Message m) {
            byte[] g = gzipped;
            if (g == null) {
                ByteBuffer b = m.body();
                byte[] raw = new byte[b.remaining()];
                b.get(raw);
                g = Gzip.compress(raw);
                gzipped = g;
            }
            return g;
        }
    }

    private MessageResponse() {
    }

    static void send(HttpServerExchange exchange, Message message) {
        Encoded e = message.encoded(Encoded::of);
        exchange.setStatusCode(200);
        HeaderMap h = exchange.getResponseHeaders();
        if (message.contentType() != null) h.put(Headers.CONTENT_TYPE, message.contentType());
        h.put(Headers.LAST_MODIFIED, e.lastModified);
        h.put(Responses.ETAG, e.etag);
        h.put(Responses.VARY, Responses.VARY_VALUE);
        LocationSettings gzipLocation = exchange.getAttachment(Gzip.LOCATION);
        if (Gzip.decide(exchange, gzipLocation, message.contentType(), message.length())) {
            byte[] g = e.gzipped(message);
            h.put(Headers.CONTENT_ENCODING, "gzip");
            h.put(Headers.CONTENT_LENGTH, g.length);
            exchange.getResponseSender().send(ByteBuffer.wrap(g));
            return;
        }
        h.put(Headers.CONTENT_LENGTH, message.length());
        if (message.length() == 0) {
            exchange.endExchange();
        } else {
            exchange.getResponseSender().send(message.body());
        }
    }
}
