package dev.pushrelay.lean;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lean parser takes plain heads only and leaves every doubtful one to Undertow (protocol.md §12). */
class HeadParserTest {

    private static LeanHead parse(String head) {
        ByteBuffer b = ByteBuffer.wrap(head.getBytes(StandardCharsets.ISO_8859_1));
        return HeadParser.parse(b, 0, b.limit(), 4096, 50);
    }

    private static void notMine(String head) {
        assertSame(HeadParser.NOT_MINE, parse(head), head);
    }

    @Test
    void a_plain_head_is_read_with_its_framing() {
        LeanHead h = parse("GET /sub?id=a&x=1 HTTP/1.1\r\nHost: example.test:8080\r\nIf-None-Match:  3  \r\n\r\nrest");
        assertEquals("GET", h.method);
        assertEquals("/sub?id=a&x=1", h.target);
        assertEquals("/sub", h.path);
        assertEquals("id=a&x=1", h.args);
        assertFalse(h.http10);
        assertTrue(h.keepAlive);
        assertEquals(-1, h.contentLength);
        assertEquals("3", h.header("if-none-match"), "spaces around the value dropped, name in any case");
        assertEquals("GET /sub?id=a&x=1 HTTP/1.1\r\nHost: example.test:8080\r\nIf-None-Match:  3  \r\n\r\n".length(), h.length);
    }

    @Test
    void keep_alive_follows_the_version_and_connection() {
        assertFalse(parse("GET / HTTP/1.0\r\n\r\n").keepAlive);
        assertTrue(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keepAlive);
        assertFalse(parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").keepAlive);
        assertEquals(5, parse("POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n").contentLength);
    }

    @Test
    void header_values_are_the_first_of_their_name_in_any_case_and_names_only_match_whole() {
        LeanHead h = parse("PUT /p HTTP/1.1\r\nHost: x\r\nX-A: 1\r\nx-a: 2\r\nX-AB: 3\r\nContent-Length: 000000000012\r\n"
                + "CONNECTION: KEEP-ALIVE\r\nEmpty:\r\n\r\n");
        assertEquals("PUT", h.method);
        assertEquals("1", h.header("x-A"));
        assertEquals("1", h.header("X-A"), "asked twice, the same value");
        assertEquals("3", h.header("x-ab"));
        assertNull(h.header("X"));
        assertNull(h.header("X-ABC"));
        assertNull(h.header("X_A"));
        assertEquals("", h.header("empty"));
        assertEquals("KEEP-ALIVE", h.header("Connection"));
        assertEquals(12, h.contentLength);
        assertTrue(h.keepAlive);
        assertEquals("DELETE", parse("DELETE /p HTTP/1.1\r\nHost: x\r\n\r\n").method);
        notMine("GET / HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\n\r\n");
        notMine("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n");
        notMine("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0000000000001\r\n\r\n");
        notMine("GET / HTTP/1.1\r\nHost: x\r\nhost: y\r\n\r\n");
        notMine("GET / HTTP/1.1\r\nHost: x_y\r\n\r\n");
        notMine("GET / HTTP/1.1\r\nHost: x\r\nTRANSFER-ENCODING: chunked\r\n\r\n");
    }

    @Test
    void an_incomplete_head_waits() {
        assertNull(parse("GET /sub HTTP/1.1\r\nHost: x\r\n"));
    }

    @Test
    void anything_doubtful_is_not_mine() {
        notMine("get / HTTP/1.1\r\nHost: x\r\n\r\n");
        notMine("GET  / HTTP/1.1\r\nHost: x\r\n\r\n");
        notMine("GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n");
        notMine("GET /a%20b HTTP/1.1\r\nHost: x\r\n\r\n");
        notMine("GET /a+b HTTP/1.1\r\nHost: x\r\n\r\n");
        notMine("GET /a;b HTTP/1.1\r\nHost: x\r\n\r\n");
        notMine("GET /a//b HTTP/1.1\r\nHost: x\r\n\r\n");
        notMine("GET /a/../b HTTP/1.1\r\nHost: x\r\n\r\n");
        notMine("GET /a? HTTP/1.1\r\nHost: x\r\n\r\n");
        notMine("GET /a?b?c HTTP/1.1\r\nHost: x\r\n\r\n");
        notMine("GET / HTTP/1.2\r\nHost: x\r\n\r\n");
        notMine("GET / HTTP/1.1\r\n\r\n"); // no Host
        notMine("GET / HTTP/1.1\nHost: x\n\n");
        notMine("GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n folded\r\n\r\n");
        notMine("GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n");
        notMine("GET / HTTP/1.1\r\nHost: x y\r\n\r\n");
        notMine("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n");
        notMine("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +1\r\n\r\n");
        notMine("POST / HTTP/1.1\r\nHost: x\r\nContent-Length:\t 1\r\n\r\n");
        notMine("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
        notMine("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n");
        notMine("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
        notMine("GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, close\r\n\r\n");
        notMine("GET / HTTP/1.1\r\nHost: x\r\nX-A: caf\u00e9\r\n\r\n");
        notMine("GET / HTTP/1.1\r\nHost: x\r\nX_A: 1\r\n\r\n");
    }

    @Test
    void a_head_near_the_limits_is_not_mine() {
        String big = "GET / HTTP/1.1\r\nHost: x\r\nX-A: " + "a".repeat(5000) + "\r\n\r\n";
        notMine(big);
        StringBuilder many = new StringBuilder("GET / HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 60; i++) many.append("X-").append(i).append(": 1\r\n");
        notMine(many.append("\r\n").toString());
    }
}
