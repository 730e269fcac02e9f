package dev.pushrelay.http;

import dev.pushrelay.channel.Cursor;

/**
 * Request headers → {@link Cursor}, as the module reads them (protocol.md §4.2):
 * If-Modified-Since is an HTTP date (absent → 0, unparsable → -1); If-None-Match counts
 * only as a plain non-negative decimal integer over the whole value, else 0.
 */
final class CursorHeaders {

    private CursorHeaders() {
    }

    static Cursor cursor(String ifModifiedSince, String ifNoneMatch) {
        long time = ifModifiedSince == null ? 0 : HttpDates.parse(ifModifiedSince);
        return new Cursor(time, tag(ifNoneMatch));
    }

    /** ngx_atoi over the whole value: digits only; anything else (quotes, W/, lists, blanks) is 0. */
    static long tag(String value) {
        if (value == null || value.isEmpty() || value.length() > 18) return 0;
        long n = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') return 0;
            n = n * 10 + (c - '0');
        }
        return n;
    }
}
