package dev.pushrelay.it;

import dev.pushrelay.testing.Gzip;
import dev.pushrelay.testing.RawHttp;
import dev.pushrelay.testing.RawResponse;
import dev.pushrelay.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import static dev.pushrelay.testing.RawHttp.get;
import static dev.pushrelay.testing.RawHttp.post;
import static dev.pushrelay.testing.RawHttp.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** protocol.md §8.6: root / alias / index for the page that long-polls, served by the same server. */
class StaticFilesIT {

    static final String CONF = """
            default_type application/octet-stream;
            location / { root www; index index.htm index.html; }
            location /static/ { alias assets/; }
            location /z/ { root www; gzip on; gzip_types text/css; gzip_min_length 1; }
            location /activity { set $push_channel_id $arg_id; push_subscriber; }
            """;

    static final long MTIME = 1_780_000_000L;
    static final String SECRET = "secret-outside-the-root";

    static Path write(Path dir, String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
        Files.setLastModifiedTime(f, FileTime.from(Instant.ofEpochSecond(MTIME)));
        return f;
    }

    /** Files under the conf directory: relative root and alias resolve against it. */
    static void files(TestServer server) throws IOException {
        Path d = server.dir();
        write(d, "secret.txt", SECRET);
        write(d, "www/index.html", "<p>long-poll page</p>");
        write(d, "www/app.js", "poll();");
        write(d, "www/style.css", "body { color: black; }");
        write(d, "www/logo.png", "PNG");
        write(d, "www/data.bin", "bin");
        write(d, "www/docs/index.htm", "docs index");
        write(d, "www/docs/index.html", "not the first index");
        write(d, "www/empty/readme.txt", "no index here");
        write(d, "www/z/style.css", "body { color: black; } ".repeat(20));
        write(d, "assets/pubsub.js", "subscribe();");
    }

    @Test
    void s8_6_content_types_length_and_last_modified() throws IOException {
        try (TestServer server = TestServer.start(CONF)) {
            files(server);
            RawResponse js = server.send(get("/app.js"));
            assertEquals(200, js.status());
            assertEquals("application/javascript", js.header("Content-Type"));
            assertEquals("7", js.header("Content-Length"));
            assertEquals("poll();", js.text());
            assertEquals("Thu, 28 May 2026 20:26:40 GMT", js.header("Last-Modified"));
            assertEquals("text/css", server.send(get("/style.css")).header("Content-Type"));
            assertEquals("image/png", server.send(get("/logo.png")).header("Content-Type"));
            assertEquals("text/html", server.send(get("/index.html")).header("Content-Type"));
            assertEquals("application/octet-stream", server.send(get("/data.bin")).header("Content-Type"), "default_type");
            RawResponse alias = server.send(get("/static/pubsub.js"));
            assertEquals(200, alias.status());
            assertEquals("subscribe();", alias.text());
        }
    }

    @Test
    void s8_6_index_directories_and_missing_files() throws IOException {
        try (TestServer server = TestServer.start(CONF)) {
            files(server);
            assertEquals("<p>long-poll page</p>", server.send(get("/")).text());
            assertEquals("docs index", server.send(get("/docs/")).text(), "the first existing index file");
            RawResponse redirect = server.send(get("/docs?x=1"));
            assertEquals(301, redirect.status());
            assertEquals("http://localhost:" + server.port() + "/docs/?x=1", redirect.header("Location"));
            RawResponse noIndex = server.send(get("/empty/"));
            assertEquals(403, noIndex.status(), "autoindex off");
            assertTrue(noIndex.text().contains("403 Forbidden"));
            RawResponse missing = server.send(get("/nothing.html"));
            assertEquals(404, missing.status());
            assertEquals("text/html", missing.header("Content-Type"));
            assertEquals(404, server.send(get("/nothing/")).status());
            assertEquals(404, server.send(get("/static/none.js")).status());
        }
    }

    @Test
    void s8_6_if_modified_since_and_etag_give_304() throws IOException {
        try (TestServer server = TestServer.start(CONF)) {
            files(server);
            RawResponse first = server.send(get("/app.js"));
            String etag = first.header("ETag");
            RawResponse same = server.send(get("/app.js", "If-Modified-Since: " + first.header("Last-Modified")));
            assertEquals(304, same.status());
            assertEquals(0, same.body().length);
            assertEquals(first.header("Last-Modified"), same.header("Last-Modified"));
            assertEquals(304, server.send(get("/app.js", "If-None-Match: " + etag)).status());
            assertEquals(200, server.send(get("/app.js", "If-Modified-Since: Thu, 28 May 2026 20:26:41 GMT")).status(),
                    "if_modified_since exact: another date is not a match");
            assertEquals(200, server.send(get("/app.js", "If-None-Match: \"other\"")).status());
        }
    }

    @Test
    void s8_6_traversal_never_escapes_root_or_alias() throws IOException {
        try (TestServer server = TestServer.start(CONF)) {
            files(server);
            for (String target : new String[] {"/../secret.txt", "/%2e%2e/secret.txt", "/docs/../../secret.txt",
                    "/%2E%2E/%2E%2E/secret.txt", "/..%2fsecret.txt", "/static/../secret.txt", "/static/%2e%2e/secret.txt",
                    "/static/..%2f..%2fsecret.txt", "/static/../../secret.txt", "/./../secret.txt", "/..\\secret.txt"}) {
                RawResponse r = server.send(get(target));
                assertNotEquals(200, r.status(), target);
                assertFalse(r.text().contains(SECRET), target);
            }
            assertEquals(400, server.send(get("/../secret.txt")).status(), "nginx answers 400 above the root");
            assertEquals("poll();", server.send(get("/docs/../app.js")).text(), "inside the root is fine");
        }
    }

    @Test
    void s8_6_methods_head_and_405() throws IOException {
        try (TestServer server = TestServer.start(CONF)) {
            files(server);
            assertEquals(405, server.send(post("/app.js", "x")).status());
            assertEquals(405, server.send(request("DELETE", "/app.js", null)).status());
            try (RawHttp c = new RawHttp(server.port())) {
                c.send(request("HEAD", "/app.js", null));
                RawResponse head = c.readHead();
                assertEquals(200, head.status());
                assertEquals("7", head.header("Content-Length"));
                c.send(get("/style.css"));
                assertEquals("body { color: black; }", c.read().text(), "HEAD sent no body");
            }
        }
    }

    @Test
    void s8_6_gzip_static_files() throws IOException {
        try (TestServer server = TestServer.start(CONF)) {
            files(server);
            RawResponse r = server.send(get("/z/style.css", Gzip.ACCEPT));
            assertEquals("gzip", r.header("Content-Encoding"));
            assertEquals(Integer.toString(r.body().length), r.header("Content-Length"));
            assertEquals("body { color: black; } ".repeat(20), Gzip.gunzip(r.body()));
            assertTrue(r.header("ETag").startsWith("W/\""), "nginx weakens a static ETag it gzips");
            assertEquals("Accept-Encoding", r.header("Vary"));
            assertNull(server.send(get("/z/style.css")).header("Content-Encoding"));
        }
    }

    @Test
    void s8_6_types_block_decides_content_type_else_default_type() throws IOException {
        try (TestServer server = TestServer.start("""
                default_type application/octet-stream;
                types {
                    text/html              html;
                    application/x-longpoll poll LP;
                }
                location / { root www; }
                location /plain/ { root www; types { text/plain html; } }
                """)) {
            Path d = server.dir();
            write(d, "www/page.html", "<p>page</p>");
            write(d, "www/PAGE.HTML", "<p>upper</p>");
            write(d, "www/feed.lp", "lp");
            write(d, "www/style.css", "body { }");
            write(d, "www/plain/page.html", "<p>as text</p>");
            RawResponse page = server.send(get("/page.html"));
            assertEquals(200, page.status());
            assertEquals("text/html", page.header("Content-Type"));
            assertEquals("text/html", server.send(get("/PAGE.HTML")).header("Content-Type"), "extensions ignore case");
            assertEquals("application/x-longpoll", server.send(get("/feed.lp")).header("Content-Type"));
            RawResponse css = server.send(get("/style.css"));
            assertEquals(200, css.status());
            assertEquals("application/octet-stream", css.header("Content-Type"),
                    "not in the types block (which replaces the built-in map): default_type");
            RawResponse plain = server.send(get("/plain/page.html"));
            assertEquals("<p>as text</p>", plain.text());
            assertEquals("text/plain", plain.header("Content-Type"), "the location's own types replaces the server's");
        }
    }
}
