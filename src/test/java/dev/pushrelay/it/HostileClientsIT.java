package dev.pushrelay.it;

import dev.pushrelay.http.ClientLimits;
import dev.pushrelay.store.StoreStats;
import dev.pushrelay.testing.RawHttp;
import dev.pushrelay.testing.RawResponse;
import dev.pushrelay.testing.RawSocket;
import dev.pushrelay.testing.ServerExtension;
import dev.pushrelay.testing.TestServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile and broken clients (protocol.md §9): each gets a clear 4xx or a clean close, and
 * afterwards nothing is held: no waiting subscriber, no channel, no message.
 */
class HostileClientsIT {

    static final String CONF = """
            location /pub {
                set $push_channel_id $arg_id;
                push_publisher;
                client_max_body_size 1k;
            }
            location /sub {
                set $push_channel_id $arg_id;
                push_subscriber;
            }
            """;

    /** Short timeouts so slow clients are cut off quickly; sizes as nginx's defaults. */
    static final ClientLimits LIMITS = new ClientLimits(1500, 1500, 8 * 1024, 32 * 1024, 1000);

    @RegisterExtension
    static final ServerExtension server = ServerExtension.perClass(() -> TestServer.start(CONF, LIMITS));
    static final AtomicInteger ids = new AtomicInteger();
    String ch;

    @BeforeEach
    void freshChannel() throws IOException {
        ch = "h" + ids.incrementAndGet();
        server.awaitStats(s -> s.subscribers() == 0, "no subscriber left by the previous test");
    }

    // ---- request line and headers -------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {
            "GARBAGE\r\n\r\n",
            "G@T /sub?id=a HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /sub?id=a\r\n\r\n",
            "GET /s ub?id=a HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /sub?id=\u00e9 HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /sub?id=%zz HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /sub?id=a HTTP/1.1\r\n\r\n",
            "GET /sub?id=a HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            "POST /pub?id=a HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
            "POST /pub?id=a HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
            "POST /pub?id=a HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
            "POST /pub?id=a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n",
            "POST /pub?id=a HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\nab",
            "POST /pub?id=a HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n",
    })
    void s9_malformed_request_heads_get_400_and_a_close(String request) throws IOException {
        RawSocket.Result r = server.sendAndRead(request.getBytes(StandardCharsets.UTF_8));
        assertEquals(400, r.status(), r.text());
        assertTrue(r.closed(), "connection closed after the 400");
        assertNothingHeld();
    }

    @Test
    void s9_a_request_line_over_eight_kilobytes_gets_414() throws IOException {
        RawSocket.Result r = server.sendAndRead(RawHttp.get("/sub?id=" + "a".repeat(9000)).getBytes(StandardCharsets.US_ASCII));
        assertTrue(r.text().startsWith("HTTP/1.1 414 Request-URI Too Large\r\n"), r.text());
        assertTrue(r.closed());
        assertNothingHeld();
    }

    @Test
    void s9_a_request_line_just_under_the_limit_is_served() throws IOException {
        // "GET " + target + " HTTP/1.1" + CRLF = 8192 bytes: still accepted, as by nginx.
        String target = "/pub?id=" + "a".repeat(8192 - 2 - "GET  HTTP/1.1".length() - "/pub?id=".length());
        RawResponse r = server.send(RawHttp.get(target));
        assertEquals(404, r.status(), "publisher GET of a channel that does not exist");
    }

    @Test
    void s9_a_header_line_over_eight_kilobytes_gets_400_request_header_too_large() throws IOException {
        RawSocket.Result r = server.sendAndRead(RawHttp.get("/sub?id=" + ch, "Cookie: " + "c".repeat(9000)).getBytes(StandardCharsets.US_ASCII));
        assertTrue(r.text().startsWith("HTTP/1.1 400 Bad Request\r\n"), r.text());
        assertTrue(r.text().contains("<title>400 Request Header Or Cookie Too Large</title>"), r.text());
        assertTrue(r.closed());
        assertNothingHeld();
    }

    @Test
    void s9_a_request_head_over_thirty_two_kilobytes_gets_a_bare_400() throws IOException {
        String[] headers = new String[6];
        for (int i = 0; i < headers.length; i++) headers[i] = "X-Filler-" + i + ": " + "f".repeat(7000);
        RawSocket.Result r = server.sendAndRead(RawHttp.get("/sub?id=" + ch, headers).getBytes(StandardCharsets.US_ASCII));
        assertEquals(400, r.status(), r.text());
        assertTrue(r.closed());
        assertNothingHeld();
    }

    @Test
    void s9_many_query_arguments_are_no_error() throws IOException {
        // Undertow's default limit (1000 parameters) would answer 400; nginx has none.
        RawResponse r = server.send(RawHttp.get("/pub?id=" + ch + "&x".repeat(3000)));
        assertEquals(404, r.status(), r.toString());
    }

    @Test
    void s9_an_unknown_transfer_encoding_gets_501_and_publishes_nothing() throws IOException {
        RawSocket.Result r = server.sendAndRead(("POST /pub?id=" + ch + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nab")
                .getBytes(StandardCharsets.US_ASCII));
        assertTrue(r.text().startsWith("HTTP/1.1 501 Not Implemented\r\n"), r.text());
        assertTrue(r.closed());
        assertNothingHeld();
    }

    // ---- bodies ----------------------------------------------------------------------------

    @Test
    void s9_a_declared_body_over_the_limit_gets_413_and_nothing_is_stored() throws IOException {
        RawSocket.Result r = server.sendAndRead(RawHttp.post("/pub?id=" + ch, "x".repeat(1025)).getBytes(StandardCharsets.US_ASCII));
        assertTrue(r.text().startsWith("HTTP/1.1 413 Request Entity Too Large\r\n"), r.text());
        assertTrue(r.closed());
        assertNothingHeld();
    }

    @Test
    void s9_a_chunked_body_over_the_limit_is_cut_off_and_nothing_is_stored() throws IOException {
        String chunk = Integer.toHexString(600) + "\r\n" + "x".repeat(600) + "\r\n";
        RawSocket.Result r = server.sendAndRead(("POST /pub?id=" + ch + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + chunk + chunk + "0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        // Undertow closes the connection where the limit is crossed; a 413 may or may not get out first.
        assertTrue(r.closed());
        assertTrue(r.status() == 0 || r.status() == 413, r.text());
        assertNothingHeld();
    }

    @ParameterizedTest
    @ValueSource(strings = {"zz\r\nab\r\n0\r\n\r\n", "2\r\nabc\r\n0\r\n\r\n", "-1\r\n\r\n", "2;\r\nab\r\nX\r\n\r\n",
            "fffffffffffffffffffff\r\nab\r\n0\r\n\r\n", "2\r\nab\r\n0\r\nTrailer-Without-Colon\r\n\r\n"})
    void s9_a_garbled_chunked_body_never_fails_the_server(String body) throws IOException {
        // Undertow decodes chunked bodies leniently (protocol.md §9): garbage after a chunk or in
        // a size line is skipped, an absurd size closes the connection. Either way the answer is
        // a 202 for what was decoded, a 400 or a close; never a 5xx, a hang or a leak.
        RawSocket.Result r = server.sendAndRead(("POST /pub?id=" + ch + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
        assertTrue(r.closed(), r.text());
        assertTrue(r.status() == 0 || r.status() == 202 || r.status() == 400, r.text());
        server.send(RawHttp.request("DELETE", "/pub?id=" + ch, null));
        assertNothingHeld();
    }

    @ParameterizedTest
    @ValueSource(strings = {"fin", "rst", "half"})
    void s9_a_publisher_that_vanishes_mid_body_publishes_nothing(String how) throws IOException {
        RawSocket s = new RawSocket(server.port());
        s.send("POST /pub?id=" + ch + " HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" + "y".repeat(10));
        vanish(s, how);
        if (how.equals("half")) {
            RawSocket.Result r = s.readToClose(10_000);
            assertTrue(r.closed());
            assertFalse(r.text().startsWith("HTTP/1.1 2"), "a cut-off body is never a success: " + r.text());
            s.close();
        }
        awaitNothingHeld();
        assertEquals(404, server.send(RawHttp.get("/pub?id=" + ch)).status(), "channel never created");
    }

    @Test
    void s9_a_stalled_body_is_closed_after_the_body_timeout_without_an_answer() throws IOException {
        try (RawSocket s = new RawSocket(server.port())) {
            s.send("POST /pub?id=" + ch + " HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab");
            RawSocket.Result r = s.readToClose(10_000);
            assertTrue(r.closed(), "closed by client_body_timeout");
            assertEquals("", r.text(), "nginx answers nothing on a body timeout");
        }
        assertNothingHeld();
    }

    @Test
    void s9_a_body_that_keeps_coming_is_not_cut_off_by_the_body_timeout() throws Exception {
        // client_body_timeout is between two reads, not for the whole body (as in nginx):
        // 5 pieces a third of the timeout apart take longer than the timeout in total.
        try (RawSocket s = new RawSocket(server.port())) {
            s.send("POST /pub?id=" + ch + " HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n");
            for (int i = 0; i < 5; i++) {
                Thread.sleep(LIMITS.bodyTimeoutMs() / 3); // pacing the sender, not synchronising
                s.send("" + i);
            }
            s.halfClose();
            RawSocket.Result r = s.readToClose(10_000);
            assertTrue(r.text().startsWith("HTTP/1.1 202 Accepted\r\n"), r.text());
        }
        RawResponse m = server.send(RawHttp.get("/sub?id=" + ch));
        assertEquals("01234", m.text());
        assertEquals(200, server.send(RawHttp.request("DELETE", "/pub?id=" + ch, null)).status());
        assertNothingHeld();
    }

    // ---- slow request heads ---------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"GET /sub?id=a HTTP/1.1\r\nHo", "G", "GET /sub?id=a HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n"})
    void s9_a_slow_loris_head_is_closed_after_the_header_timeout(String partial) throws IOException {
        try (RawSocket s = new RawSocket(server.port())) {
            s.send(partial);
            RawSocket.Result r = s.readToClose(10_000);
            assertTrue(r.closed(), "closed by client_header_timeout");
            assertEquals("", r.text(), "nginx answers nothing on a header timeout (it logs 408)");
        }
        assertNothingHeld();
    }

    // ---- cursor headers ---------------------------------------------------------------------

    @Test
    void s9_invalid_cursor_headers_are_treated_as_absent_and_get_the_oldest_message() throws IOException {
        assertEquals(202, server.send(RawHttp.post("/pub?id=" + ch, "first")).status());
        assertEquals(202, server.send(RawHttp.post("/pub?id=" + ch, "second")).status());
        List<String[]> cursors = List.of(
                new String[]{"If-Modified-Since: garbage"},
                new String[]{"If-Modified-Since: "},
                new String[]{"If-Modified-Since: Mon, 99 Foo 20xx 99:99:99 GMT", "If-None-Match: 1"},
                new String[]{"If-Modified-Since: " + "9".repeat(4000)},
                new String[]{"If-None-Match: \"1\""},
                new String[]{"If-None-Match: W/\"1\""},
                new String[]{"If-None-Match: 99999999999999999999999999"},
                new String[]{"If-None-Match: -1"},
                new String[]{"If-None-Match: 1, 2"},
                new String[]{"If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT", "If-None-Match: x"},
                new String[]{"If-Modified-Since: Sat, 01 Jan 0000 00:00:00 GMT"},
                new String[]{"If-Modified-Since: \u0001\u0002", "If-None-Match: \u00ff"});
        for (String[] c : cursors) {
            RawResponse r = server.send(RawHttp.get("/sub?id=" + ch, c));
            assertEquals(200, r.status(), String.join(" | ", c) + " -> " + r);
            assertEquals("first", r.text(), String.join(" | ", c));
        }
        assertEquals(200, server.send(RawHttp.request("DELETE", "/pub?id=" + ch, null)).status());
        assertNothingHeld();
    }

    // ---- clients that go away while waiting -------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"fin", "rst", "half"})
    void s9_a_waiting_subscriber_that_goes_away_is_released(String how) throws IOException {
        RawSocket s = new RawSocket(server.port());
        s.send(RawHttp.get("/sub?id=" + ch, "If-None-Match: junk"));
        server.awaitStats(st -> st.subscribers() == 1, "parked");
        vanish(s, how);
        server.awaitStats(st -> st.subscribers() == 0, "released after " + how);
        s.close();
        assertEquals(202, server.send(RawHttp.post("/pub?id=" + ch, "after")).status(), "nobody waits any more");
        assertEquals(200, server.send(RawHttp.request("DELETE", "/pub?id=" + ch, null)).status());
        assertNothingHeld();
    }

    @Test
    void s9_a_request_pipelined_while_waiting_is_served_after_the_long_poll() throws IOException {
        try (RawHttp c = new RawHttp(server.port())) {
            c.send(RawHttp.get("/sub?id=" + ch));
            server.awaitStats(st -> st.subscribers() == 1, "parked");
            // Sent while the first request waits: must be kept, and must not end the wait.
            c.send(RawHttp.get("/pub?id=" + ch));
            assertEquals(201, server.send(RawHttp.post("/pub?id=" + ch, "m1")).status(), "still waiting");
            RawResponse first = c.read();
            assertEquals(200, first.status());
            assertEquals("m1", first.text());
            RawResponse second = c.read();
            assertEquals(200, second.status(), second.toString());
            assertTrue(second.text().startsWith("queued messages: 1"), second.text());
        }
        assertEquals(200, server.send(RawHttp.request("DELETE", "/pub?id=" + ch, null)).status());
        assertNothingHeld();
    }

    @Test
    void s9_a_long_poll_pipelined_behind_a_long_poll_waits_in_turn() throws IOException {
        try (RawHttp c = new RawHttp(server.port())) {
            c.send(RawHttp.get("/sub?id=" + ch) + RawHttp.get("/sub?id=" + ch, "If-None-Match: 0",
                    "If-Modified-Since: Thu, 01 Jan 2099 00:00:00 GMT"));
            server.awaitStats(st -> st.subscribers() == 1, "first parked");
            assertEquals(201, server.send(RawHttp.post("/pub?id=" + ch, "m1")).status());
            assertEquals("m1", c.read().text());
            server.awaitStats(st -> st.subscribers() == 1, "second parked (its cursor is after m1)");
            assertEquals(201, server.send(RawHttp.post("/pub?id=" + ch, "m2")).status());
            assertEquals("m2", c.read().text());
        }
        assertEquals(200, server.send(RawHttp.request("DELETE", "/pub?id=" + ch, null)).status());
        assertNothingHeld();
    }

    @ParameterizedTest
    @ValueSource(strings = {"fin", "rst", "half"})
    void s9_a_client_that_pipelines_and_then_goes_away_is_released(String how) throws IOException {
        // Both requests in one packet: the second sits in Undertow's buffer while the first waits.
        RawSocket s = new RawSocket(server.port());
        s.send(RawHttp.get("/sub?id=" + ch) + RawHttp.get("/sub?id=" + ch));
        server.awaitStats(st -> st.subscribers() == 1, "parked");
        vanish(s, how);
        server.awaitStats(st -> st.subscribers() == 0, "released after pipelining and " + how);
        s.close();
        // And bytes sent while waiting, then a close.
        RawSocket t = new RawSocket(server.port());
        t.send(RawHttp.get("/sub?id=" + ch));
        server.awaitStats(st -> st.subscribers() == 1, "parked");
        t.send("GET /sub?id=" + ch + " HTTP/1.1\r\nHost: x\r\n"); // half a request
        vanish(t, how);
        server.awaitStats(st -> st.subscribers() == 0, "released after a partial pipelined request and " + how);
        t.close();
        awaitNothingHeldAfterGc();
    }

    // ---- helpers -------------------------------------------------------------------------------

    static void vanish(RawSocket s, String how) throws IOException {
        switch (how) {
            case "fin" -> s.close();
            case "rst" -> s.reset();
            case "half" -> s.halfClose();
            default -> throw new IllegalArgumentException(how);
        }
    }

    /** No subscriber, no message, and no channel (the test's channels were deleted or never created). */
    static void assertNothingHeld() {
        StoreStats s = server.stats();
        assertEquals(0, s.subscribers(), s.toString());
        assertEquals(0, s.messages(), s.toString());
        assertEquals(0, s.channels(), s.toString());
    }

    static void awaitNothingHeld() {
        server.awaitStats(s -> s.subscribers() == 0 && s.messages() == 0 && s.channels() == 0, "nothing held");
    }

    /** Channels a subscriber created are collected once idle (protocol.md §6.2). */
    static void awaitNothingHeldAfterGc() {
        server.awaitStats(s -> s.subscribers() == 0, "no subscriber");
        server.clock().advanceSeconds(60);
        server.server().store().sweep();
        assertNothingHeld();
    }

    @Test
    void s9_the_server_still_publishes_serves_and_deletes() throws IOException {
        assertNotEquals(0, server.port());
        assertEquals(202, server.send(RawHttp.post("/pub?id=" + ch, "ok")).status());
        assertEquals("ok", server.send(RawHttp.get("/sub?id=" + ch)).text());
        assertEquals(200, server.send(RawHttp.request("DELETE", "/pub?id=" + ch, null)).status());
        assertNothingHeld();
    }
}
