package dev.pushrelay.it;

import dev.pushrelay.testing.RawHttp;
import dev.pushrelay.testing.RawResponse;
import dev.pushrelay.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static dev.pushrelay.testing.RawHttp.get;
import static dev.pushrelay.testing.RawHttp.post;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** protocol.md §7: first, last, broadcast and the subscriber limit. */
class ConcurrencyIT {

    @Test
    void s7_1_first_keeps_the_oldest_and_newcomers_get_409() throws IOException {
        try (TestServer server = TestServer.start(Confs.pubSub("", "push_subscriber_concurrency first;"))) {
            server.send(post("/pub?id=a", "stored"));
            try (RawHttp first = server.open(RawHttp.next("/sub?id=a", server.send(get("/sub?id=a"))))) {
                server.awaitSubscribers("/pub?id=a", 1);
                for (int i = 0; i < 2; i++) {
                    RawResponse r = server.send(get("/sub?id=a"));
                    assertEquals("HTTP/1.1 409 Conflict", r.statusLine(), "even when asking for a stored message");
                    assertEquals("0", r.header("Content-Length"));
                }
                server.awaitSubscribers("/pub?id=a", 1);
                assertEquals(201, server.send(post("/pub?id=a", "news")).status());
                assertEquals("news", first.read().text());
            }
        }
    }

    @Test
    void s7_2_last_ends_every_waiting_request_with_409_and_the_newcomer_waits() throws IOException {
        try (TestServer server = TestServer.start(Confs.pubSub("", "push_subscriber_concurrency last;"))) {
            try (RawHttp one = server.open(get("/sub?id=a"))) {
                server.awaitSubscribers("/pub?id=a", 1);
                RawHttp two = server.open(get("/sub?id=a"));
                RawResponse kicked = one.read();
                assertEquals("HTTP/1.1 409 Conflict", kicked.statusLine());
                assertEquals("0", kicked.header("Content-Length"));
                server.awaitSubscribers("/pub?id=a", 1);
                try (RawHttp three = server.open(get("/sub?id=a"))) {
                    assertEquals(409, two.read().status());
                    server.awaitSubscribers("/pub?id=a", 1);
                    server.send(post("/pub?id=a", "to three"));
                    assertEquals("to three", three.read().text());
                } finally {
                    two.close();
                }
            }
        }
    }

    @Test
    void s7_3_broadcast_delivers_each_message_to_every_waiting_request_once() throws IOException {
        try (TestServer server = TestServer.start(Confs.SEED)) {
            RawHttp[] subs = new RawHttp[40];
            for (int i = 0; i < subs.length; i++) subs[i] = server.open(get("/activity?id=a"));
            try {
                server.awaitSubscribers("/publish?id=a", subs.length);
                assertEquals(201, server.send(post("/publish?id=a", "all")).status());
                RawResponse[] got = new RawResponse[subs.length];
                for (int i = 0; i < subs.length; i++) {
                    got[i] = subs[i].read();
                    assertEquals("all", got[i].text());
                }
                for (int i = 0; i < subs.length; i++) subs[i].send(RawHttp.next("/activity?id=a", got[i]));
                server.awaitSubscribers("/publish?id=a", subs.length);
                server.send(post("/publish?id=a", "again"));
                for (RawHttp s : subs) assertEquals("again", s.read().text());
            } finally {
                for (RawHttp s : subs) s.close();
            }
        }
    }

    @Test
    void s7_max_channel_subscribers_answers_403_header_only() throws IOException {
        try (TestServer server = TestServer.start(Confs.pubSub("", "push_max_channel_subscribers 2;"))) {
            try (RawHttp a = server.open(get("/sub?id=a")); RawHttp b = server.open(get("/sub?id=a"))) {
                server.awaitSubscribers("/pub?id=a", 2);
                RawResponse r = server.send(get("/sub?id=a"));
                assertEquals("HTTP/1.1 403 Forbidden", r.statusLine());
                assertEquals("0", r.header("Content-Length"));
                assertEquals(0, r.body().length);
                server.send(post("/pub?id=a", "x"));
                assertEquals("x", a.read().text());
                assertEquals("x", b.read().text());
            }
        }
    }
}
