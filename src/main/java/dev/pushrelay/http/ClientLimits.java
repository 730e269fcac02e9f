package dev.pushrelay.http;

import dev.pushrelay.config.ConfiguredClientLimits;
import dev.pushrelay.config.ValueSyntax;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpServerExchange;
import org.xnio.Option;
import org.xnio.OptionMap;

import java.util.function.UnaryOperator;

/**
 * What pushrelay tolerates from a client before it answers 4xx or closes, with nginx's
 * defaults (README "Operating pushrelay: hostile clients and limits", protocol.md §9):
 *
 * @param headerTimeoutMs client_header_timeout: the whole request head must arrive within
 *        this time once it has started; otherwise the connection is closed without an
 *        answer, as nginx does (it logs 408 but sends nothing)
 * @param bodyTimeoutMs client_body_timeout: the longest pause between two reads of a
 *        publisher's body; then the connection is closed without an answer, nothing is published
 * @param lineBytes large_client_header_buffers size: a longer request line gets 414, a longer
 *        header line 400 "Request Header Or Cookie Too Large"
 * @param headerBytes large_client_header_buffers number x size: a longer request head gets
 *        Undertow's bare 400 and a close
 * @param maxHeaders more header lines than this get a bare 400 and a close (nginx has no such
 *        count; the head size bounds it anyway)
 */
public record ClientLimits(long headerTimeoutMs, long bodyTimeoutMs, int lineBytes, int headerBytes, int maxHeaders) {

    /** nginx: client_header_timeout 60s, client_body_timeout 60s, large_client_header_buffers 4 8k. */
    public static final ClientLimits NGINX = new ClientLimits(60_000, 60_000, 8 * 1024, 4 * 8 * 1024, 1000);

    /** Undertow carries our own limits on each connection, so handlers need no extra wiring. */
    static final Option<Long> BODY_TIMEOUT = Option.simple(ClientLimits.class, "BODY_TIMEOUT", Long.class);
    public static final Option<Integer> LINE_BYTES = Option.simple(ClientLimits.class, "LINE_BYTES", Integer.class);

    public ClientLimits {
        if (headerTimeoutMs <= 0 || bodyTimeoutMs <= 0 || lineBytes <= 0 || headerBytes < lineBytes || maxHeaders <= 0) {
            throw new IllegalArgumentException("client limits must be positive, head >= line: " + headerTimeoutMs + " "
                    + bodyTimeoutMs + " " + lineBytes + " " + headerBytes + " " + maxHeaders);
        }
    }

    /**
     * {@link #NGINX}, each value overridable with a JVM system property in nginx syntax
     * ({@code -Dpushrelay.client_header_timeout=10s}, {@code pushrelay.client_body_timeout},
     * {@code pushrelay.large_client_header_buffer=16k}, {@code pushrelay.client_header_max=64k},
     * {@code pushrelay.client_max_headers=1000}).
     */
    public static ClientLimits fromSystemProperties() {
        return from(System::getProperty);
    }

    static ClientLimits from(UnaryOperator<String> props) {
        return new ClientLimits(
                ms(props.apply("pushrelay.client_header_timeout"), NGINX.headerTimeoutMs),
                ms(props.apply("pushrelay.client_body_timeout"), NGINX.bodyTimeoutMs),
                (int) bytes(props.apply("pushrelay.large_client_header_buffer"), NGINX.lineBytes),
                (int) bytes(props.apply("pushrelay.client_header_max"), NGINX.headerBytes),
                (int) bytes(props.apply("pushrelay.client_max_headers"), NGINX.maxHeaders));
    }

    /**
     * These limits with what the configuration sets (protocol.md §9): client_header_timeout,
     * client_body_timeout, and large_client_header_buffers as the longest line (its size) and
     * the longest head (number x size).
     */
    public ClientLimits with(ConfiguredClientLimits d) {
        long header = d.headerTimeoutMs() != null ? d.headerTimeoutMs() : headerTimeoutMs;
        long body = d.bodyTimeoutMs() != null ? d.bodyTimeoutMs() : bodyTimeoutMs;
        int line = lineBytes;
        int head = headerBytes;
        if (d.headerBufferCount() != null && d.headerBufferBytes() != null) {
            line = (int) Math.min(Integer.MAX_VALUE, d.headerBufferBytes());
            head = (int) Math.min(Integer.MAX_VALUE, d.headerBufferBytes() * d.headerBufferCount());
        }
        return new ClientLimits(header, body, line, head, maxHeaders);
    }

    /** Sets the Undertow options that enforce these limits. */
    public void applyTo(OptionMap.Builder options) {
        options.set(UndertowOptions.MAX_HEADER_SIZE, headerBytes)
                .set(UndertowOptions.MAX_HEADERS, maxHeaders)
                // nginx does not count query arguments; the head size bounds them.
                .set(UndertowOptions.MAX_PARAMETERS, headerBytes)
                .set(UndertowOptions.REQUEST_PARSE_TIMEOUT, (int) Math.min(Integer.MAX_VALUE, headerTimeoutMs))
                // Undertow's builder turns this on: it holds a finished response back while a
                // pipelined request is handled, which for a parked long-poll is forever.
                .set(UndertowOptions.BUFFER_PIPELINED_DATA, false)
                .set(BODY_TIMEOUT, bodyTimeoutMs)
                .set(LINE_BYTES, lineBytes);
    }

    static long bodyTimeoutMs(HttpServerExchange exchange) {
        return exchange.getConnection().getUndertowOptions().get(BODY_TIMEOUT, NGINX.bodyTimeoutMs);
    }

    static int lineBytes(HttpServerExchange exchange) {
        return exchange.getConnection().getUndertowOptions().get(LINE_BYTES, NGINX.lineBytes);
    }

    /** nginx's time syntax, parsed as the configuration parses it ({@code 500ms}, {@code 60}, {@code 1h30m}). */
    static long ms(String v, long dflt) {
        if (v == null || v.isBlank()) return dflt;
        long ms = ValueSyntax.millis(v.trim());
        if (ms < 0) throw new IllegalArgumentException("not an nginx time: " + v);
        return ms;
    }

    /** nginx's size syntax, parsed as the configuration parses it ({@code 8192}, {@code 8k}, {@code 1m}). */
    static long bytes(String v, long dflt) {
        if (v == null || v.isBlank()) return dflt;
        long n = ValueSyntax.size(v.trim());
        if (n < 0) throw new IllegalArgumentException("not an nginx size: " + v);
        return n;
    }
}
