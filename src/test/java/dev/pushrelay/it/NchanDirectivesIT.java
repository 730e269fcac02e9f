package dev.pushrelay.it;

import dev.pushrelay.testing.EventStream;
import dev.pushrelay.testing.RawHttp;
import dev.pushrelay.testing.RawResponse;
import dev.pushrelay.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static dev.pushrelay.testing.RawHttp.get;
import static dev.pushrelay.testing.RawHttp.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** protocol.md §14.7: nchan's names for the endpoints and the module's directives. */
class NchanDirectivesIT {

    private static final String CONF = """
            location /pub {
                set $push_channel_id $arg_id;
                nchan_publisher http;
                nchan_message_buffer_length 2;
                nchan_store_messages on;
            }
            location /es {
                set $push_channel_id $arg_id;
                nchan_subscriber eventsource;
            }
            location /lp {
                set $push_channel_id $arg_id;
                nchan_subscriber longpoll;
                nchan_subscriber_timeout 1;
            }
            location /ip {
                set $push_channel_id $arg_id;
                nchan_subscriber intervalpoll websocket;
            }
            location /all {
                set $push_channel_id $arg_id;
                nchan_subscriber;
            }
            location /nc {
                set $push_channel_id $arg_id;
                nchan_subscriber longpoll;
                nchan_channel_id $arg_c;
            }
            location /nw {
                nchan_channel_id $arg_id;
                nchan_subscriber;
                nchan_subscriber_first_message newest;
            }
            location /nth {
                nchan_channel_id $arg_id;
                nchan_subscriber;
                nchan_subscriber_first_message 2;
            }
            location /nthback {
                nchan_channel_id $arg_id;
                nchan_subscriber;
                nchan_subscriber_first_message -2;
            }
            location /nthmany {
                nchan_channel_id $arg_id x;
                nchan_subscriber;
                nchan_subscriber_first_message -1;
            }
            location /nopub {
                nchan_publisher;
            }
            """;

    @Test
    void s14_7_nchan_publisher_http_publishes_and_the_buffer_alias_bounds_the_channel() throws Exception {
        try (TestServer server = TestServer.start(CONF)) {
            assertEquals(202, server.send(post("/pub?id=a", "one")).status());
            assertEquals(202, server.send(post("/pub?id=a", "two")).status());
            assertEquals(202, server.send(post("/pub?id=a", "three")).status());
            RawResponse first = server.send(get("/all?id=a"));
            assertEquals(200, first.status());
            assertEquals("two", first.text(), "nchan_message_buffer_length 2 keeps the newest two");
        }
    }

    @Test
    void s14_7_a_transport_the_location_does_not_serve_gets_403() throws Exception {
        try (TestServer server = TestServer.start(CONF)) {
            server.send(post("/pub?id=a", "one"));
            RawResponse plain = server.send(get("/es?id=a"));
            assertEquals(403, plain.status(), "eventsource only: a plain GET is refused, as nchan");
            assertEquals("0", plain.header("Content-Length"));
            assertEquals(403, server.send(get("/lp?id=a", "Upgrade: websocket", "Connection: Upgrade",
                    "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==")).status());
            ExecutionException e = assertThrows(ExecutionException.class, () -> HttpClient.newHttpClient()
                    .newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/es?id=a"),
                            new WebSocket.Listener() { }).get(15, TimeUnit.SECONDS));
            assertInstanceOf(WebSocketHandshakeException.class, e.getCause());
            assertEquals(403, ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode());
        }
    }

    @Test
    void s14_7_served_transports_answer_as_they_do_under_push_subscriber() throws Exception {
        try (TestServer server = TestServer.start(CONF)) {
            server.send(post("/pub?id=a", "one"));
            RawResponse es = server.send(get("/lp?id=a", "Accept: text/event-stream"));
            assertEquals(200, es.status(), "longpoll only: an EventSource request is answered as a long-poll");
            assertEquals("one", es.text());
            RawResponse poll = server.send(get("/ip?id=b"));
            assertEquals(304, poll.status(), "intervalpoll: answered at once, nothing stored");
            try (EventStream s = EventStream.open(server.port(), get("/es?id=a", "Accept: text/event-stream"))) {
                assertEquals("HTTP/1.1 200 OK", s.head().statusLine());
                String event = s.nextEvent();
                assertTrue(event != null && event.endsWith("data: one\n\n"), String.valueOf(event));
            }
        }
    }

    @Test
    void s14_7_nchan_channel_id_names_the_channel_in_place_of_push_channel_id() throws Exception {
        try (TestServer server = TestServer.start(CONF)) {
            server.send(post("/pub?id=a", "for a"));
            server.send(post("/pub?id=b", "for b"));
            RawResponse r = server.send(get("/nc?c=b&id=a"));
            assertEquals(200, r.status());
            assertEquals("for b", r.text(), "nchan_channel_id wins over $push_channel_id");
            RawResponse none = server.send(post("/nopub", "x"));
            assertEquals(404, none.status());
            assertEquals("No channel id provided.", none.text());
        }
    }

    @Test
    void s14_7_first_message_newest_waits_for_the_next_message() throws Exception {
        try (TestServer server = TestServer.start(CONF)) {
            server.send(post("/pub?id=a", "one"));
            server.send(post("/pub?id=a", "two"));
            RawHttp poll = server.open(get("/nw?id=a"));
            try (EventStream es = EventStream.open(server.port(), get("/nw?id=a", "Accept: text/event-stream"))) {
                assertEquals("HTTP/1.1 200 OK", es.head().statusLine());
                server.awaitSubscribers("/pub?id=a", 2);
                assertEquals(201, server.send(post("/pub?id=a", "three")).status());
                RawResponse r = poll.read();
                assertEquals(200, r.status());
                assertEquals("three", r.text(), "the stored messages are skipped");
                String event = es.nextEvent();
                assertTrue(event != null && event.endsWith("data: three\n\n"), String.valueOf(event));
            }
            poll.close();
            assertEquals("two", server.send(get("/all?id=a")).text(), "elsewhere the oldest stored (a buffer of 2), the module's way");
        }
    }

    @Test
    void s14_7_first_message_n_starts_at_the_nth_stored_message_as_nchan() throws Exception {
        try (TestServer server = TestServer.start(CONF)) {
            assertEquals(202, server.send(post("/pub?id=a", "one")).status());
            server.send(post("/pub?id=a", "two"));
            server.send(post("/pub?id=a", "three")); // nchan_message_buffer_length 2: "two", "three" stored
            server.send(post("/pub?id=b", "only"));
            assertEquals("three", server.send(get("/nth?id=a")).text(), "the 2nd from the oldest");
            assertEquals("two", server.send(get("/nthback?id=a")).text(), "the 2nd from the newest");
            assertEquals("only", server.send(get("/nth?id=b")).text(), "fewer stored: the newest, as nchan");
            assertEquals("only", server.send(get("/nthback?id=b")).text(), "fewer stored: the oldest, as nchan");
            assertEquals("two", server.send(get("/nth?id=a", "If-Modified-Since: Thu, 01 Jan 1970 00:00:01 GMT")).text(),
                    "a position named is honoured");
            try (EventStream es = EventStream.open(server.port(), get("/nthback?id=a", "Accept: text/event-stream"))) {
                assertTrue(es.nextEvent().endsWith("data: two\n\n"));
                assertTrue(es.nextEvent().endsWith("data: three\n\n"));
            }
            try (EventStream es = EventStream.open(server.port(), get("/nthmany?id=a", "Accept: text/event-stream"))) {
                assertTrue(es.nextEvent().endsWith("data: three\n\n"), "each channel from its own newest");
                server.awaitSubscribers("/pub?id=x", 1);
                server.send(post("/pub?id=x", "for x"));
                assertTrue(es.nextEvent().endsWith("data: for x\n\n"), "a channel with nothing stored waits");
            }
            RawHttp empty = server.open(get("/nth?id=c"));
            server.awaitSubscribers("/pub?id=c", 1);
            server.send(post("/pub?id=c", "first of c"));
            assertEquals("first of c", empty.read().text(), "nothing stored: the next message");
        }
    }
}
