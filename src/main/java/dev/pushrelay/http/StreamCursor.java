package dev.pushrelay.http;

import dev.pushrelay.channel.Cursor;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

import java.util.Deque;

/**
 * Where a subscriber asks to start (protocol.md §14.1): the cursor token from the
 * {@code Last-Event-ID} header (EventSource only), else the {@code last_event_id} or
 * {@code cursor} argument, else the legacy If-Modified-Since + If-None-Match pair (§4.2),
 * else before the oldest message. A subscriber of several channels (§14.8) names one
 * cursor per channel in one compound token ({@link CompoundIds}).
 */
final class StreamCursor {

    /**
     * @param cursors where to start, one per channel followed
     * @param given the client named a position (a token, or If-Modified-Since)
     * @param invalid the name of the field whose token is malformed, else null
     */
    record Requested(Cursor[] cursors, boolean given, String invalid) {
        Cursor cursor() {
            return cursors[0];
        }
    }

    static final io.undertow.util.HttpString GAP = new io.undertow.util.HttpString("X-Pushrelay-Gap");

    private StreamCursor() {
    }

    static Requested of(HttpServerExchange exchange, boolean eventSource) {
        return of(exchange, eventSource, 1);
    }

    /** @param channels how many channels the subscriber follows (§14.8) */
    static Requested of(HttpServerExchange exchange, boolean eventSource, int channels) {
        if (eventSource) {
            String header = exchange.getRequestHeaders().getFirst(EventSourceSubscriber.LAST_EVENT_ID);
            if (header != null) return token(header, "Last-Event-ID", channels);
        }
        String arg = argument(exchange, "last_event_id");
        if (arg != null) return token(arg, "last_event_id", channels);
        arg = argument(exchange, "cursor");
        if (arg != null) return token(arg, "cursor", channels);
        var headers = exchange.getRequestHeaders();
        String ims = headers.getFirst(Headers.IF_MODIFIED_SINCE);
        String inm = headers.getFirst(Headers.IF_NONE_MATCH);
        if (channels == 1) return new Requested(new Cursor[] {CursorHeaders.cursor(ims, inm)}, ims != null, null);
        return compoundHeaders(ims, inm, channels);
    }

    /**
     * nchan's headers for several channels (§14.8): If-Modified-Since the seconds and
     * If-None-Match the tags, or If-None-Match alone a whole compound token.
     */
    private static Requested compoundHeaders(String ims, String inm, int channels) {
        Cursor[] cs;
        if (ims != null) {
            long time = HttpDates.parse(ims);
            if (time <= 0) return nothingNamed(channels); // nchan: before 1970 names nothing
            cs = CompoundIds.parse(time, inm == null ? "-" : inm.strip(), channels);
        } else if (inm != null) {
            cs = CompoundIds.parse(inm.strip(), channels);
        } else {
            return nothingNamed(channels);
        }
        return cs == null ? new Requested(nothing(channels), true, "If-None-Match") : new Requested(cs, true, null);
    }

    private static Requested nothingNamed(int channels) {
        return new Requested(nothing(channels), false, null);
    }

    private static Cursor[] nothing(int channels) {
        Cursor[] cs = new Cursor[channels];
        java.util.Arrays.fill(cs, Cursor.OLDEST);
        return cs;
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
     * Where each channel starts: the cursors named, or with nchan_subscriber_first_message N
     * or -N (§14.7) and no position named, just before each channel's Nth stored message
     * (from the oldest, or the newest), as nchan's.
     */
    static Cursor[] starts(Requested r, dev.pushrelay.config.LocationSettings location,
                           dev.pushrelay.store.ChannelStore store, java.util.List<String> keys) {
        int nth = location.streams().firstMessage();
        if (r.given() || nth == dev.pushrelay.config.StreamSettings.OLDEST
                || nth == dev.pushrelay.config.StreamSettings.NEWEST) {
            return r.cursors();
        }
        Cursor[] cs = new Cursor[keys.size()];
        for (int i = 0; i < cs.length; i++) {
            Cursor c = store.before(keys.get(i), nth);
            cs[i] = c == null ? Cursor.OLDEST : c;
        }
        return cs;
    }

    /**
     * The newest message after {@code after} that the channel no longer stores, or null:
     * the gap signal of §14.5.
     */
    static Cursor missed(dev.pushrelay.store.ChannelStore store, String key, Cursor after) {
        Cursor forgotten = store.forgottenThrough(key);
        return forgotten != null && forgotten.isAfter(after) ? forgotten : null;
    }

    private static Requested token(String value, String field, int channels) {
        if (channels > 1) {
            Cursor[] cs = CompoundIds.parse(value.strip(), channels);
            return cs == null ? new Requested(nothing(channels), true, field) : new Requested(cs, true, null);
        }
        Cursor c = EventIds.parse(value.strip());
        return c == null ? new Requested(nothing(1), true, field) : new Requested(new Cursor[] {c}, true, null);
    }

    private static String argument(HttpServerExchange exchange, String name) {
        Deque<String> values = exchange.getQueryParameters().get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }
}
