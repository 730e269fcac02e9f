package dev.pushrelay.http;

import dev.pushrelay.channel.Message;
import dev.pushrelay.channel.Refusal;
import dev.pushrelay.config.LocationSettings;
import dev.pushrelay.metrics.PushMetrics;
import dev.pushrelay.store.ChannelStore;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.SameThreadExecutor;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * nchan's two plain-HTTP streams (protocol.md §14.11), a {@link ChannelFollower} each: a
 * {@code chunked} subscriber ({@code TE: chunked}) gets each message's body as one chunk of
 * a response that never ends; a {@code multipart-mixed} subscriber ({@code Accept:
 * multipart/mixed}) gets each message as one part with its own Last-Modified, Etag and
 * Content-Type. Neither format has room for a notice, so there is no gap signal.
 */
final class HttpStreamSubscriber implements ChannelFollower.Transport {

    enum Framing { CHUNKED, MULTIPART }

    private static final Runnable NOTHING = () -> { };
    private static final char[] BOUNDARY_CHARS =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".toCharArray();

    private final HttpServerExchange exchange;
    private final Framing framing;
    private final ChannelFollower follower;
    private final StreamSink sink;
    private final String boundary;

    private HttpStreamSubscriber(HttpServerExchange exchange, Framing framing, LocationSettings location,
                                 ChannelStore store, List<String> keys, PushMetrics metrics, IoMailboxes mailboxes,
                                 GracefulStop drain) {
        this.exchange = exchange;
        this.framing = framing;
        this.follower = new ChannelFollower(this, store, keys, location, metrics, mailboxes.of(exchange.getIoThread()),
                drain);
        this.sink = new StreamSink(exchange, EventSourceSubscriber.QUEUE_LIMIT_BYTES, this::gone);
        this.boundary = framing == Framing.MULTIPART ? boundary() : null;
    }

    /** nchan's test: {@code TE} names chunked, without {@code q=0}. */
    static boolean wantsChunked(HttpServerExchange exchange) {
        for (String te : exchange.getRequestHeaders().eachValue(Headers.TE)) {
            for (String part : te.split(",")) {
                String p = part.strip().toLowerCase(Locale.ROOT);
                if (p.equals("chunked") || p.startsWith("chunked;") && !p.replace(" ", "").matches("chunked;q=0(\\.0*)?")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** nchan's test: {@code Accept} contains multipart/mixed. */
    static boolean wantsMultipart(HttpServerExchange exchange) {
        for (String accept : exchange.getRequestHeaders().eachValue(Headers.ACCEPT)) {
            if (accept.toLowerCase(Locale.ROOT).contains("multipart/mixed")) return true;
        }
        return false;
    }

    /** Opens the stream, or answers 400 (bad cursor) or a long-poll's refusal; nothing stored then. */
    static void start(HttpServerExchange exchange, Framing framing, LocationSettings location, ChannelStore store,
                      List<String> keys, PushMetrics metrics, IoMailboxes mailboxes, GracefulStop drain) {
        StreamCursor.Requested requested = StreamCursor.of(exchange, false, keys.size());
        if (requested.invalid() != null) {
            Responses.text(exchange, 400, "Invalid " + requested.invalid() + "\n");
            return;
        }
        boolean ignoreQueue = !requested.given() && (location.streams().firstNewest()
                || location.ignoreQueueOnNoCache() && SubscriberEndpoint.disallowsCaching(exchange));
        HttpStreamSubscriber s = new HttpStreamSubscriber(exchange, framing, location, store, keys, metrics, mailboxes,
                drain);
        Refusal refused = s.follower.begin(StreamCursor.starts(requested, location, store, keys),
                requested.given(), ignoreQueue, s::open);
        if (refused != null) Responses.refusal(exchange, refused);
    }

    private void open() {
        exchange.setStatusCode(200);
        if (framing == Framing.MULTIPART) {
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "multipart/mixed; boundary=" + boundary);
        }
        exchange.dispatch(SameThreadExecutor.INSTANCE, NOTHING);
        DisconnectWatch.watch(exchange, this::gone);
        // the head goes out now, so the client sees the stream open (§14.11)
        if (framing == Framing.MULTIPART) {
            sink.write(ByteBuffer.wrap(("--" + boundary).getBytes(StandardCharsets.US_ASCII)));
        } else {
            sink.head();
        }
    }

    @Override
    public boolean send(Message m, String id, String key) {
        ByteBuffer body = m.body();
        ByteBuffer out;
        if (framing == Framing.CHUNKED) {
            if (!body.hasRemaining()) return true; // an empty chunk would end the response
            out = body;
        } else {
            int colon = id.indexOf(':');
            ByteArrayOutputStream b = new ByteArrayOutputStream(body.remaining() + 160);
            String head = "\r\nLast-Modified: " + HttpDates.format(Long.parseLong(id.substring(0, colon)))
                    + "\r\nEtag: " + id.substring(colon + 1)
                    + (m.contentType() == null ? "" : "\r\nContent-Type: " + m.contentType()) + "\r\n\r\n";
            b.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
            byte[] bytes = new byte[body.remaining()];
            body.get(bytes);
            b.writeBytes(bytes);
            b.writeBytes(("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII));
            out = ByteBuffer.wrap(b.toByteArray());
        }
        if (sink.write(out)) return true;
        if (follower.close()) {
            DisconnectWatch.clear(exchange);
            sink.abort();
        }
        return false;
    }

    @Override
    public void gap(String token) {
        // neither framing can say it (§14.11)
    }

    @Override
    public void ended(Refusal why) {
        close();
    }

    @Override
    public void stopping() {
        close();
    }

    /** Ends the response; a multipart body ends with its close delimiter. */
    private void close() {
        if (!follower.close()) return;
        DisconnectWatch.clear(exchange);
        if (framing == Framing.MULTIPART) sink.write(ByteBuffer.wrap("--\r\n".getBytes(StandardCharsets.US_ASCII)));
        sink.end();
    }

    private boolean gone() {
        if (!follower.close()) return false;
        RequestLog.clientGone(exchange);
        return true;
    }

    private static String boundary() {
        char[] c = new char[32];
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = 0; i < c.length; i++) c[i] = BOUNDARY_CHARS[r.nextInt(BOUNDARY_CHARS.length)];
        return new String(c);
    }
}
