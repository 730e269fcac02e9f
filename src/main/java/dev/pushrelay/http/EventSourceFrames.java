package dev.pushrelay.http;

import dev.pushrelay.channel.Message;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The bytes of an EventSource stream (protocol.md §14.2, the WHATWG "text/event-stream"
 * format): each message is one event, {@code id:} its cursor token, then its body as
 * {@code data:} lines. The body is split on CR LF, lone CR and lone LF, exactly the line
 * ends a browser splits on, so no line end can leak into a field or end the event early.
 */
final class EventSourceFrames {

    private static final byte CR = '\r';
    private static final byte LF = '\n';

    /** A comment: ignored by EventSource clients, keeps proxies from closing an idle stream. */
    static final byte[] PING = ":\n\n".getBytes(StandardCharsets.US_ASCII);

    private static final io.undertow.util.HttpString X_EVENTSOURCE_EVENT = new io.undertow.util.HttpString("X-EventSource-Event");

    private EventSourceFrames() {
    }

    /**
     * The publisher's X-EventSource-Event (nchan's header), or null when absent or empty. A
     * header value cannot hold a line end, so the name is always one line.
     */
    static String eventName(io.undertow.server.HttpServerExchange exchange) {
        String v = exchange.getRequestHeaders().getFirst(X_EVENTSOURCE_EVENT);
        return v == null || v.isBlank() ? null : v.strip();
    }

    /**
     * One event carrying {@code m}: {@code id} its cursor token (§14.1, §14.8), {@code event}
     * the event name, or null for "message".
     */
    static ByteBuffer message(Message m, String id, String event) {
        ByteBuffer body = m.body();
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.remaining() + 48 + id.length());
        ascii(out, "id: " + id + "\n");
        if (event != null) {
            // header bytes back as they came (Undertow reads headers as ISO-8859-1)
            byte[] e = event.getBytes(StandardCharsets.ISO_8859_1);
            ascii(out, "event: ");
            out.write(e, 0, firstLineEnd(e));
            out.write(LF);
        }
        byte[] b = new byte[body.remaining()];
        body.get(b);
        data(out, b);
        out.write(LF);
        return ByteBuffer.wrap(out.toByteArray());
    }

    /** A named event without an id (it must not move the client's Last-Event-ID). */
    static ByteBuffer notice(String event, String data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        ascii(out, "event: " + event + "\n");
        data(out, data.getBytes(StandardCharsets.UTF_8));
        out.write(LF);
        return ByteBuffer.wrap(out.toByteArray());
    }

    /** {@code data:} lines; an empty body is one empty data line (an event with data ""). */
    private static void data(ByteArrayOutputStream out, byte[] b) {
        int start = 0;
        int i = 0;
        while (i < b.length) {
            if (b[i] == CR || b[i] == LF) {
                dataLine(out, b, start, i);
                i += b[i] == CR && i + 1 < b.length && b[i + 1] == LF ? 2 : 1;
                start = i;
            } else {
                i++;
            }
        }
        dataLine(out, b, start, b.length);
    }

    private static void dataLine(ByteArrayOutputStream out, byte[] b, int from, int to) {
        ascii(out, "data: ");
        out.write(b, from, to - from);
        out.write(LF);
    }

    /** An event name is one line: anything after its first line end is dropped. */
    private static int firstLineEnd(byte[] b) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == CR || b[i] == LF) return i;
        }
        return b.length;
    }

    private static void ascii(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        out.write(b, 0, b.length);
    }
}
