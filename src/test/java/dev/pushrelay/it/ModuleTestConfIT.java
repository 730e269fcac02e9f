package dev.pushrelay.it;

import dev.pushrelay.config.ConfLoader;
import dev.pushrelay.config.ListenAddress;
import dev.pushrelay.config.Settings;
import dev.pushrelay.server.ListenFlag;
import dev.pushrelay.server.PushServer;
import dev.pushrelay.testing.Gzip;
import dev.pushrelay.testing.MutableClock;
import dev.pushrelay.testing.RawHttp;
import dev.pushrelay.testing.RawResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;

import static dev.pushrelay.testing.RawHttp.get;
import static dev.pushrelay.testing.RawHttp.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Issue 14: a configuration shaped as the push module's own test configuration (v0.731
 * tests/nginx.conf: regex locations with captures, channel group, store off, message and
 * subscriber timeouts, gzip, authorized-only, and {@code location ~ /rewrite/(.*)$ { rewrite
 * ^/(.*)$ $1; }}) loads as it is (only its listen is moved to an ephemeral loopback port)
 * and every location serves over real HTTP. The rewrite location strips the leading '/',
 * so /rewrite/pub/x becomes "rewrite/pub/x", which the other regex locations match again
 * (protocol.md §8.9).
 */
class ModuleTestConfIT {

    private PushServer server;
    private MutableClock clock;
    private int port;

    @BeforeEach
    void start() throws Exception {
        Settings settings = ListenFlag.apply(ConfLoader.load(Path.of("src/test/resources/conf/module-tests.conf")),
                new ListenAddress("127.0.0.1", 0, false));
        clock = new MutableClock(Instant.ofEpochSecond(1_790_000_000L));
        server = PushServer.start(settings, clock);
        port = server.port();
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    private RawResponse send(String request) throws IOException {
        return RawHttp.exchange(port, request);
    }

    private void awaitSubscribers(String publisher, int n) throws IOException {
        dev.pushrelay.testing.Subscribers.await(port, publisher, n, java.time.Duration.ofSeconds(15));
    }

    @Test
    void publisher_and_broadcast_subscriber() throws IOException {
        assertEquals(404, send(get("/pub/ch")).status(), "no channel yet");
        assertEquals(202, send(post("/pub/ch", "one")).status());
        RawResponse m = send(get("/sub/broadcast/ch"));
        assertEquals("one", m.text());
        try (RawHttp waiting = new RawHttp(port)) {
            waiting.send(RawHttp.next("/sub/broadcast/ch", m));
            awaitSubscribers("/pub/ch", 1);
            assertEquals(201, send(post("/pub/ch", "two")).status());
            assertEquals("two", waiting.read().text());
        }
    }

    @Test
    void the_rewrite_location_reaches_publisher_and_subscribers_through_a_new_search() throws IOException {
        assertEquals(202, send(post("/rewrite/pub/rw", "via rewrite")).status());
        assertEquals("via rewrite", send(get("/sub/broadcast/rw")).text(), "the channel is test/rw");
        RawResponse m = send(get("/rewrite/sub/broadcast/rw"));
        assertEquals(200, m.status());
        assertEquals("via rewrite", m.text());
        assertEquals(403, send(get("/rewrite/sub/authorized/none")).status());
        assertEquals(404, send(get("/rewrite/nothing")).status(), "\"rewrite/nothing\" matches no location");
    }

    @Test
    void nobuffer_publisher_stores_nothing() throws IOException {
        assertEquals(202, send(post("/pub/nobuffer/nb", "lost")).status());
        assertEquals(304, send(get("/sub/intervalpoll/nb")).status(), "nothing stored");
    }

    @Test
    void two_second_message_timeout_and_interval_poll() throws IOException {
        assertEquals(202, send(post("/pub/2_sec_message_timeout/mt", "short-lived")).status());
        assertEquals("short-lived", send(get("/sub/intervalpoll/mt")).text());
        clock.advanceSeconds(3);
        assertEquals(304, send(get("/sub/intervalpoll/mt")).status(), "expired after 2 s");
    }

    @Test
    void first_and_last_concurrency() throws IOException {
        send(post("/pub/fc", "m"));
        RawResponse m = send(get("/sub/first/fc"));
        try (RawHttp first = new RawHttp(port)) {
            first.send(RawHttp.next("/sub/first/fc", m));
            awaitSubscribers("/pub/fc", 1);
            assertEquals(409, send(RawHttp.next("/sub/first/fc", m)).status());
        }
        send(post("/pub/lc", "m"));
        RawResponse l = send(get("/sub/last/lc"));
        try (RawHttp older = new RawHttp(port); RawHttp newer = new RawHttp(port)) {
            older.send(RawHttp.next("/sub/last/lc", l));
            awaitSubscribers("/pub/lc", 1);
            newer.send(RawHttp.next("/sub/last/lc", l));
            assertEquals(409, older.read().status(), "the newest subscriber takes over");
        }
    }

    @Test
    void gzip_subscriber_keeps_the_cursor() throws IOException {
        send(post("/pub/gz", "a message long enough to compress", "Content-Type: text/plain"));
        RawResponse r = send(get("/sub/gzip/gz", Gzip.ACCEPT));
        assertEquals("gzip", r.header("Content-Encoding"));
        assertEquals("0", r.header("Etag"));
        assertNotNull(r.header("Last-Modified"));
        assertEquals("a message long enough to compress", Gzip.gunzip(r.body()));
    }

    @Test
    void subscriber_timeout_answers_304() throws IOException {
        send(post("/pub/to", "m"));
        RawResponse m = send(get("/sub/timeout/to"));
        assertEquals(304, send(RawHttp.next("/sub/timeout/to", m)).status());
    }

    @Test
    void authorized_only_until_a_publisher_creates_the_channel() throws IOException {
        assertEquals(403, send(get("/sub/authorized/au")).status());
        send(post("/pub/au", "now it exists"));
        assertEquals("now it exists", send(get("/sub/authorized/au")).text());
    }
}
