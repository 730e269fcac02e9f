package dev.pushrelay.it;

import dev.pushrelay.testing.Gzip;
import dev.pushrelay.testing.Ports;
import dev.pushrelay.testing.RawHttp;
import dev.pushrelay.testing.RawResponse;
import dev.pushrelay.testing.ServerProcess;
import dev.pushrelay.testing.Subscribers;
import dev.pushrelay.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static dev.pushrelay.testing.RawHttp.get;
import static dev.pushrelay.testing.RawHttp.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end: the full nginx.conf of src/test/resources/conf (events, http, two
 * servers, included location files, regex locations taking the channel from a path capture,
 * channel groups, gzip, interval-poll, allow/deny, root) loads unchanged but for its two ports,
 * and serves its locations over real HTTP. Its subscriber-timeout and authorized-only locations
 * are checked as loaded by FullNginxConfTest; their behaviour is SubscriberIT's (§4.3, §4.6).
 */
class FullNginxConfIT {

    static final Path RESOURCES = Path.of("src/test/resources/conf");

    @TempDir
    Path dir;
    private TestServer server;
    private int push;
    private int admin;

    @BeforeEach
    void start() throws Exception {
        push = Ports.free();
        admin = Ports.free();
        Files.createDirectories(dir.resolve("push.d"));
        try (var files = Files.list(RESOURCES.resolve("push.d"))) {
            for (Path f : files.toList()) Files.copy(f, dir.resolve("push.d").resolve(f.getFileName()));
        }
        Files.copy(RESOURCES.resolve("mime.types"), dir.resolve("mime.types"));
        String conf = Files.readString(RESOURCES.resolve("nginx.conf"))
                .replace("listen 127.0.0.1:8080 default_server;", "listen 127.0.0.1:" + push + " default_server;")
                .replace("listen 8081;", "listen 127.0.0.1:" + admin + ";");
        Files.writeString(dir.resolve("nginx.conf"), conf);
        Files.createDirectories(dir.resolve("html"));
        Files.createDirectories(dir.resolve("logs")); // error_log/access_log/pid live there, as in nginx
        Files.writeString(dir.resolve("html/index.html"), "<script>longPoll()</script>");
        server = TestServer.startFile(dir.resolve("nginx.conf"));
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    private RawResponse send(int port, String request) throws IOException {
        return RawHttp.exchange(port, request);
    }

    /** Waits for {@code n} long-polls on the push server's port. */
    private void awaitSubscribers(String target, int n) throws IOException {
        Subscribers.await(push, target, n, Duration.ofSeconds(15));
    }

    @Test
    void binds_both_servers_and_routes_by_listen_address() throws IOException {
        assertEquals(2, server.server().addresses().size());
        // On the admin server /pub/admin is the allow-listed publisher taking ?id=.
        assertEquals(202, send(admin, post("/pub/admin?id=z", "admin message")).status());
        assertEquals(200, send(admin, get("/pub/admin?id=z")).status());
        // On the push server the same path is the regex publisher with channel "admin".
        assertEquals(404, send(push, get("/pub/admin?id=z")).status(), "channel test/admin does not exist");
        assertEquals(404, send(admin, get("/sub/broadcast/z")).status(), "the admin server has no subscribers");
    }

    @Test
    void regex_publisher_and_broadcast_subscriber_take_the_channel_from_the_path() throws IOException {
        assertEquals(202, send(push, post("/pub/abc", "one", "Content-Type: text/plain")).status());
        RawResponse m = send(push, get("/sub/broadcast/abc"));
        assertEquals("one", m.text());
        assertEquals("0", m.header("Etag"));
        try (RawHttp waiting = new RawHttp(push)) {
            waiting.send(RawHttp.next("/sub/broadcast/abc", m));
            awaitSubscribers("/pub/abc", 1);
            assertEquals(201, send(push, post("/pub/abc", "two")).status());
            assertEquals("two", waiting.read().text());
        }
    }

    @Test
    void nobuffer_publisher_delivers_only_to_waiting_subscribers() throws IOException {
        assertEquals(202, send(push, post("/pub/nobuffer/nb", "lost")).status());
        try (RawHttp waiting = new RawHttp(push)) {
            waiting.send(get("/sub/broadcast/nb"));
            awaitSubscribers("/pub/nb", 1);
            assertEquals(201, send(push, post("/pub/nobuffer/nb", "live")).status());
            assertEquals("live", waiting.read().text());
        }
    }

    @Test
    void interval_poll_answers_at_once() throws IOException {
        RawResponse none = send(push, get("/sub/intervalpoll/ip", "If-None-Match: 3"));
        assertEquals(304, none.status());
        assertEquals("3", none.header("Etag"));
        send(push, post("/pub/ip", "polled"));
        assertEquals("polled", send(push, get("/sub/intervalpoll/ip")).text());
    }

    @Test
    void gzip_subscriber_keeps_the_cursor() throws IOException {
        send(push, post("/pub/gz", "compress me please, a text message", "Content-Type: text/plain"));
        send(push, post("/pub/gz", "and a second one, also text/plain", "Content-Type: text/plain"));
        RawResponse first = send(push, get("/sub/gzip/gz", Gzip.ACCEPT));
        assertEquals("gzip", first.header("Content-Encoding"));
        assertEquals("0", first.header("Etag"));
        assertNotNull(first.header("Last-Modified"));
        assertEquals("compress me please, a text message", Gzip.gunzip(first.body()));
        String next = RawHttp.next("/sub/gzip/gz", first, Gzip.ACCEPT);
        RawResponse second = send(push, next);
        assertEquals("and a second one, also text/plain", Gzip.gunzip(second.body()));
        assertEquals("1", second.header("Etag"));
    }

    @Test
    void channel_groups_isolate() throws IOException {
        send(push, post("/pub/g1", "in group test"));
        assertEquals("in group test", send(push, get("/sub/broadcast/g1")).text());
        // ^/sub/other/(?<chan>\w+)$ is group "other": the same id is another channel, so its
        // long-poll waits instead of taking the group-test message, and is not woken by it.
        try (RawHttp other = new RawHttp(push)) {
            other.send(get("/sub/other/g1"));
            server.awaitStats(s -> s.subscribers() == 1, "the other-group subscriber waiting");
            assertEquals(202, send(push, post("/pub/g1", "still group test")).status(), "nobody waits on test/g1");
            assertEquals(1, server.server().store().info("other/g1", 5).orElseThrow().subscribers());
        }
    }

    @Test
    void root_serves_the_page_that_long_polls() throws IOException {
        RawResponse page = send(push, get("/"));
        assertEquals(200, page.status());
        assertEquals("text/html", page.header("Content-Type"));
        assertEquals("<script>longPoll()</script>", page.text());
        assertEquals(404, send(push, get("/missing.html")).status());
    }

    /** protocol.md §8.6: http's include mime.types decides static types; others get default_type. */
    @Test
    void included_mime_types_gives_the_content_type() throws IOException {
        Files.writeString(dir.resolve("html/page.shtml"), "<p>ssi page</p>");
        Files.writeString(dir.resolve("html/style.css"), "body { }");
        RawResponse shtml = send(push, get("/page.shtml"));
        assertEquals(200, shtml.status());
        assertEquals("text/html", shtml.header("Content-Type"), "listed in the fixture mime.types");
        assertEquals("application/octet-stream", send(push, get("/style.css")).header("Content-Type"),
                "css is not in the fixture mime.types: http's default_type");
    }

    /** The ignored directives are listed once on stderr when the server starts (as by -t, MainTest). */
    @Test
    void startup_lists_ignored_directives_once() throws Exception {
        try (ServerProcess p = ServerProcess.start("""
                user nobody;
                events { worker_connections 16; }
                http {
                    sendfile on;
                    server {
                        listen 127.0.0.1:8080;
                        location /p { set $push_channel_id $arg_id; push_publisher; }
                    }
                }
                """)) {
            assertEquals(202, send(p.port(), post("/p?id=a", "x")).status());
            java.util.List<String> notices = Files.readAllLines(p.dir().resolve("stderr.log")).stream()
                    .filter(l -> l.contains("[notice] ignored")).toList();
            assertEquals(3, notices.size(), notices.toString());
            assertTrue(notices.get(0).endsWith("pushrelay.conf:1: user"), notices.toString());
            assertTrue(notices.get(1).endsWith("pushrelay.conf:2: worker_connections"), notices.toString());
            assertTrue(notices.get(2).endsWith("pushrelay.conf:4: sendfile"), notices.toString());
        }
    }
}
