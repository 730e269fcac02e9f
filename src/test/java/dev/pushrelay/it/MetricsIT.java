package dev.pushrelay.it;

import dev.pushrelay.testing.RawHttp;
import dev.pushrelay.testing.RawResponse;
import dev.pushrelay.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.pushrelay.testing.RawHttp.get;
import static dev.pushrelay.testing.RawHttp.post;
import static dev.pushrelay.testing.RawHttp.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** pushrelay_metrics: Prometheus text format whose counters move with the traffic (protocol.md §11). */
class MetricsIT {

    static final String CONF = """
            location /pub {
                set $push_channel_id $arg_id;
                push_publisher;
            }
            location /sub {
                set $push_channel_id $arg_id;
                push_subscriber;
            }
            location = /metrics {
                pushrelay_metrics;
            }
            """;

    /** The value of one sample line, e.g. {@code pushrelay_subscriber_endings_total{how="message"}}. */
    static double sample(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        if (!m.find()) throw new AssertionError("no " + series + " in\n" + scrape);
        return Double.parseDouble(m.group(1));
    }

    static String scrape(TestServer server) throws IOException {
        RawResponse r = server.send(get("/metrics"));
        assertEquals(200, r.status(), r.toString());
        return r.text();
    }

    /**
     * Scrapes until {@code series} reads {@code value}: counters of a request move when its
     * exchange completes, which may be just after the client has read the answer.
     */
    static String awaitSample(TestServer server, String series, double value) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        String last = "";
        while (System.nanoTime() < deadline) {
            last = scrape(server);
            if (sample(last, series) == value) return last;
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        throw new AssertionError(series + " never read " + value + ":\n" + last);
    }

    @Test
    void a_scrape_shows_the_counters_moving_with_a_publish_and_a_delivery() throws IOException {
        try (TestServer server = TestServer.start(CONF)) {
            RawResponse first = server.send(get("/metrics"));
            assertEquals("text/plain; version=0.0.4; charset=utf-8", first.header("Content-Type"));
            String s = first.text();
            assertEquals(0.0, sample(s, "pushrelay_messages_published_total"));
            assertEquals(0.0, sample(s, "pushrelay_messages_delivered_total"));
            assertEquals(0.0, sample(s, "pushrelay_subscribers_waiting"));
            assertEquals(33554432.0, sample(s, "pushrelay_reserved_memory_limit_bytes"));

            try (RawHttp waiting = server.open(get("/sub?id=a", "If-Modified-Since: Thu, 01 Jan 1970 00:00:01 GMT"))) {
                server.awaitSubscribers("/pub?id=a", 1);
                s = scrape(server);
                assertEquals(1.0, sample(s, "pushrelay_subscribers_waiting"));
                assertEquals(1.0, sample(s, "pushrelay_channels"));
                assertEquals(201, server.send(post("/pub?id=a", "hello")).status());
                assertEquals("hello", waiting.read().text());
            }
            s = awaitSample(server, "pushrelay_publish_requests_total{outcome=\"201\"}", 1.0);
            assertEquals(1.0, sample(s, "pushrelay_messages_published_total"));
            assertEquals(1.0, sample(s, "pushrelay_messages_delivered_total"));
            assertEquals(1.0, sample(s, "pushrelay_subscriber_endings_total{how=\"message\"}"));
            assertEquals(0.0, sample(s, "pushrelay_subscriber_endings_total{how=\"timeout\"}"));
            assertEquals(0.0, sample(s, "pushrelay_subscribers_waiting"));
            assertEquals(1.0, sample(s, "pushrelay_stored_messages"));
            assertTrue(sample(s, "pushrelay_reserved_memory_used_bytes") > 5, s);
            assertEquals(1.0, sample(s, "pushrelay_publish_latency_seconds_count"));

            // an immediate 200 counts as a delivery too; a 202 and a refused publish are outcomes
            assertEquals(200, server.send(get("/sub?id=a")).status());
            assertEquals(202, server.send(post("/pub?id=b", "x")).status());
            assertEquals(404, server.send(post("/pub", "x")).status());
            s = awaitSample(server, "pushrelay_publish_requests_total{outcome=\"4xx\"}", 1.0);
            assertEquals(2.0, sample(s, "pushrelay_messages_delivered_total"));
            assertEquals(2.0, sample(s, "pushrelay_messages_published_total"));
            assertEquals(1.0, sample(s, "pushrelay_publish_requests_total{outcome=\"202\"}"));
            assertEquals(0.0, sample(s, "pushrelay_publish_requests_total{outcome=\"5xx\"}"));
            assertEquals(3.0, sample(s, "pushrelay_publish_latency_seconds_count"));
        }
    }

    @Test
    void subscriber_endings_count_disconnects_and_deletes() throws IOException {
        try (TestServer server = TestServer.start(CONF)) {
            RawHttp gone = server.open(get("/sub?id=d"));
            server.awaitSubscribers("/pub?id=d", 1);
            gone.close();
            server.awaitSubscribers("/pub?id=d", 0);
            awaitSample(server, "pushrelay_subscriber_endings_total{how=\"disconnect\"}", 1.0);
            try (RawHttp waiting = server.open(get("/sub?id=e"))) {
                server.awaitSubscribers("/pub?id=e", 1);
                assertEquals(200, server.send(request("DELETE", "/pub?id=e", null)).status());
                assertEquals(410, waiting.read().status());
            }
            String s = awaitSample(server, "pushrelay_subscriber_endings_total{how=\"gone\"}", 1.0);
            assertEquals(0.0, sample(s, "pushrelay_subscriber_endings_total{how=\"message\"}"));
        }
    }

    @Test
    void jvm_and_process_meters_are_exposed() throws IOException {
        try (TestServer server = TestServer.start(CONF)) {
            String s = scrape(server);
            for (String name : new String[] {"jvm_memory_used_bytes{", "jvm_gc_", "jvm_threads_live_threads",
                    "process_cpu_usage", "system_cpu_count", "process_uptime_seconds", "process_files_open_files"}) {
                assertTrue(s.contains("\n" + name), name + " missing in\n" + s);
            }
            assertTrue(!s.contains("id=\"a\"") && !s.contains("channel="), "no per-channel tags");
        }
    }

    @Test
    void only_get_and_head() throws IOException {
        try (TestServer server = TestServer.start(CONF)) {
            RawResponse r = server.send(post("/metrics", "x"));
            assertEquals(405, r.status());
            assertEquals("GET, HEAD", r.header("Allow"));
            // Connection: close, so the raw client's read by Content-Length ends at EOF
            RawResponse h = server.send(request("HEAD", "/metrics", null, "Connection: close"));
            assertEquals(200, h.status());
            assertTrue(Integer.parseInt(h.header("Content-Length")) > 1000);
            assertEquals(0, h.body().length);
        }
    }

    @Test
    void a_deny_protected_metrics_location_loads_and_serves_through_the_same_routing() throws IOException {
        // The 403 for a denied address comes with allow/deny enforcement (nginx HTTP layer);
        // here 127.0.0.1 is allowed, everything else denied.
        try (TestServer server = TestServer.start(CONF.replace("pushrelay_metrics;", """
                pushrelay_metrics;
                allow 127.0.0.1;
                deny all;
                """))) {
            assertEquals(200, server.send(get("/metrics")).status());
        }
    }
}
