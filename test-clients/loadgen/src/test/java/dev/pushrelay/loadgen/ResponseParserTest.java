package dev.pushrelay.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ResponseParserTest {
    private static final String MSG = "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/plain\r\n"
            + "Content-Length: 5\r\nLast-Modified: Mon, 23 Nov 2026 14:23:06 GMT\r\nConnection: keep-alive\r\n"
            + "ETAG: 12\r\nVary: If-None-Match, If-Modified-Since\r\n\r\nhello";

    private static ByteBuffer buf(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void parsesMessageAndCursorVerbatim() throws Exception {
        ResponseParser p = new ResponseParser(64);
        assertTrue(p.parse(buf(MSG)));
        assertEquals(200, p.status);
        assertEquals("hello", p.bodyString());
        assertEquals("Mon, 23 Nov 2026 14:23:06 GMT", new String(p.lastModified, 0, p.lastModifiedLen));
        assertEquals("12", new String(p.etag, 0, p.etagLen));
        assertFalse(p.close);
    }

    @Test
    void parsesByteByByteAndBackToBack() throws Exception {
        String two = MSG + "HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n";
        ResponseParser p = new ResponseParser(64);
        byte[] b = two.getBytes(StandardCharsets.ISO_8859_1);
        int done = 0;
        int[] statuses = new int[2];
        for (byte x : b) {
            ByteBuffer one = ByteBuffer.wrap(new byte[] {x});
            if (p.parse(one)) {
                statuses[done++] = p.status;
                if (done == 1) {
                    assertEquals("hello", p.bodyString());
                }
            }
        }
        assertEquals(2, done);
        assertEquals(200, statuses[0]);
        assertEquals(408, statuses[1]);
        assertEquals(-1, p.etagLen);
    }

    @Test
    void keepsOnlyBodyPrefix() throws Exception {
        String big = "x".repeat(1000);
        ResponseParser p = new ResponseParser(10);
        ByteBuffer b = buf("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + big + "HTTP/1.1 304 Not Modified\r\n\r\n");
        assertTrue(p.parse(b));
        assertEquals(10, p.bodyKept);
        assertTrue(p.parse(b));
        assertEquals(304, p.status);
        assertFalse(b.hasRemaining());
    }

    @Test
    void rejectsChunked() {
        ResponseParser p = new ResponseParser(10);
        ResponseParser.ProtocolException e = assertThrows(ResponseParser.ProtocolException.class,
                () -> p.parse(buf("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")));
        assertTrue(e.getMessage().contains("chunked"), e.getMessage());
    }

    @Test
    void rejectsMissingLengthAndGarbage() {
        assertThrows(ResponseParser.ProtocolException.class,
                () -> new ResponseParser(10).parse(buf("HTTP/1.1 200 OK\r\nServer: x\r\n\r\n")));
        assertThrows(ResponseParser.ProtocolException.class,
                () -> new ResponseParser(10).parse(buf("SSH-2.0-OpenSSH_9\r\n")));
    }

    @Test
    void connectionCloseAndHttp10() throws Exception {
        ResponseParser p = new ResponseParser(10);
        assertTrue(p.parse(buf("HTTP/1.1 202 Accepted\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")));
        assertTrue(p.close);
        assertTrue(p.parse(buf("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")));
        assertTrue(p.close);
    }
}
