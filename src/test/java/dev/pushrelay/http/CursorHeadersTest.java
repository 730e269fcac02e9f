package dev.pushrelay.http;

import dev.pushrelay.channel.Cursor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** protocol.md §4.2: how If-Modified-Since and If-None-Match become a cursor. */
class CursorHeadersTest {

    @Test
    void no_headers_is_the_oldest() {
        assertEquals(new Cursor(0, 0), CursorHeaders.cursor(null, null));
    }

    @Test
    void unparsable_date_is_minus_one() {
        assertEquals(new Cursor(-1, 5), CursorHeaders.cursor("garbage", "5"));
    }

    @Test
    void etag_counts_only_as_plain_digits() {
        assertEquals(3, CursorHeaders.tag("3"));
        assertEquals(0, CursorHeaders.tag("\"3\""));
        assertEquals(0, CursorHeaders.tag("W/\"3\""));
        assertEquals(0, CursorHeaders.tag("1, 2"));
        assertEquals(0, CursorHeaders.tag(" 3"));
        assertEquals(0, CursorHeaders.tag(""));
        assertEquals(0, CursorHeaders.tag("-3"));
    }
}
