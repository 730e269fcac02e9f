package dev.pushrelay.http;

import dev.pushrelay.channel.Cursor;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

import java.util.Deque;

/**
 * Where a subscriber asks to start (protocol.md §14.1): the cursor token from the
 * {@code Last-Event-ID} header (EventSource only), else the {@code last_event_id} or
 * {@code cursor} argument, else the legacy If-Modified-Since + If-None-Match pair (§4.2),
 * else before the oldest message.
 */
final class StreamCursor {

    /**
     * @param cursor where to start
     * @param given the client named a position (a token, or If-Modified-Since)
     * @param invalid the name of the field whose token is malformed, else null
     */
    record Requested(Cursor cursor, boolean given, String invalid) { }

    static final io.undertow.util.HttpString GAP = new io.undertow.util.HttpString("X-Pushrelay-Gap");

    private StreamCursor() {
    }

    static Requested of(HttpServerExchange exchange, boolean eventSource) {
        if (eventSource) {
            String header = exchange.getRequestHeaders().getFirst(EventSourceSubscriber.LAST_EVENT_ID);
            if (header != null) return token(header, "Last-Event-ID");
        }
        String arg = argument(exchange, "last_event_id");
        if (arg != null) return token(arg, "last_event_id");
        arg = argument(exchange, "cursor");
        if (arg != null) return token(arg, "cursor");
        var headers = exchange.getRequestHeaders();
        String ims = headers.getFirst(Headers.IF_MODIFIED_SINCE);
        return new Requested(CursorHeaders.cursor(ims, headers.getFirst(Headers.IF_NONE_MATCH)), ims != null, null);
    }

    /**
     * A long-poll's or interval-poll's cursor: a token argument, else the legacy headers,
     * exactly as before. With {@code pushrelay_cursor_gap_header on} the answer carries
     * {@code X-Pushrelay-Gap} when messages after the cursor are no longer stored (§14.5).
     *
     * @return null when the token is invalid: the 400 has been sent
     */
    static Cursor forPoll(HttpServerExchange exchange, dev.pushrelay.config.LocationSettings location,
                          dev.pushrelay.store.ChannelStore store, String key) {
        Requested r = of(exchange, false);
        if (r.invalid() != null) {
            Responses.text(exchange, 400, "Invalid " + r.invalid() + "\n");
            return null;
        }
        if (r.given() && location.streams().gapHeader()) {
            Cursor missed = missed(store, key, r.cursor());
            if (missed != null) exchange.getResponseHeaders().put(GAP, EventIds.format(missed));
        }
        return r.cursor();
    }

    /**
     * The newest message after {@code after} that the channel no longer stores, or null:
     * the gap signal of §14.5.
     */
    static Cursor missed(dev.pushrelay.store.ChannelStore store, String key, Cursor after) {
        Cursor forgotten = store.forgottenThrough(key);
        return forgotten != null && forgotten.isAfter(after) ? forgotten : null;
    }

    private static Requested token(String value, String field) {
        Cursor c = EventIds.parse(value.strip());
        return c == null ? new Requested(Cursor.OLDEST, true, field) : new Requested(c, true, null);
    }

    private static String argument(HttpServerExchange exchange, String name) {
        Deque<String> values = exchange.getQueryParameters().get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }
}
