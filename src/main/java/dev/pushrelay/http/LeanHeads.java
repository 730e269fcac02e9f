package dev.pushrelay.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.xnio.XnioIoThread;

/**
 * The response heads of the lean path, byte for byte what Undertow writes for the same
 * answers today (protocol.md §12): the status line (HTTP/1.1 whatever the request's version),
 * {@code Connection} first when there is one (keep-alive or close to an HTTP/1.0 client, close
 * to an HTTP/1.1 client whose connection ends), the answer's own headers in the order
 * Undertow's header map gives them, and {@code Date} last, Undertow's own value
 * ({@link UndertowDate}), its line built once per value per IO thread.
 */
final class LeanHeads {

    static final byte[] OK_200 = ascii("HTTP/1.1 200 OK\r\n");
    static final byte[] CREATED_201 = ascii("HTTP/1.1 201 Created\r\n");
    static final byte[] ACCEPTED_202 = ascii("HTTP/1.1 202 Accepted\r\n");
    static final byte[] NOT_MODIFIED_304 = ascii("HTTP/1.1 304 Not Modified\r\n");
    static final byte[] FORBIDDEN_403 = ascii("HTTP/1.1 403 Forbidden\r\n");
    static final byte[] NOT_FOUND_404 = ascii("HTTP/1.1 404 Not Found\r\n");
    static final byte[] CONFLICT_409 = ascii("HTTP/1.1 409 Conflict\r\n");
    static final byte[] GONE_410 = ascii("HTTP/1.1 410 Gone\r\n");
    static final byte[] LENGTH_ZERO = ascii("Content-Length: 0\r\n");
    private static final byte[] KEEP_ALIVE = ascii("Connection: keep-alive\r\n");
    private static final byte[] CLOSE = ascii("Connection: close\r\n");
    private static final byte[] NONE = new byte[0];

    private final UndertowDate dates = new UndertowDate();
    /** This IO thread's Date line ("Date: ...\r\n\r\n", ending the head), for the value it was built from. */
    private final ThreadLocal<DateLine> lines = ThreadLocal.withInitial(DateLine::new);

    private static final class DateLine {
        String value;
        byte[] bytes;
    }

    /** The Connection line of an answer, or none. */
    static byte[] connection(LeanExchange exchange, boolean persistent) {
        if (exchange.http10()) return persistent ? KEEP_ALIVE : CLOSE;
        return persistent ? NONE : CLOSE;
    }

    /** The head's last line and the blank line after it: Undertow's Date value now. */
    byte[] dateLine(XnioIoThread io) {
        String now = dates.now(io);
        DateLine d = lines.get();
        if (d.value != now) { // Undertow's cache hands out one String per second
            d.bytes = ascii("Date: " + now + "\r\n\r\n");
            d.value = now;
        }
        return d.bytes;
    }

    /** A header-only answer (304, 409, 410): status, Connection, Content-Length: 0, Date. */
    ByteBuffer[] headerOnly(byte[] status, LeanExchange exchange, boolean persistent) {
        return new ByteBuffer[] {ByteBuffer.wrap(status), ByteBuffer.wrap(connection(exchange, persistent)),
                ByteBuffer.wrap(LENGTH_ZERO), ByteBuffer.wrap(dateLine(exchange.ioThread()))};
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
