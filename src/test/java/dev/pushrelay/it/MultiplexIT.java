package dev.pushrelay.it;

import dev.pushrelay.testing.EventStream;
import dev.pushrelay.testing.RawHttp;
import dev.pushrelay.testing.RawResponse;
import dev.pushrelay.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static dev.pushrelay.testing.RawHttp.get;
import static dev.pushrelay.testing.RawHttp.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * protocol.md §14.8: one subscriber follows several channels, with nchan's compound ids.
 * The expected bytes are those nchan 1.3.6 (Debian) sends for the same publishes.
 */
class MultiplexIT {

    private static final String ES = "Accept: text/event-stream";

    private static final String CONF = """
            location /pub {
                nchan_publisher;
                nchan_channel_id $arg_id;
            }
            location /sub {
                push_subscriber;
                nchan_channel_id a b c;
                push_subscriber_timeout 2;
            }
            location /split {
                nchan_subscriber;
                nchan_channel_id $arg_ids;
                nchan_channel_id_split_delimiter ",";
            }
            location /poll {
                nchan_subscriber intervalpoll;
                nchan_channel_id a b c;
            }
            location /pubm {
                nchan_publisher;
                nchan_channel_id a b;
            }
            location /pubsplit {
                nchan_publisher;
                nchan_channel_id $arg_ids;
                nchan_channel_id_split_delimiter ",";
            }
            """;

    private static String httpDate(long seconds) {
        return java.time.format.DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", java.util.Locale.US)
                .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.ofEpochSecond(seconds));
    }

    private static String event(String id, String data) {
        return "id: " + id + "\ndata: " + data + "\n\n";
    }

    /** a1 a2 b1 in second T, then c1 a3 in second T+2: nchan's order is by id, then by channel. */
    private static long publishFive(TestServer server) throws Exception {
        long t = server.clock().epochSecond();
        server.send(post("/pub?id=a", "a1"));
        server.send(post("/pub?id=a", "a2"));
        server.send(post("/pub?id=b", "b1"));
        server.clock().advanceSeconds(2);
        server.send(post("/pub?id=c", "c1"));
        server.send(post("/pub?id=a", "a3"));
        return t;
    }

    @Test
    void s14_8_eventsource_sends_what_every_channel_holds_oldest_first_then_live_ones() throws Exception {
        try (TestServer server = TestServer.start(CONF)) {
            long t = publishFive(server);
            long t2 = t + 2;
            try (EventStream s = EventStream.open(server.port(), get("/sub", ES))) {
                assertEquals("HTTP/1.1 200 OK", s.head().statusLine());
                assertEquals(":\n\n", s.next());
                assertEquals(event(t + ":[0],-,-", "a1"), s.nextEvent());
                assertEquals(event(t + ":0,[0],-", "b1"), s.nextEvent());
                assertEquals(event(t + ":[1],0,-", "a2"), s.nextEvent());
                assertEquals(event(t2 + ":[0],-,-", "a3"), s.nextEvent(), "same id: the first channel first");
                assertEquals(event(t2 + ":0,-,[0]", "c1"), s.nextEvent());
                server.awaitSubscribers("/pub?id=b", 1);
                server.send(post("/pub?id=b", "bL"));
                assertEquals(event(t2 + ":0,[0],0", "bL"), s.nextEvent());
                server.awaitSubscribers("/pub?id=b", 1);
                server.clock().advanceSeconds(1);
                server.send(post("/pub?id=b", "bM"));
                assertEquals(event((t2 + 1) + ":-,[0],-", "bM"), s.nextEvent());
            }
        }
    }

    @Test
    void s14_8_the_compound_id_resumes_every_channel_where_it_was() throws Exception {
        try (TestServer server = TestServer.start(CONF)) {
            long t = publishFive(server);
            long t2 = t + 2;
            try (EventStream s = EventStream.open(server.port(), get("/sub", ES, "Last-Event-ID: " + t + ":[1],0,-"))) {
                assertEquals(event(t2 + ":[0],-,-", "a3"), s.nextEvent(), "b is still at second t: a dash");
                assertEquals(event(t2 + ":0,-,[0]", "c1"), s.nextEvent());
            }
            try (EventStream s = EventStream.open(server.port(), get("/sub?last_event_id=" + t + ":0,[0],-", ES))) {
                assertEquals(event(t + ":[1],0,-", "a2"), s.nextEvent());
            }
            RawResponse bad = server.send(get("/sub", ES, "Last-Event-ID: " + t + ":[1],[0],-"));
            assertEquals(400, bad.status());
            assertEquals("Invalid Last-Event-ID\n", bad.text());
            assertEquals(400, server.send(get("/sub?cursor=" + t + ":1,2,3,4")).status(), "more tags than channels");
        }
    }

    @Test
    void s14_8_long_poll_splits_the_id_as_nchan_last_modified_and_etag() throws Exception {
        try (TestServer server = TestServer.start(CONF)) {
            long t = publishFive(server);
            RawResponse r = server.send(get("/sub"));
            assertEquals(200, r.status());
            assertEquals("a1", r.text());
            assertEquals("[0],-,-", r.header("Etag"));
            assertEquals(httpDate(t), r.header("Last-Modified"));
            StringBuilder walked = new StringBuilder(r.text());
            for (int i = 0; i < 4; i++) {
                r = server.send(RawHttp.next("/sub", r));
                assertEquals(200, r.status());
                walked.append(' ').append(r.text()).append('@').append(r.header("Etag"));
            }
            assertEquals("a1 b1@0,[0],- a2@[1],0,- a3@[0],-,- c1@0,-,[0]", walked.toString());
            RawResponse whole = server.send(get("/sub", "If-None-Match: " + t + ":0,[0],-"));
            assertEquals("a2", whole.text(), "If-None-Match alone may hold the whole token (nchan)");
            assertEquals(400, server.send(get("/sub", "If-None-Match: " + t + ":[0],x")).status());

            RawHttp waiting = server.open(RawHttp.next("/sub", r));
            server.awaitSubscribers("/pub?id=b", 1);
            server.send(post("/pub?id=b", "live"));
            RawResponse live = waiting.read();
            assertEquals("live", live.text());
            assertEquals("0,[0],0", live.header("Etag"));
            RawResponse timedOut = server.send(RawHttp.next("/sub", live));
            assertEquals(304, timedOut.status(), "push_subscriber_timeout 2");
            server.awaitSubscribers("/pub?id=a", 0);
        }
    }

    @Test
    void s14_8_interval_poll_answers_at_once() throws Exception {
        try (TestServer server = TestServer.start(CONF)) {
            assertEquals(304, server.send(get("/poll")).status());
            long t = publishFive(server);
            RawResponse r = server.send(get("/poll", "If-Modified-Since: " + httpDate(t),
                    "If-None-Match: [1],0,-"));
            assertEquals("a3", r.text());
            assertEquals("[0],-,-", r.header("Etag"));
            RawResponse none = server.send(get("/poll", "If-None-Match: " + (t + 2) + ":9,9,9"));
            assertEquals(304, none.status());
            assertEquals(t + 2 + ":9,9,9", none.header("Etag"), "If-None-Match echoed, as a single interval poll");
        }
    }

    @Test
    void s14_8_websocket_meta_frames_carry_the_compound_id() throws Exception {
        try (TestServer server = TestServer.start(CONF)) {
            long t = publishFive(server);
            BlockingQueue<String> texts = new LinkedBlockingQueue<>();
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("ws+meta.nchan")
                    .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/sub?cursor=" + t + ":[1],0,-"),
                            new WebSocket.Listener() {
                                @Override
                                public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                                    texts.add(data.toString());
                                    w.request(1);
                                    return null;
                                }
                            }).get(15, TimeUnit.SECONDS);
            assertEquals("id: " + (t + 2) + ":[0],-,-\ncontent-type: text/plain\n\na3", texts.poll(15, TimeUnit.SECONDS));
            assertEquals("id: " + (t + 2) + ":0,-,[0]\ncontent-type: text/plain\n\nc1", texts.poll(15, TimeUnit.SECONDS));
            ws.abort();
        }
    }

    @Test
    void s14_8_the_split_delimiter_and_nchans_limit_of_255_channels() throws Exception {
        try (TestServer server = TestServer.start(CONF)) {
            server.send(post("/pub?id=y", "for y"));
            RawResponse one = server.send(get("/split?ids=y,"));
            assertEquals("for y", one.text(), "a delimiter at the end adds no channel: a single channel's answer");
            assertEquals("0", one.header("Etag"));
            RawResponse two = server.send(get("/split?ids=x,y"));
            assertEquals("for y", two.text());
            assertEquals("-,[0]", two.header("Etag"));
            String ids255 = IntStream.range(0, 255).mapToObj(i -> "c" + i).collect(Collectors.joining(","));
            try (EventStream s = EventStream.open(server.port(), get("/split?ids=" + ids255 + "", ES))) {
                assertEquals("HTTP/1.1 200 OK", s.head().statusLine());
                server.awaitSubscribers("/pub?id=c254", 1);
                server.send(post("/pub?id=c254", "last"));
                long t = server.clock().epochSecond();
                String dashes = IntStream.range(0, 254).mapToObj(i -> "-").collect(Collectors.joining(","));
                assertEquals(event(t + ":" + dashes + ",[0]", "last"), s.nextEvent());
            }
            RawResponse over = server.send(get("/split?ids=" + ids255 + ",c255"));
            assertEquals("HTTP/1.1 403 Forbidden", over.statusLine(), "nchan's answer past 255 channels");
            assertEquals("0", over.header("Content-Length"));
            assertEquals(404, server.send(get("/split?ids=,")).status(), "no id at all");
        }
    }

    @Test
    void s14_8_a_trimmed_channel_is_named_in_the_gap()
            throws Exception {
        try (TestServer server = TestServer.start(CONF.replace("location /pub {\n",
                "location /pub {\n    nchan_message_buffer_length 1;\n"))) {
            long t = server.clock().epochSecond();
            server.send(post("/pub?id=b", "b1"));
            server.send(post("/pub?id=b", "b2"));
            try (EventStream s = EventStream.open(server.port(), get("/sub", ES, "Last-Event-ID: " + t + ":-,-,-"))) {
                assertEquals(":\n\n", s.next());
                assertEquals("event: pushrelay-gap\ndata: " + t + ":-,[0],-\n\n", s.nextEvent());
                assertEquals(event(t + ":-,[1],-", "b2"), s.nextEvent());
            }
        }
    }

    @Test
    void s14_12_a_publisher_of_several_channels_publishes_to_each_in_order_and_deletes_each() throws Exception {
        try (TestServer server = TestServer.start(CONF)) {
            long t = server.clock().epochSecond();
            RawResponse alone = server.send(post("/pubm", "first"));
            assertEquals("HTTP/1.1 202 Accepted", alone.statusLine(), "nobody waiting in any channel");
            assertEquals("queued messages: 1\r\nlast requested: 0 sec. ago (-1=never)\r\nactive subscribers: 0",
                    alone.text(), "nchan's sum: the most messages any channel holds");
            try (EventStream s = EventStream.open(server.port(), get("/sub", ES, "Last-Event-ID: " + t + ":0,0,-"))) {
                assertEquals(":\n\n", s.next());
                server.awaitSubscribers("/pub?id=b", 1);
                RawResponse both = server.send(post("/pubm", "both", "Accept: application/json"));
                assertEquals("HTTP/1.1 201 Created", both.statusLine(), "a stream was waiting");
                assertEquals("{\"messages\": 2, \"requested\": 0, \"subscribers\": 2 }", both.text(),
                        "the stream counts once in a and once in b");
                assertEquals(event(t + ":[1],0,-", "both"), s.nextEvent(), "a first, the order named");
                assertEquals(event(t + ":1,[1],-", "both"), s.nextEvent());
                RawResponse split = server.send(post("/pubsplit?ids=c,a", "split"));
                assertEquals(201, split.status());
                assertEquals(event(t + ":1,1,[0]", "split"), s.nextEvent(), "c first, the order named");
                assertEquals(event(t + ":[2],1,0", "split"), s.nextEvent());
                assertEquals("HTTP/1.1 404 Not Found", server.send(get("/pubm")).statusLine(),
                        "no info of several channels, as nchan");
                RawResponse deleted = server.send(RawHttp.request("DELETE", "/pubm", new byte[0]));
                assertEquals(200, deleted.status());
                assertTrue(deleted.text().startsWith("queued messages: 3\r\n"), deleted.text());
                assertEquals("event: pushrelay-close\ndata: channel deleted\n\n", s.nextEvent());
            }
            assertEquals(404, server.send(get("/pub?id=a")).status(), "a deleted");
            assertEquals(404, server.send(get("/pub?id=b")).status(), "b deleted");
            assertTrue(server.send(get("/pub?id=c")).text().startsWith("queued messages: 1\r\n"), "c kept");
            assertEquals(404, server.send(RawHttp.request("DELETE", "/pubm", new byte[0])).status(), "none left");
        }
    }
}
