package dev.pushrelay.it;

import dev.pushrelay.testing.RawHttp;
import dev.pushrelay.testing.RawResponse;
import dev.pushrelay.testing.RawSocket;
import dev.pushrelay.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static dev.pushrelay.testing.RawHttp.get;
import static dev.pushrelay.testing.RawHttp.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * access_log and log_format (README "Operating pushrelay"): one line per request when it
 * completes, a long-poll logged once with its outcome (200, 304 timeout, 499 disconnect).
 */
class AccessLogIT {

    private static final String CONF = """
            access_log access.log;
            location /pub {
                set $push_channel_id $arg_id;
                push_publisher;
            }
            location /sub {
                set $push_channel_id $arg_id;
                push_subscriber;
            }
            location /short {
                set $push_channel_id $arg_id;
                push_subscriber;
                push_subscriber_timeout 1s;
            }
            location /quiet {
                access_log off;
                set $push_channel_id $arg_id;
                push_publisher;
            }
            """;

    /** The combined-format line nginx writes for a request from this test. */
    static String combined(TestServer server, String request, int status, int bytes, String userAgent) {
        String time = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.US)
                .format(server.clock().instant().atZone(ZoneId.systemDefault()));
        return "127.0.0.1 - - [" + time + "] \"" + request + "\" " + status + " " + bytes + " \"-\" \"" + userAgent + "\"";
    }

    /** Waits (bounded) until the log holds {@code n} lines; the writer thread is asynchronous. */
    static List<String> awaitLines(Path log, int n) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        List<String> lines = List.of();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                lines = Files.readAllLines(log);
                if (lines.size() >= n) return lines;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        throw new AssertionError("expected " + n + " lines in " + log + ", got " + lines);
    }

    static List<String> awaitLineWith(Path log, String fragment) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        List<String> lines = List.of();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                lines = Files.readAllLines(log);
                if (lines.stream().anyMatch(l -> l.contains(fragment))) return lines;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        throw new AssertionError("expected a line with " + fragment + " in " + log + ", got " + lines);
    }

    @Test
    void publish_and_immediate_get_in_combined_format() throws IOException {
        try (TestServer server = TestServer.start(CONF)) {
            Path log = server.dir().resolve("access.log");
            RawResponse p = server.send(post("/pub?id=a", "hi", "User-Agent: curl/8.5"));
            assertEquals(202, p.status());
            awaitLines(log, 1);
            RawResponse m = server.send(get("/sub?id=a", "Referer: http://example.com/page"));
            assertEquals(200, m.status());
            List<String> lines = awaitLines(log, 2);
            assertEquals(combined(server, "POST /pub?id=a HTTP/1.1", 202, p.body().length, "curl/8.5"), lines.get(0));
            assertEquals(combined(server, "GET /sub?id=a HTTP/1.1", 200, 2, "-")
                    .replace("200 2 \"-\"", "200 2 \"http://example.com/page\""), lines.get(1));
        }
    }

    @Test
    void a_long_poll_is_logged_once_when_it_ends_by_message() throws IOException {
        try (TestServer server = TestServer.start(CONF)) {
            Path log = server.dir().resolve("access.log");
            try (RawHttp waiting = server.open(get("/sub?id=a", "If-Modified-Since: Thu, 01 Jan 1970 00:00:01 GMT"))) {
                server.awaitSubscribers("/pub?id=a", 1);
                List<String> before = awaitLines(log, 1); // the channel-info GET of awaitSubscribers
                assertTrue(before.stream().noneMatch(l -> l.contains("/sub?id=a")), before.toString());
                assertEquals(201, server.send(post("/pub?id=a", "hello")).status());
                assertEquals("hello", waiting.read().text());
            }
            // awaitSubscribers may have asked more than once: wait for the long-poll's own line
            awaitLineWith(log, "\"GET /sub?id=a HTTP/1.1\"");
            List<String> lines = awaitLines(log, 3);
            List<String> sub = lines.stream().filter(l -> l.contains("\"GET /sub?id=a HTTP/1.1\"")).toList();
            assertEquals(1, sub.size(), lines.toString());
            assertTrue(sub.get(0).contains("\" 200 5 \"-\" \"-\""), sub.get(0));
        }
    }

    @Test
    void a_long_poll_that_times_out_is_logged_304() throws IOException {
        try (TestServer server = TestServer.start(CONF)) {
            Path log = server.dir().resolve("access.log");
            try (RawHttp waiting = server.open(get("/short?id=t", "If-Modified-Since: Thu, 01 Jan 1970 00:00:01 GMT"))) {
                assertEquals(304, waiting.read().status());
            }
            List<String> lines = awaitLines(log, 1);
            assertEquals(combined(server, "GET /short?id=t HTTP/1.1", 304, 0, "-"), lines.get(0));
        }
    }

    @Test
    void an_http_1_0_request_is_logged_with_its_own_version_though_answered_http_1_1() throws IOException {
        try (TestServer server = TestServer.start(CONF)) {
            // the status line says HTTP/1.1 (protocol.md §9); the log keeps what the client sent
            RawSocket.Result r = RawSocket.sendAndRead(server.port(),
                    "GET /short?id=v HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            assertTrue(r.text().startsWith("HTTP/1.1 304 Not Modified\r\n"), r.text());
            List<String> lines = awaitLines(server.dir().resolve("access.log"), 1);
            assertEquals(combined(server, "GET /short?id=v HTTP/1.0", 304, 0, "-"), lines.get(0));
        }
    }

    @Test
    void a_long_poll_whose_client_vanishes_is_logged_499() throws IOException {
        try (TestServer server = TestServer.start(CONF)) {
            Path log = server.dir().resolve("access.log");
            RawHttp waiting = server.open(get("/sub?id=d"));
            server.awaitSubscribers("/pub?id=d", 1);
            waiting.close();
            server.awaitSubscribers("/pub?id=d", 0);
            // channel-info polls log lines too, and how many depends on timing: wait for the long-poll's
            List<String> lines = awaitLineWith(log, "\"GET /sub?id=d HTTP/1.1\"");
            List<String> sub = lines.stream().filter(l -> l.contains("\"GET /sub?id=d HTTP/1.1\"")).toList();
            assertEquals(List.of(combined(server, "GET /sub?id=d HTTP/1.1", 499, 0, "-")), sub, lines.toString());
        }
    }

    @Test
    void a_custom_json_format_with_pushrelay_variables() throws IOException {
        try (TestServer server = TestServer.start("""
                log_format js escape=json '{"ch":"$push_channel_id","st":$status,"m":"$request_method",'
                                          '"uri":"$uri","args":"$args","ua":"$http_user_agent","t":$request_time}';
                location /pub {
                    access_log pub.log js;
                    set $push_channel_id $arg_id;
                    push_publisher;
                }
                """)) {
            server.send(post("/pub?id=a%20b", "x", "User-Agent: say \"hi\""));
            String line = awaitLines(server.dir().resolve("pub.log"), 1).get(0);
            assertTrue(line.matches("\\{\"ch\":\"a%20b\",\"st\":202,\"m\":\"POST\",\"uri\":\"/pub\","
                    + "\"args\":\"id=a%20b\",\"ua\":\"say \\\\\"hi\\\\\"\",\"t\":\\d+\\.\\d{3}}"), line);
        }
    }

    @Test
    void a_log_file_that_cannot_be_opened_fails_start_up() {
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> TestServer.start("access_log /nonexistent-dir-for-pushrelay-tests/a.log;\nlocation / { }"));
        assertTrue(e.getMessage().contains("/nonexistent-dir-for-pushrelay-tests/a.log"), e.getMessage());
    }
}
