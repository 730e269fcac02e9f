package dev.pushrelay.http;

import dev.pushrelay.channel.Cursor;

/**
 * The cursor as one opaque token (protocol.md §14.1): {@code <seconds>:<tag>}, both plain
 * non-negative decimals, e.g. {@code 1789999200:3}. It names the same message as the
 * Last-Modified + Etag pair of a long-poll answer, and is the form nchan uses for a
 * single channel's message id, so clients that stored nchan ids keep working.
 */
final class EventIds {

    /** Longer parts cannot be a time or a tag we issued (and would overflow a long). */
    private static final int MAX_DIGITS = 18;

    private EventIds() {
    }

    static String format(Cursor c) {
        return c.time() + ":" + c.tag();
    }

    /** The cursor a token names, or null when it is not exactly {@code digits:digits}. */
    static Cursor parse(String token) {
        if (token == null) return null;
        int colon = token.indexOf(':');
        if (colon < 0) return null;
        long time = digits(token, 0, colon);
        long tag = digits(token, colon + 1, token.length());
        return time < 0 || tag < 0 ? null : new Cursor(time, tag);
    }

    /** The decimal number in {@code s[from, to)}, or -1 if it is empty, too long or not all digits. */
    static long digits(String s, int from, int to) {
        if (to <= from || to - from > MAX_DIGITS) return -1;
        long n = 0;
        for (int i = from; i < to; i++) {
            char ch = s.charAt(i);
            if (ch < '0' || ch > '9') return -1;
            n = n * 10 + (ch - '0');
        }
        return n;
    }
}
