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
        return ByteBuffer.wrap(event(m, id, event, 0, 0));
    }

    /**
     * The same event framed as one HTTP/1.1 chunk (RFC 9112 §7.1), {@code <hex size>\r\n},
     * the event, {@code \r\n}: what every stream of a single channel writes for {@code m}
     * (§14.3), built in one pass into one exact array.
     */
    static ByteBuffer chunk(Message m, String id, String event) {
        int size = size(m.body(), id, event);
        String hex = Integer.toHexString(size);
        byte[] b = event(m, id, event, hex.length() + 2, 2);
        for (int i = 0; i < hex.length(); i++) b[i] = (byte) hex.charAt(i);
        b[hex.length()] = CR;
        b[hex.length() + 1] = LF;
        b[b.length - 2] = CR;
        b[b.length - 1] = LF;
        return ByteBuffer.wrap(b);
    }

    /**
     * The event's bytes at {@code before} in an array with {@code after} bytes left free after
     * them: its size worked out first, so one exact array and no stream or copy is made.
     */
    private static byte[] event(Message m, String id, String event, int before, int after) {
        ByteBuffer body = m.body();
        byte[] out = new byte[before + size(body, id, event) + after];
        int o = ascii(out, before, "id: ");
        o = ascii(out, o, id);
        out[o++] = LF;
        if (event != null) {
            // header bytes back as they came (Undertow reads headers as ISO-8859-1)
            o = ascii(out, o, "event: ");
            int n = firstLineEnd(event);
            for (int i = 0; i < n; i++) {
                char c = event.charAt(i);
                out[o++] = c <= 0xff ? (byte) c : (byte) '?';
            }
            out[o++] = LF;
        }
        int from = body.position();
        int end = body.limit();
        int start = from;
        int i = from;
        while (i < end) {
            byte c = body.get(i);
            if (c == CR || c == LF) {
                o = dataLine(out, o, body, start, i);
                i += c == CR && i + 1 < end && body.get(i + 1) == LF ? 2 : 1;
                start = i;
            } else {
                i++;
            }
        }
        o = dataLine(out, o, body, start, end);
        out[o] = LF;
        return out;
    }

    /** The bytes of the event {@link #event} writes; the body's position is not moved. */
    private static int size(ByteBuffer body, String id, String event) {
        int n = 4 + id.length() + 1 + 1; // "id: " id LF, and the event's closing LF
        if (event != null) n += 7 + firstLineEnd(event) + 1;
        int lines = 1;
        int end = body.limit();
        int bytes = 0;
        for (int i = body.position(); i < end; ) {
            byte c = body.get(i);
            if (c == CR || c == LF) {
                lines++;
                i += c == CR && i + 1 < end && body.get(i + 1) == LF ? 2 : 1;
            } else {
                bytes++;
                i++;
            }
        }
        return n + bytes + lines * 7; // each line "data: " ... LF
    }

    private static int dataLine(byte[] out, int o, ByteBuffer body, int from, int to) {
        o = ascii(out, o, "data: ");
        body.get(from, out, o, to - from);
        o += to - from;
        out[o++] = LF;
        return o;
    }

    /** An event name is one line: anything after its first line end is dropped. */
    private static int firstLineEnd(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r' || c == '\n') return i;
        }
        return s.length();
    }

    /** {@code s} as US-ASCII bytes at {@code o} (anything else '?', as its encoder); the end. */
    private static int ascii(byte[] out, int o, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out[o++] = c < 0x80 ? (byte) c : (byte) '?';
        }
        return o;
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

    private static void ascii(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        out.write(b, 0, b.length);
    }
}
