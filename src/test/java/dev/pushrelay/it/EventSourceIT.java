package dev.pushrelay.it;

import dev.pushrelay.testing.EventStream;
import dev.pushrelay.testing.RawResponse;
import dev.pushrelay.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.pushrelay.testing.RawHttp.get;
import static dev.pushrelay.testing.RawHttp.post;
import static dev.pushrelay.testing.RawHttp.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** protocol.md §14.1, §14.2: EventSource on a subscriber location, and its cursor token. */
class EventSourceIT {

    private static final String ES = "Accept: text/event-stream";

    private static String event(long time, int tag, String... dataLines) {
        StringBuilder b = new StringBuilder("id: " + time + ":" + tag + "\n");
        for (String d : dataLines) b.append("data: ").append(d).append('\n');
        return b.append('\n').toString();
    }

    @Test
    void s14_2_stream_headers_then_stored_messages_then_live_ones() throws IOException {
        try (TestServer server = TestServer.start(Confs.SEED)) {
            long t0 = server.clock().epochSecond();
            server.send(post("/publish?id=a", "first"));
            server.send(post("/publish?id=a", "second"));
            try (EventStream s = EventStream.open(server.port(), get("/activity?id=a", ES))) {
                RawResponse h = s.head();
                assertEquals("HTTP/1.1 200 OK", h.statusLine());
                assertEquals("text/event-stream; charset=utf-8", h.header("Content-Type"));
                assertEquals("no-cache", h.header("Cache-Control"));
                assertEquals("no", h.header("X-Accel-Buffering"));
                assertEquals("chunked", h.header("Transfer-Encoding"));
                assertNull(h.header("Content-Length"));
                assertEquals(":\n\n", s.next(), "a first comment opens the stream at once");
                assertEquals(event(t0, 0, "first"), s.next());
                assertEquals(event(t0, 1, "second"), s.next());
                server.awaitSubscribers("/publish?id=a", 1);
                server.clock().advanceSeconds(1);
                server.send(post("/publish?id=a", "third"));
                assertEquals(event(t0 + 1, 0, "third"), s.next());
                server.awaitSubscribers("/publish?id=a", 1);
                server.send(post("/publish?id=a", "fourth"));
                assertEquals(event(t0 + 1, 1, "fourth"), s.next());
            }
        }
    }

    @Test
    void s14_2_every_line_end_splits_data_lines() throws IOException {
        try (TestServer server = TestServer.start(Confs.SEED)) {
            long t0 = server.clock().epochSecond();
            server.send(post("/publish?id=a", "a\r\nb\rc\nd\n"));
            server.send(post("/publish?id=a", ""));
            server.send(post("/publish?id=a", "\r\r\n"));
            try (EventStream s = EventStream.open(server.port(), get("/activity?id=a", ES))) {
                assertEquals(event(t0, 0, "a", "b", "c", "d", ""), s.nextEvent());
                assertEquals(event(t0, 1, ""), s.nextEvent(), "an empty body is one empty data line");
                assertEquals(event(t0, 2, "", "", ""), s.nextEvent());
            }
        }
    }

    @Test
    void s14_2_the_publishers_x_eventsource_event_names_the_event() throws IOException {
        try (TestServer server = TestServer.start(Confs.SEED)) {
            long t0 = server.clock().epochSecond();
            server.send(post("/publish?id=a", "hello", "X-EventSource-Event: greeting"));
            server.send(post("/publish?id=a", "plain", "X-EventSource-Event: "));
            try (EventStream s = EventStream.open(server.port(), get("/activity?id=a", ES))) {
                assertEquals("id: " + t0 + ":0\nevent: greeting\ndata: hello\n\n", s.nextEvent());
                assertEquals(event(t0, 1, "plain"), s.nextEvent(), "an empty name is no name");
            }
            RawResponse poll = server.send(get("/activity?id=a"));
            assertEquals("hello", poll.text());
            assertNull(poll.header("X-EventSource-Event"), "a long-poll answer is as before");
        }
    }

    @Test
    void s14_1_resumes_after_last_event_id_header_or_argument() throws IOException {
        try (TestServer server = TestServer.start(Confs.SEED)) {
            long t0 = server.clock().epochSecond();
            for (int i = 0; i < 3; i++) server.send(post("/publish?id=a", "m" + i));
            try (EventStream s = EventStream.open(server.port(), get("/activity?id=a", ES, "Last-Event-ID: " + t0 + ":0"))) {
                assertEquals(event(t0, 1, "m1"), s.nextEvent());
                assertEquals(event(t0, 2, "m2"), s.nextEvent());
            }
            try (EventStream s = EventStream.open(server.port(), get("/activity?id=a&last_event_id=" + t0 + "%3A1", ES))) {
                assertEquals(event(t0, 2, "m2"), s.nextEvent());
            }
            try (EventStream s = EventStream.open(server.port(), get("/activity?id=a", ES, "Last-Event-ID: " + t0 + ":2"))) {
                assertEquals(":\n\n", s.next());
                server.awaitSubscribers("/publish?id=a", 1);
                server.send(post("/publish?id=a", "m3"));
                assertEquals(event(t0, 3, "m3"), s.nextEvent(), "at the newest message it waits for the next");
            }
        }
    }

    @Test
    void s14_1_an_invalid_token_is_400_and_creates_nothing() throws IOException {
        try (TestServer server = TestServer.start(Confs.SEED)) {
            for (String bad : List.of("Last-Event-ID: 12", "Last-Event-ID: x:1", "Last-Event-ID: 1:-2", "Last-Event-ID: :")) {
                try (EventStream s = EventStream.open(server.port(), get("/activity?id=a", ES, bad))) {
                    assertEquals(400, s.head().status(), bad);
                    assertEquals("Invalid Last-Event-ID\n", s.head().text());
                }
            }
            try (EventStream s = EventStream.open(server.port(), get("/activity?id=a&last_event_id=1:2:3", ES))) {
                assertEquals(400, s.head().status());
                assertEquals("Invalid last_event_id\n", s.head().text());
            }
            assertEquals(404, server.send(get("/publish?id=a")).status(), "no channel was created");
        }
    }

    @Test
    void s14_2_pings_at_the_configured_interval() throws IOException {
        String conf = Confs.SEED.replace("default_type text/plain;", "default_type text/plain;\n nchan_eventsource_ping_interval 1;");
        try (TestServer server = TestServer.start(conf)) {
            try (EventStream s = EventStream.open(server.port(), get("/activity?id=a", ES))) {
                assertEquals(":\n\n", s.next());
                long start = System.nanoTime();
                assertEquals(":\n\n", s.next(), "a ping");
                assertTrue(System.nanoTime() - start > TimeUnit.MILLISECONDS.toNanos(500), "not before the interval");
                assertEquals(":\n\n", s.next(), "and another");
            }
        }
    }

    @Test
    void s14_2_without_a_ping_interval_an_idle_stream_stays_silent() throws IOException {
        try (TestServer server = TestServer.start(Confs.SEED)) {
            try (EventStream s = EventStream.open(server.port(), get("/activity?id=a", ES))) {
                assertEquals(":\n\n", s.next());
                assertFalse(s.endedByServer(1500));
            }
        }
    }

    @Test
    void s14_2_a_deleted_channel_ends_the_stream_with_a_close_event() throws IOException {
        try (TestServer server = TestServer.start(Confs.SEED)) {
            try (EventStream s = EventStream.open(server.port(), get("/activity?id=a", ES))) {
                assertEquals(":\n\n", s.next());
                server.awaitSubscribers("/publish?id=a", 1);
                assertEquals(200, server.send(request("DELETE", "/publish?id=a", null)).status());
                assertEquals("event: pushrelay-close\ndata: channel deleted\n\n", s.next());
                assertNull(s.next(), "then the response ends");
            }
        }
    }

    @Test
    void s14_2_a_graceful_stop_ends_streams_with_a_close_event() throws Exception {
        try (TestServer server = TestServer.start(Confs.SEED)) {
            try (EventStream s = EventStream.open(server.port(), get("/activity?id=a", ES))) {
                assertEquals(":\n\n", s.next());
                server.awaitSubscribers("/publish?id=a", 1);
                CompletableFuture<List<String>> stop = CompletableFuture.supplyAsync(() -> server.server().stop());
                assertEquals("event: pushrelay-close\ndata: server stopping\n\n", s.next());
                assertNull(s.next(), "then the response ends");
                List<String> notes = stop.get(30, TimeUnit.SECONDS);
                assertTrue(notes.stream().noneMatch(n -> n.contains("cut off")), notes.toString());
            }
        }
    }

    @Test
    void s14_4_a_client_that_does_not_read_is_cut_off_after_a_bounded_queue() throws Exception {
        try (TestServer server = TestServer.start(Confs.SEED);
             java.net.Socket reader = new java.net.Socket()) {
            reader.setReceiveBufferSize(4096);
            reader.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()));
            reader.getOutputStream().write(get("/activity?id=slow", ES).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            server.awaitSubscribers("/publish?id=slow", 1);
            String body = "x".repeat(64 * 1024);
            int published = 200; // 12.5 MiB: more than the kernel's socket buffers and the 1 MiB queue
            for (int i = 0; i < published; i++) {
                int status = server.send(post("/publish?id=slow", body)).status();
                assertTrue(status == 201 || status == 202, "stored either way: " + status);
            }
            server.awaitSubscribers("/publish?id=slow", 0);
            reader.setSoTimeout(15_000);
            java.io.InputStream in = reader.getInputStream();
            byte[] b = new byte[65536];
            long read = 0;
            for (int n = in.read(b); n >= 0; n = in.read(b)) read += n;
            assertTrue(read < (long) published * body.length(), "closed before everything was sent: " + read);
        }
    }

    @Test
    void s14_4_the_first_registration_obeys_concurrency_first() throws IOException {
        String conf = Confs.SEED.replace("push_subscriber_concurrency broadcast;", "push_subscriber_concurrency first;");
        try (TestServer server = TestServer.start(conf)) {
            try (EventStream s = EventStream.open(server.port(), get("/activity?id=a", ES))) {
                assertEquals(":\n\n", s.next());
                server.awaitSubscribers("/publish?id=a", 1);
                try (EventStream second = EventStream.open(server.port(), get("/activity?id=a", ES))) {
                    assertEquals(409, second.head().status());
                }
                server.send(post("/publish?id=a", "x"));
                assertEquals("data: x\n\n", s.nextEvent().replaceFirst("id: [^\n]*\n", ""));
            }
        }
    }

    @Test
    void s14_2_a_stream_does_not_change_long_poll_answers() throws IOException {
        try (TestServer server = TestServer.start(Confs.SEED)) {
            server.send(post("/publish?id=a", "hi"));
            RawResponse m = server.send(get("/activity?id=a", "Accept: text/html"));
            assertEquals(200, m.status());
            assertEquals("hi", m.text());
            assertEquals("2", m.header("Content-Length"));
        }
    }

    @Test
    void s14_2_the_jdk_http_client_reads_every_message_once_in_order() throws Exception {
        // room for all fifty, so the test sees every message even if the reader lags (§14.3)
        try (TestServer server = TestServer.start(Confs.SEED.replace("buffer_length 10;", "buffer_length 100;"))) {
            HttpClient client = HttpClient.newHttpClient();
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/activity?id=b"))
                    .header("Accept", "text/event-stream").timeout(Duration.ofSeconds(30)).build();
            HttpResponse<Stream<String>> r = client.send(req, HttpResponse.BodyHandlers.ofLines());
            assertEquals(200, r.statusCode());
            Iterator<String> lines = r.body().iterator();
            CompletableFuture<List<String>> got = CompletableFuture.supplyAsync(() -> {
                List<String> data = new ArrayList<>();
                while (data.size() < 50 && lines.hasNext()) {
                    String l = lines.next();
                    if (l.startsWith("data: ")) data.add(l.substring(6));
                }
                return data;
            });
            server.awaitSubscribers("/publish?id=b", 1);
            for (int i = 0; i < 50; i++) {
                int status = server.send(post("/publish?id=b", "n" + i)).status();
                assertTrue(status == 201 || status == 202, "stored either way (202: between two registrations)");
            }
            List<String> want = new ArrayList<>();
            for (int i = 0; i < 50; i++) want.add("n" + i);
            assertEquals(want, got.get(30, TimeUnit.SECONDS));
            r.body().close();
        }
    }
}
