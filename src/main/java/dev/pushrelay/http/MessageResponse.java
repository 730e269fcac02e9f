package dev.pushrelay.http;

import dev.pushrelay.channel.Message;
import dev.pushrelay.config.LocationSettings;
import dev.pushrelay.store.Broker;
import dev.pushrelay.store.ChannelStore;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;

import java.nio.ByteBuffer;

/**
 * A 200 carrying a message (protocol.md §4.4): the publisher's Content-Type verbatim (none
 * if it sent none), exact Content-Length, Last-Modified and Etag naming the message, and
 * Vary. The header values are formatted once per message and shared by every subscriber;
 * so is the gzip form (protocol.md §8.4), built on the first subscriber that wants it and
 * charged to push_max_reserved_memory while the message is stored (§6.3). When the budget
 * cannot hold it, subscribers get the message uncompressed.
 */
final class MessageResponse {

    /** A byte[]'s own header, charged with the gzip form. */
    private static final long ARRAY_OVERHEAD = 16;

    /** What is formatted once per message. */
    private static final class Encoded {
        final String lastModified;
        final String etag;
        final String length;
        private volatile byte[] gzipped;
        private volatile String gzippedLength;
        private volatile boolean noRoom;
        /** The lean path's headers of a 200 carrying this message, built on its first lean delivery. */
        private volatile byte[] leanHeaders;

        private Encoded(String lastModified, String etag, String length) {
            this.lastModified = lastModified;
            this.etag = etag;
            this.length = length;
        }

        static Encoded of(Message m) {
            return new Encoded(HttpDates.format(m.id().time()), Long.toString(m.id().tag()), Long.toString(m.length()));
        }

        /**
         * The gzip form, compressed and charged once (a lock, so two IO threads never charge it
         * twice); null when the budget cannot hold it.
         */
        byte[] gzipped(Message m, Broker store, String key) {
            byte[] g = gzipped;
            if (g != null || noRoom) return g;
            synchronized (this) {
                if (gzipped != null || noRoom) return gzipped;
                ByteBuffer b = m.body();
                byte[] raw = new byte[b.remaining()];
                b.get(raw);
                g = Gzip.compress(raw);
                // Not stored (push_message_buffer_length 0, or already trimmed): the form lives
                // only as long as the deliveries that hold this message, so it needs no charge.
                if (store.chargeEncoding(key, m, g.length + ARRAY_OVERHEAD) == ChannelStore.Charge.NO_ROOM) {
                    noRoom = true;
                    return null;
                }
                gzippedLength = Integer.toString(g.length);
                gzipped = g;
                return g;
            }
        }
    }

    private MessageResponse() {
    }

    /**
     * The headers between the status line (and Connection) and Date of a 200 carrying
     * {@code message}, as Undertow writes them from the header map {@link #send} fills (its
     * order: Etag, Last-Modified, Vary, Content-Type, Content-Length); built once per message
     * and shared by every lean subscriber (protocol.md §4.4, §12).
     */
    static byte[] leanHeaders(Message message) {
        Encoded e = message.encoded(Encoded::of);
        byte[] h = e.leanHeaders;
        if (h == null) {
            StringBuilder b = new StringBuilder(160);
            b.append("Etag: ").append(e.etag).append("\r\n");
            b.append("Last-Modified: ").append(e.lastModified).append("\r\n");
            b.append("Vary: ").append(Responses.VARY_VALUE).append("\r\n");
            if (message.contentType() != null) b.append("Content-Type: ").append(message.contentType()).append("\r\n");
            b.append("Content-Length: ").append(e.length).append("\r\n");
            h = new byte[b.length()];
            for (int i = 0; i < h.length; i++) h[i] = (byte) b.charAt(i); // as Undertow writes a header's chars
            e.leanHeaders = h;
        }
        return h;
    }

    /** @param store and {@code key}: where the gzip form of a stored message is charged */
    static void send(HttpServerExchange exchange, Message message, Broker store, String key) {
        send(exchange, message, store, key, exchange.getAttachment(Gzip.LOCATION));
    }

    /** @param gzipLocation the location when it gzips (the exchange's {@link Gzip#LOCATION}), else null */
    static void send(HttpServerExchange exchange, Message message, Broker store, String key,
                     LocationSettings gzipLocation) {
        Encoded e = message.encoded(Encoded::of);
        send(exchange, message, store, key, e, e.lastModified, e.etag, gzipLocation);
    }

    /**
     * With the cursor headers given: a subscriber of several channels names all of them
     * (protocol.md §14.8).
     */
    static void send(HttpServerExchange exchange, Message message, Broker store, String key,
                     String lastModified, String etag) {
        send(exchange, message, store, key, message.encoded(Encoded::of), lastModified, etag,
                exchange.getAttachment(Gzip.LOCATION));
    }

    private static void send(HttpServerExchange exchange, Message message, Broker store, String key, Encoded e,
                             String lastModified, String etag, LocationSettings gzipLocation) {
        exchange.setStatusCode(200);
        HeaderMap h = exchange.getResponseHeaders();
        if (message.contentType() != null) h.put(Headers.CONTENT_TYPE, message.contentType());
        h.put(Headers.LAST_MODIFIED, lastModified);
        h.put(Responses.ETAG, etag);
        h.put(Responses.VARY, Responses.VARY_VALUE);
        byte[] g = gzipLocation != null && Gzip.decide(exchange, gzipLocation, message.contentType(), message.length())
                ? e.gzipped(message, store, key) : null;
        if (g != null) {
            h.put(Headers.CONTENT_ENCODING, "gzip");
            h.put(Headers.CONTENT_LENGTH, e.gzippedLength);
            exchange.getResponseSender().send(ByteBuffer.wrap(g));
            return;
        }
        h.put(Headers.CONTENT_LENGTH, e.length);
        if (message.length() == 0) {
            exchange.endExchange();
        } else {
            exchange.getResponseSender().send(message.body());
        }
    }
}
