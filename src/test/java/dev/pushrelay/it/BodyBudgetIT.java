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
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With {@code client_max_body_size 0} nothing but the memory budget bounds a publisher's body
 * (protocol.md §9): a message longer than push_max_reserved_memory could never be stored, so
 * its body is refused with the module's 500 instead of being read into the heap; bodies of
 * methods that do not publish are read and dropped, whatever their length.
 */
class BodyBudgetIT {

    static final int BUDGET = 64 * 1024;

    static final String CONF = """
            push_max_reserved_memory 64k;
            location /pub {
                set $push_channel_id $arg_id;
                push_publisher;
                client_max_body_size 0;
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
        return "budget" + ids.incrementAndGet();
    }

    static byte[] head(String method, String ch, String headers) {
        return (method + " /pub?id=" + ch + " HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    static void assertNothingPublished(String ch) throws IOException {
        assertEquals(404, server.send(RawHttp.get("/pub?id=" + ch)).status(), "nothing published on " + ch);
    }

    @Test
    void s9_a_declared_body_longer_than_the_budget_gets_500_before_it_is_sent() throws IOException {
        String ch = channel();
        try (RawHttp c = new RawHttp(server.port())) {
            // nothing of the body is sent: the answer must not wait for it
            c.send(head("POST", ch, "Content-Length: 10000000\r\n"));
            RawResponse r = c.read();
            assertEquals(500, r.status(), r.toString());
            assertEquals("message longer than push_max_reserved_memory (65536 bytes): nothing was stored\n", r.text());
            assertEquals("close", r.header("Connection"), "the unread body makes the connection unusable");
            assertTrue(c.closedByServer(10_000));
        }
        assertNothingPublished(ch);
    }

    @Test
    void s9_a_declared_body_longer_than_the_budget_gets_500_instead_of_100_continue() throws IOException {
        String ch = channel();
        try (RawHttp c = new RawHttp(server.port())) {
            c.send(head("POST", ch, "Content-Length: 70000\r\nExpect: 100-continue\r\n"));
            assertEquals(500, c.read().status());
        }
        assertNothingPublished(ch);
    }

    @Test
    void s9_a_chunked_body_crossing_the_budget_publishes_nothing() throws IOException {
        String ch = channel();
        try (RawSocket s = new RawSocket(server.port())) {
            s.send(head("POST", ch, "Transfer-Encoding: chunked\r\n"));
            String chunk = Integer.toHexString(40 * 1024) + "\r\n" + "x".repeat(40 * 1024) + "\r\n";
            s.send(chunk);
            try {
                s.send(chunk);
                s.send("0\r\n\r\n");
            } catch (IOException closedAlready) {
                // the server may have closed where the budget was crossed
            }
            RawSocket.Result r = s.readToClose(10_000);
            assertTrue(r.closed(), r.text());
            assertTrue(r.status() == 0 || r.status() == 500, r.text());
        }
        assertNothingPublished(ch);
    }

    @Test
    void s9_a_body_within_the_budget_is_stored_exactly_even_chunked() throws IOException {
        String ch = channel();
        byte[] body = new byte[20_000];
        for (int i = 0; i < body.length; i++) body[i] = (byte) (i * 13 + 1);
        try (RawHttp c = new RawHttp(server.port())) {
            c.send(head("POST", ch, "Transfer-Encoding: chunked\r\n"));
            for (int off = 0; off < body.length; off += 5000) {
                ByteArrayOutputStream piece = new ByteArrayOutputStream();
                piece.write("1388\r\n".getBytes(StandardCharsets.US_ASCII));
                piece.write(body, off, 5000);
                piece.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                c.send(piece.toByteArray());
            }
            c.send("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(202, c.read().status());
        }
        RawResponse m = server.send(RawHttp.get("/sub?id=" + ch));
        assertEquals(200, m.status());
        assertArrayEquals(body, m.body());
    }

    @Test
    void s9_a_body_on_a_method_that_does_not_publish_is_read_and_dropped_whatever_its_length() throws IOException {
        // The module reads every body before it looks at the method (§3.1); GET and DELETE
        // answer as usual, and the connection goes on from the right place.
        String ch = channel();
        assertEquals(202, server.send(RawHttp.post("/pub?id=" + ch, "hello")).status());
        byte[] big = new byte[3 * BUDGET];
        Arrays.fill(big, (byte) 'g');
        try (RawHttp c = new RawHttp(server.port())) {
            c.send(head("GET", ch, "Content-Length: " + big.length + "\r\n"));
            for (int off = 0; off < big.length; off += 16_000) {
                c.send(Arrays.copyOfRange(big, off, Math.min(big.length, off + 16_000)));
            }
            RawResponse info = c.read();
            assertEquals(200, info.status(), info.toString());
            assertTrue(info.text().contains("queued messages: 1"), info.text());
            c.send(head("DELETE", ch, "Content-Length: " + big.length + "\r\n"));
            c.send(big);
            assertEquals(200, c.read().status());
            c.send(RawHttp.get("/pub?id=" + ch));
            assertEquals(404, c.read().status(), "deleted, and the connection still in step");
        }
    }
}
