package dev.pushrelay.it;

import dev.pushrelay.testing.EventStream;
import dev.pushrelay.testing.RawResponse;
import dev.pushrelay.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static dev.pushrelay.testing.RawHttp.get;
import static dev.pushrelay.testing.RawHttp.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** protocol.md §14.1, §14.5: the one cursor token on long-poll, and the gap signal. */
class CursorTokenIT {

    private static final String ES = "Accept: text/event-stream";
    private static final String GAP_ON = Confs.SEED.replace("default_type text/plain;",
            "default_type text/plain;\n pushrelay_cursor_gap_header on;");

    /** Publishes m0..m11 in one second: the buffer of ten keeps m2..m11. */
    private static long twelve(TestServer server) throws IOException {
        long t0 = server.clock().epochSecond();
        for (int i = 0; i < 12; i++) server.send(post("/publish?id=a", "m" + i));
        return t0;
    }

    @Test
    void s14_1_long_poll_takes_the_token_as_an_argument() throws IOException {
        try (TestServer server = TestServer.start(Confs.SEED)) {
            long t0 = server.clock().epochSecond();
            for (int i = 0; i < 3; i++) server.send(post("/publish?id=a", "m" + i));
            RawResponse r = server.send(get("/activity?id=a&cursor=" + t0 + ":0"));
            assertEquals("m1", r.text());
            assertEquals("1", r.header("Etag"));
            assertEquals("m2", server.send(get("/activity?id=a&last_event_id=" + t0 + "%3A1")).text());
            assertEquals("m1", server.send(get("/activity?id=a&cursor=" + t0 + ":0",
                    "If-Modified-Since: Thu, 01 Jan 2099 00:00:00 GMT")).text(), "the token wins over the headers");
        }
    }

    @Test
    void s14_1_an_invalid_token_argument_is_400_and_creates_nothing() throws IOException {
        try (TestServer server = TestServer.start(Confs.SEED)) {
            for (String bad : new String[] {"cursor=abc", "cursor=", "cursor=1:", "last_event_id=1%3A2%3A3", "cursor=1234567890123456789:0"}) {
                RawResponse r = server.send(get("/activity?id=a&" + bad));
                assertEquals(400, r.status(), bad);
                assertEquals("Invalid " + bad.substring(0, bad.indexOf('=')) + "\n", r.text());
            }
            assertEquals(404, server.send(get("/publish?id=a")).status(), "no channel was created");
        }
    }

    @Test
    void s14_5_eventsource_says_messages_were_missed_before_the_oldest_stored() throws IOException {
        try (TestServer server = TestServer.start(Confs.SEED)) {
            long t0 = twelve(server);
            try (EventStream s = EventStream.open(server.port(), get("/activity?id=a", ES, "Last-Event-ID: " + t0 + ":0"))) {
                assertEquals("event: pushrelay-gap\ndata: " + t0 + ":1\n\n", s.nextEvent(), "m1 is gone");
                assertEquals("id: " + t0 + ":2\ndata: m2\n\n", s.nextEvent());
            }
            try (EventStream s = EventStream.open(server.port(), get("/activity?id=a", ES, "Last-Event-ID: " + t0 + ":1"))) {
                assertEquals("id: " + t0 + ":2\ndata: m2\n\n", s.nextEvent(), "it had everything up to m1: no gap");
            }
            try (EventStream s = EventStream.open(server.port(), get("/activity?id=a", ES))) {
                assertEquals("id: " + t0 + ":2\ndata: m2\n\n", s.nextEvent(), "no position asked: no gap");
            }
        }
    }

    @Test
    void s14_5_long_poll_gets_the_gap_header_only_where_the_location_asks() throws IOException {
        try (TestServer server = TestServer.start(Confs.SEED)) {
            long t0 = twelve(server);
            RawResponse legacy = server.send(get("/activity?id=a", "If-Modified-Since: " + httpDate(server, t0), "If-None-Match: 0"));
            RawResponse token = server.send(get("/activity?id=a&cursor=" + t0 + ":0"));
            assertEquals("m2", legacy.text());
            assertEquals(legacy.headers(), token.headers(), "without the directive, answers are as before");
            assertNull(legacy.header("X-Pushrelay-Gap"));
        }
        try (TestServer server = TestServer.start(GAP_ON)) {
            long t0 = twelve(server);
            RawResponse r = server.send(get("/activity?id=a&cursor=" + t0 + ":0"));
            assertEquals("m2", r.text());
            assertEquals(t0 + ":1", r.header("X-Pushrelay-Gap"));
            RawResponse legacy = server.send(get("/activity?id=a", "If-Modified-Since: " + httpDate(server, t0), "If-None-Match: 0"));
            assertEquals(t0 + ":1", legacy.header("X-Pushrelay-Gap"), "the legacy cursor is checked too");
            assertNull(server.send(get("/activity?id=a&cursor=" + t0 + ":1")).header("X-Pushrelay-Gap"));
            assertNull(server.send(get("/activity?id=a")).header("X-Pushrelay-Gap"), "no position asked");
        }
    }

    private static String httpDate(TestServer server, long seconds) {
        return java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
                java.time.Instant.ofEpochSecond(seconds).atZone(java.time.ZoneOffset.UTC));
    }
}
