package dev.pushrelay.it;

import dev.pushrelay.testing.RawHttp;
import dev.pushrelay.testing.RawResponse;
import dev.pushrelay.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static dev.pushrelay.testing.RawHttp.get;
import static dev.pushrelay.testing.RawHttp.post;
import static dev.pushrelay.testing.RawHttp.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** protocol.md §4: the subscriber endpoint, its cursor and every way a wait ends. */
class SubscriberIT {

    @Test
    void s4_4_message_response_headers_exactly() throws IOException {
        try (TestServer server = TestServer.start(Confs.SEED)) {
            server.send(post("/publish?id=a", "hi", "Content-Type: text/x-custom"));
            RawResponse m = server.send(get("/activity?id=a"));
            assertEquals("HTTP/1.1 200 OK", m.statusLine());
            assertEquals("hi", m.text());
            assertEquals("text/x-custom", m.header("Content-Type"));
            assertEquals("2", m.header("Content-Length"));
            assertEquals("Mon, 21 Sep 2026 14:13:20 GMT", m.header("Last-Modified"));
            assertEquals("Etag", m.headerName("Etag"), "the module spells it Etag");
            assertEquals("0", m.header("Etag"));
            assertEquals("If-None-Match, If-Modified-Since", m.header("Vary"));
            assertNull(m.header("Cache-Control"));
            assertNull(m.header("Access-Control-Allow-Origin"));
        }
    }

    @Test
    void s4_2_no_if_modified_since_gets_the_oldest_stored_message() throws IOException {
        try (TestServer server = TestServer.start(Confs.SEED)) {
            server.send(post("/publish?id=a", "first"));
            server.clock().advanceSeconds(1);
            server.send(post("/publish?id=a", "second"));
            assertEquals("first", server.send(get("/activity?id=a")).text());
            assertEquals("first", server.send(get("/activity?id=a", "If-None-Match: 5")).text(), "If-None-Match alone is ignored");
        }
    }

    @Test
    void s4_2_walks_messages_of_one_second_by_etag_without_loss_or_duplication() throws IOException {
        try (TestServer server = TestServer.start(Confs.SEED)) {
            for (int i = 0; i < 5; i++) server.send(post("/publish?id=a", "m" + i));
            server.clock().advanceSeconds(1);
            for (int i = 5; i < 8; i++) server.send(post("/publish?id=a", "m" + i));
            List<String> seen = new ArrayList<>();
            List<String> etags = new ArrayList<>();
            RawResponse r = server.send(get("/activity?id=a"));
            seen.add(r.text());
            etags.add(r.header("Etag"));
            for (int i = 1; i < 8; i++) {
                r = server.send(RawHttp.next("/activity?id=a", r));
                assertEquals(200, r.status());
                seen.add(r.text());
                etags.add(r.header("Etag"));
            }
            assertEquals(List.of("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7"), seen);
            assertEquals(List.of("0", "1", "2", "3", "4", "0", "1", "2"), etags);
            // At the newest message the next request waits, then gets the next publish.
            try (RawHttp waiting = server.open(RawHttp.next("/activity?id=a", r))) {
                server.awaitSubscribers("/publish?id=a", 1);
                assertEquals(201, server.send(post("/publish?id=a", "m8")).status());
                RawResponse m8 = waiting.read();
                assertEquals("m8", m8.text());
                assertEquals("3", m8.header("Etag"));
            }
        }
    }

    @Test
    void s4_2_a_cursor_older_than_everything_gets_the_oldest_still_stored() throws IOException {
        try (TestServer server = TestServer.start(Confs.pubSub("push_max_message_buffer_length 2;", ""))) {
            server.send(post("/pub?id=a", "m0"));
            RawResponse m0 = server.send(get("/sub?id=a"));
            server.send(post("/pub?id=a", "m1"));
            server.send(post("/pub?id=a", "m2"));
            server.send(post("/pub?id=a", "m3"));
            assertEquals("m2", server.send(RawHttp.next("/sub?id=a", m0)).text());
        }
    }

    @Test
    void s4_3_waiting_request_gets_the_new_message_and_publisher_sees_201() throws IOException {
        try (TestServer server = TestServer.start(Confs.SEED)) {
            try (RawHttp sub = server.open(get("/activity?id=a"))) {
                server.awaitSubscribers("/publish?id=a", 1);
                RawResponse p = server.send(post("/publish?id=a", "news"));
                assertEquals(201, p.status());
                RawResponse m = sub.read();
                assertEquals("news", m.text());
                assertEquals("0", m.header("Etag"));
                // The same connection is kept alive and can long-poll again.
                sub.send(RawHttp.next("/activity?id=a", m));
                server.awaitSubscribers("/publish?id=a", 1);
                server.send(post("/publish?id=a", "more"));
                assertEquals("more", sub.read().text());
            }
        }
    }

    @Test
    void s4_3_subscriber_timeout_is_304_without_cursor_headers() throws IOException {
        try (TestServer server = TestServer.start(Confs.pubSub("", "push_subscriber_timeout 1s;"))) {
            try (RawHttp sub = server.open(get("/sub?id=a"))) {
                RawResponse r = sub.read();
                assertEquals("HTTP/1.1 304 Not Modified", r.statusLine());
                assertNull(r.header("Etag"));
                assertNull(r.header("Last-Modified"));
                assertNull(r.header("Vary"));
            }
            server.awaitSubscribers("/pub?id=a", 0);
        }
    }

    @Test
    void s4_3_client_going_away_releases_the_wait() throws IOException {
        try (TestServer server = TestServer.start(Confs.SEED)) {
            for (int i = 0; i < 3; i++) {
                RawHttp sub = server.open(get("/activity?id=a"));
                server.awaitSubscribers("/publish?id=a", 1);
                sub.close();
                server.awaitSubscribers("/publish?id=a", 0);
            }
            assertEquals(202, server.send(post("/publish?id=a", "nobody")).status());
        }
    }

    @Test
    void s4_5_interval_poll_answers_at_once_304_echoing_the_etag() throws IOException {
        try (TestServer server = TestServer.start(Confs.pubIntervalSub("", ""))) {
            RawResponse empty = server.send(get("/sub?id=a", "If-None-Match: 7", "If-Modified-Since: Mon, 21 Sep 2026 14:13:20 GMT"));
            assertEquals("HTTP/1.1 304 Not Modified", empty.statusLine());
            assertEquals("7", empty.header("Etag"));
            assertNull(empty.header("Last-Modified"));
            assertNull(server.send(get("/sub?id=a")).header("Etag"), "no If-None-Match, no Etag");
            assertEquals(202, server.send(post("/pub?id=a", "one")).status(), "interval-poll never counts as waiting");
            RawResponse one = server.send(get("/sub?id=a"));
            assertEquals("one", one.text());
            assertEquals(304, server.send(RawHttp.next("/sub?id=a", one)).status());
            server.send(post("/pub?id=a", "two"));
            assertEquals("two", server.send(RawHttp.next("/sub?id=a", one)).text());
        }
    }

    @Test
    void s4_1_options_and_other_methods() throws IOException {
        try (TestServer server = TestServer.start(Confs.SEED)) {
            RawResponse o = server.send(request("OPTIONS", "/activity?id=a", null));
            assertEquals(200, o.status());
            assertEquals("*", o.header("Access-Control-Allow-Origin"));
            assertEquals("If-None-Match, If-Modified-Since, Origin", o.header("Access-Control-Allow-Headers"));
            assertEquals("GET, OPTIONS", o.header("Access-Control-Allow-Methods"));
            assertEquals("0", o.header("Content-Length"));
            for (String method : new String[] {"POST", "HEAD", "PUT", "DELETE"}) {
                RawResponse r = server.send(request(method, "/activity?id=a", null));
                assertEquals("HTTP/1.1 405 Not Allowed", r.statusLine(), method);
                assertEquals("GET, OPTIONS", r.header("Allow"));
            }
            assertEquals(404, server.send(get("/publish?id=a")).status(), "refused requests create nothing");
            RawResponse noId = server.send(request("POST", "/activity", null));
            assertEquals("No channel id provided.", noId.text(), "the channel id is checked before the method");
        }
    }

    @Test
    void s4_6_authorized_channels_only_is_403_until_a_publisher_created_the_channel() throws IOException {
        try (TestServer server = TestServer.start(Confs.pubSub("", "push_authorized_channels_only on;"))) {
            RawResponse r = server.send(get("/sub?id=a"));
            assertEquals("HTTP/1.1 403 Forbidden", r.statusLine());
            assertTrue(r.text().contains("403 Forbidden"));
            assertEquals(404, server.send(get("/pub?id=a")).status(), "a refused subscriber creates no channel");
            server.send(post("/pub?id=a", "before"));
            assertEquals("before", server.send(get("/sub?id=a")).text());
        }
    }

    @Test
    void s4_6_interval_poll_skips_authorization() throws IOException {
        try (TestServer server = TestServer.start(Confs.pubIntervalSub("", "push_authorized_channels_only on;"))) {
            assertEquals(304, server.send(get("/sub?id=a")).status());
        }
    }

    @Test
    void s4_7_ignore_queue_on_no_cache_waits_for_the_next_message() throws IOException {
        try (TestServer server = TestServer.start(Confs.pubSub("", "push_ignore_queue_on_no_cache on;"))) {
            server.send(post("/pub?id=a", "stored"));
            assertEquals("stored", server.send(get("/sub?id=a", "Cache-Control: no-cache, max-age=0")).text());
            try (RawHttp sub = server.open(get("/sub?id=a", "Cache-Control: no-cache"))) {
                server.awaitSubscribers("/pub?id=a", 1);
                server.send(post("/pub?id=a", "fresh"));
                assertEquals("fresh", sub.read().text());
            }
            try (RawHttp sub = server.open(get("/sub?id=a", "Pragma: no-cache"))) {
                server.awaitSubscribers("/pub?id=a", 1);
                server.send(post("/pub?id=a", "fresher"));
                assertEquals("fresher", sub.read().text());
            }
        }
    }

    @Test
    void s4_3_keep_alive_connection_survives_many_long_polls() throws IOException {
        try (TestServer server = TestServer.start(Confs.SEED); RawHttp sub = new RawHttp(server.port())) {
            sub.send(get("/activity?id=a"));
            server.awaitSubscribers("/publish?id=a", 1);
            server.send(post("/publish?id=a", "0"));
            RawResponse last = sub.read();
            for (int i = 1; i < 50; i++) {
                sub.send(RawHttp.next("/activity?id=a", last));
                server.awaitSubscribers("/publish?id=a", 1);
                server.send(post("/publish?id=a", String.valueOf(i)));
                last = sub.read();
                assertEquals(String.valueOf(i), last.text());
            }
            assertFalse(sub.closedByServer(50));
        }
    }
}
