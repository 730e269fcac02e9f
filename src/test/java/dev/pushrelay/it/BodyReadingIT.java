package dev.pushrelay.it;

import dev.pushrelay.testing.RawHttp;
import dev.pushrelay.testing.RawResponse;
import dev.pushrelay.testing.RawSocket;
import dev.pushrelay.testing.ServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A publisher's body is stored byte for byte however it arrives (protocol.md §3.1): with the
 * head, in pieces after it, chunked in many pieces larger than the first buffer, empty, or
 * holding every byte value. The body reader is pushrelay's own (http/BodyReader).
 */
class BodyReadingIT {

    static final String CONF = """
            location /pub {
                set $push_channel_id $arg_id;
                push_publisher;
                client_max_body_size 64k;
            }
            location /sub {
                set $push_channel_id $arg_id;
                push_subscriber;
            }
            """;

    @RegisterExtension
    static final ServerExtension server = ServerExtension.perClass(CONF);
    static final AtomicInteger ids = new AtomicInteger();

    static String channel() {
        return "body" + ids.incrementAndGet();
    }

    static byte[] everyByte(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (i * 31 + 7);
        return b;
    }

    static byte[] head(String ch, String headers) {
        return ("POST /pub?id=" + ch + " HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] stored(String ch) throws IOException {
        RawResponse r = server.send(RawHttp.get("/sub?id=" + ch));
        assertEquals(200, r.status(), r.toString());
        return r.body();
    }

    @Test
    void s3_1_a_body_that_came_with_the_head_is_stored_exactly() throws IOException {
        String ch = channel();
        byte[] body = everyByte(256);
        try (RawHttp c = new RawHttp(server.port())) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.write(head(ch, "Content-Length: 256\r\n"));
            all.write(body);
            c.send(all.toByteArray());
            assertEquals(202, c.read().status());
        }
        assertArrayEquals(body, stored(ch));
        assertEquals("256", server.send(RawHttp.get("/sub?id=" + ch)).header("Content-Length"));
    }

    @Test
    void s3_1_a_declared_body_in_pieces_after_the_head_is_stored_exactly() throws IOException {
        String ch = channel();
        byte[] body = everyByte(3000);
        try (RawHttp c = new RawHttp(server.port())) {
            c.send(head(ch, "Content-Length: 3000\r\n"));
            for (int off = 0; off < body.length; off += 700) {
                c.send(java.util.Arrays.copyOfRange(body, off, Math.min(body.length, off + 700)));
            }
            assertEquals(202, c.read().status());
            // the connection stays usable: the next request on it is read from the right place
            c.send(RawHttp.get("/pub?id=" + ch));
            assertEquals(200, c.read().status());
        }
        assertArrayEquals(body, stored(ch));
    }

    @Test
    void s3_1_a_declared_body_larger_than_the_first_allocation_is_stored_exactly() throws IOException {
        // declared lengths are allocated 16 KiB at a time as the bytes arrive (protocol.md §9)
        String ch = channel();
        byte[] body = everyByte(50_000);
        try (RawHttp c = new RawHttp(server.port())) {
            c.send(head(ch, "Content-Length: 50000\r\n"));
            for (int off = 0; off < body.length; off += 7000) {
                c.send(java.util.Arrays.copyOfRange(body, off, Math.min(body.length, off + 7000)));
            }
            assertEquals(202, c.read().status());
        }
        assertArrayEquals(body, stored(ch));
    }

    @Test
    void s3_1_a_chunked_body_larger_than_the_first_buffer_is_stored_exactly() throws IOException {
        String ch = channel();
        byte[] body = everyByte(5000);
        try (RawHttp c = new RawHttp(server.port())) {
            c.send(head(ch, "Transfer-Encoding: chunked\r\n"));
            for (int off = 0; off < body.length; off += 1000) {
                ByteArrayOutputStream chunk = new ByteArrayOutputStream();
                chunk.write("3e8\r\n".getBytes(StandardCharsets.US_ASCII));
                chunk.write(body, off, 1000);
                chunk.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                c.send(chunk.toByteArray());
            }
            c.send("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(202, c.read().status());
            c.send(RawHttp.get("/pub?id=" + ch));
            assertEquals(200, c.read().status());
        }
        assertArrayEquals(body, stored(ch));
    }

    @Test
    void s3_1_expect_100_continue_is_answered_before_the_body_is_sent() throws IOException {
        // nginx sends "100 Continue" before reading a body (ngx_http_test_expect); curl waits
        // a second for it when it sent "Expect: 100-continue".
        String ch = channel();
        try (RawHttp c = new RawHttp(server.port())) {
            c.send(head(ch, "Content-Length: 5\r\nExpect: 100-continue\r\n"));
            RawResponse cont = c.readHead();
            assertEquals("HTTP/1.1 100 Continue", cont.statusLine());
            c.send("hello".getBytes(StandardCharsets.US_ASCII));
            assertEquals(202, c.read().status());
        }
        assertEquals("hello", new String(stored(ch), StandardCharsets.US_ASCII));
    }

    @Test
    void s3_1_a_declared_body_over_the_limit_gets_413_instead_of_100_continue() throws IOException {
        String ch = channel();
        try (RawHttp c = new RawHttp(server.port())) {
            c.send(head(ch, "Content-Length: 70000\r\nExpect: 100-continue\r\n"));
            assertEquals(413, c.read().status());
        }
        assertEquals(404, server.send(RawHttp.get("/pub?id=" + ch)).status(), "nothing published");
    }

    @Test
    void s3_1_an_empty_body_publishes_an_empty_message() throws IOException {
        String ch = channel();
        assertEquals(202, server.send(RawHttp.request("POST", "/pub?id=" + ch, new byte[0])).status());
        RawResponse m = server.send(RawHttp.get("/sub?id=" + ch));
        assertEquals(200, m.status());
        assertEquals("0", m.header("Content-Length"));
        assertEquals(0, m.body().length);
    }

    @Test
    void s3_1_a_chunked_body_over_the_limit_after_the_head_publishes_nothing() throws IOException {
        String ch = channel();
        try (RawSocket s = new RawSocket(server.port())) {
            s.send(head(ch, "Transfer-Encoding: chunked\r\n"));
            String chunk = Integer.toHexString(40 * 1024) + "\r\n" + "x".repeat(40 * 1024) + "\r\n";
            s.send(chunk);
            try {
                s.send(chunk);
            } catch (IOException closedAlready) {
                // the server may have closed where the limit was crossed
            }
            RawSocket.Result r = s.readToClose(10_000);
            // Undertow stops reading where the limit is crossed: a 413 or a bare close, never a success
            assertTrue(r.closed(), r.text());
            assertTrue(r.status() == 0 || r.status() == 413, r.text());
        }
        assertEquals(404, server.send(RawHttp.get("/pub?id=" + ch)).status(), "nothing published");
    }
}
