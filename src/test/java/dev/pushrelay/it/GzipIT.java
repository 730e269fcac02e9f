package dev.pushrelay.it;

import dev.pushrelay.testing.Gzip;
import dev.pushrelay.testing.RawHttp;
import dev.pushrelay.testing.RawResponse;
import dev.pushrelay.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static dev.pushrelay.testing.RawHttp.get;
import static dev.pushrelay.testing.RawHttp.post;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * protocol.md §8.4: gzip on subscriber locations keeps the cursor headers (the module's 0.73
 * fix; nchan#92 and push-stream#194 are what users hit when it does not).
 */
class GzipIT {

    static final String CONF = """
            location /pub { set $push_channel_id $arg_id; push_publisher; push_max_message_buffer_length 20; }
            location /sub {
                set $push_channel_id $arg_id;
                push_subscriber;
                gzip on;
                gzip_types text/plain application/json;
                gzip_min_length 10;
            }
            """;

    static String message(int i) {
        return "message number " + i + " " + "x".repeat(50 * i);
    }

    @Test
    void s8_4_gzip_keeps_etag_and_last_modified_and_walks_every_message_once() throws IOException {
        try (TestServer server = TestServer.start(CONF)) {
            for (int i = 0; i < 4; i++) server.send(post("/pub?id=a", message(i), "Content-Type: text/plain"));
            server.clock().advanceSeconds(1);
            for (int i = 4; i < 7; i++) server.send(post("/pub?id=a", message(i), "Content-Type: text/plain; charset=utf-8"));
            List<String> seen = new ArrayList<>();
            List<String> cursors = new ArrayList<>();
            RawResponse r = server.send(get("/sub?id=a", Gzip.ACCEPT));
            while (true) {
                assertEquals(200, r.status());
                assertEquals("gzip", r.header("Content-Encoding"), r.toString());
                assertEquals(Integer.toString(r.body().length), r.header("Content-Length"));
                assertNotNull(r.header("Etag"), "the Etag survives gzip");
                assertNotNull(r.header("Last-Modified"), "Last-Modified survives gzip");
                assertEquals("If-None-Match, If-Modified-Since, Accept-Encoding", r.header("Vary"));
                seen.add(Gzip.gunzip(r.body()));
                cursors.add(r.header("Last-Modified") + ":" + r.header("Etag"));
                if (seen.size() == 7) break;
                r = server.send(RawHttp.next("/sub?id=a", r, Gzip.ACCEPT));
            }
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 7; i++) expected.add(message(i));
            assertEquals(expected, seen);
            assertEquals(7, cursors.stream().distinct().count(), "every message exactly once");
            // At the end of the queue the next request waits, and the delivery is gzipped too.
            try (RawHttp waiting = server.open(RawHttp.next("/sub?id=a", r, Gzip.ACCEPT))) {
                server.awaitSubscribers("/pub?id=a", 1);
                assertEquals(201, server.send(post("/pub?id=a", message(7), "Content-Type: text/plain")).status());
                RawResponse late = waiting.read();
                assertEquals("gzip", late.header("Content-Encoding"));
                assertEquals(message(7), Gzip.gunzip(late.body()));
                assertNotNull(late.header("Etag"));
            }
        }
    }

    @Test
    void s8_4_same_message_same_bytes_for_every_subscriber_and_identity_for_others() throws IOException {
        try (TestServer server = TestServer.start(CONF)) {
            server.send(post("/pub?id=a", message(3), "Content-Type: text/plain"));
            RawResponse one = server.send(get("/sub?id=a", Gzip.ACCEPT));
            RawResponse two = server.send(get("/sub?id=a", "Accept-Encoding: gzip;q=0.5"));
            assertArrayEquals(one.body(), two.body());
            RawResponse plain = server.send(get("/sub?id=a"));
            assertNull(plain.header("Content-Encoding"));
            assertEquals(message(3), plain.text());
            assertEquals("If-None-Match, If-Modified-Since, Accept-Encoding", plain.header("Vary"),
                    "caches must keep the two forms apart");
            assertNull(server.send(get("/sub?id=a", "Accept-Encoding: gzip;q=0")).header("Content-Encoding"));
            assertNull(server.send(get("/sub?id=a", Gzip.ACCEPT, "Via: 1.1 proxy")).header("Content-Encoding"),
                    "gzip_proxied off");
        }
    }

    /** Text that gzip cannot shrink much (base64 of seeded random bytes). */
    static String incompressible(int bytes, long seed) {
        byte[] raw = new byte[bytes * 3 / 4];
        new java.util.Random(seed).nextBytes(raw);
        return java.util.Base64.getEncoder().encodeToString(raw);
    }

    static long reserved(TestServer server) {
        return server.server().store().stats().reservedBytes();
    }

    @Test
    void s6_3_the_gzip_form_is_charged_once_to_the_budget_while_the_message_is_stored() throws IOException {
        try (TestServer server = TestServer.start(CONF)) {
            server.send(post("/pub?id=a", incompressible(3000, 1), "Content-Type: text/plain"));
            long before = reserved(server);
            RawResponse first = server.send(get("/sub?id=a", Gzip.ACCEPT));
            assertEquals("gzip", first.header("Content-Encoding"));
            long charged = reserved(server) - before;
            assertTrue(charged >= first.body().length && charged <= first.body().length + 64,
                    "the gzip form (" + first.body().length + " bytes) is charged: " + charged);
            assertEquals("gzip", server.send(get("/sub?id=a", Gzip.ACCEPT)).header("Content-Encoding"));
            assertEquals(before + charged, reserved(server), "compressed and charged once per message");
            assertEquals(200, server.send(RawHttp.request("DELETE", "/pub?id=a", new byte[0])).status());
            assertEquals(0, reserved(server), "given back with the message");
        }
    }

    @Test
    void s6_3_when_the_budget_cannot_hold_the_gzip_form_the_message_goes_out_uncompressed() throws IOException {
        try (TestServer server = TestServer.start("push_max_reserved_memory 64k;\n" + CONF)) {
            String message = incompressible(3000, 2);
            server.send(post("/pub?id=a", message, "Content-Type: text/plain"));
            long one = reserved(server);
            server.send(post("/pub?id=a", "p"));
            long perMessage = reserved(server) - one - 1; // a message's overhead beyond its body
            long free = server.server().store().stats().budgetBytes() - reserved(server);
            assertEquals(202, server.send(post("/pub?id=a", "f".repeat((int) (free - perMessage - 200)))).status());
            long full = reserved(server);
            assertTrue(server.server().store().stats().budgetBytes() - full < 1000, "less room left than the gzip form needs");

            RawResponse r = server.send(get("/sub?id=a", Gzip.ACCEPT));
            assertEquals(200, r.status());
            assertNull(r.header("Content-Encoding"), "no room for the gzip form: sent as it is");
            assertEquals(message, r.text());
            assertEquals("If-None-Match, If-Modified-Since, Accept-Encoding", r.header("Vary"));
            assertEquals(full, reserved(server), "nothing charged, nothing collected");
            assertNull(server.send(get("/sub?id=a", Gzip.ACCEPT)).header("Content-Encoding"), "the same for every subscriber");
        }
    }

    @Test
    void s8_4_types_and_min_length_decide() throws IOException {
        try (TestServer server = TestServer.start(CONF)) {
            server.send(post("/pub?id=img", message(3), "Content-Type: image/png"));
            RawResponse png = server.send(get("/sub?id=img", Gzip.ACCEPT));
            assertNull(png.header("Content-Encoding"));
            assertEquals("If-None-Match, If-Modified-Since", png.header("Vary"));
            server.send(post("/pub?id=short", "tiny", "Content-Type: text/plain"));
            assertNull(server.send(get("/sub?id=short", Gzip.ACCEPT)).header("Content-Encoding"), "below gzip_min_length");
            server.send(post("/pub?id=none", message(3)));
            assertNull(server.send(get("/sub?id=none", Gzip.ACCEPT)).header("Content-Encoding"), "no Content-Type, no gzip");
        }
    }
}
