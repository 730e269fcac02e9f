package dev.pushrelay.it;

import dev.pushrelay.testing.RawResponse;
import dev.pushrelay.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.pushrelay.testing.RawHttp.get;
import static dev.pushrelay.testing.RawHttp.post;
import static dev.pushrelay.testing.RawHttp.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * protocol.md §8.11, internal redirects over HTTP: the error_page and try_files examples of
 * nginx's documentation, with named locations, answered as nginx 1.22 answers them on loopback.
 */
class ErrorPagesIT {

    private static Path html(TestServer server) throws IOException {
        Path h = Files.createDirectories(server.dir().resolve("html"));
        Files.writeString(h.resolve("404.html"), "NOTFOUND\n");
        Files.writeString(h.resolve("50x.html"), "FIFTY\n");
        Files.writeString(h.resolve("empty.gif"), "EMPTY\n");
        Files.createDirectories(h.resolve("images"));
        Files.writeString(h.resolve("images/default.gif"), "GIF\n");
        Files.createDirectories(h.resolve("dd"));
        Files.writeString(h.resolve("dd/index.html"), "IDX\n");
        Files.writeString(h.resolve("page.html"), "PAGE\n");
        return h;
    }

    /** ngx_http_core_module "error_page": each example of the documentation. */
    @Test
    void s8_11_error_page_examples_from_the_nginx_documentation() throws IOException {
        try (TestServer server = TestServer.start("""
                types { text/html html; image/gif gif; }
                location /a/ { error_page 404 /404.html; }
                location /five/ { error_page 500 502 503 504 /50x.html; return 503; }
                location /b/ { error_page 404 =200 /empty.gif; }
                location /c/ { error_page 404 = @fallback; }
                location /c2/ { error_page 404 = @fallback; return 404; }
                location @fallback { return 200 "fallback $uri $request_method\\n"; }
                location /d/ { error_page 403 http://example.com/forbidden.html; deny all; }
                location /e/ { error_page 404 =301 http://example.com/notfound.html; }
                location /g/ { error_page 404 /404.html; return 404; }
                location /h/ { add_header X-A a always; error_page 404 /hh/404.html; }
                location /hh/ { add_header X-B b always; alias html/; }
                location /twice/ { error_page 404 /missing.html; }
                location / { }
                """)) {
            html(server);
            RawResponse a = server.send(get("/a/x"));
            assertEquals(404, a.status(), "the answer keeps the error's code");
            assertEquals("Not Found", a.reason());
            assertEquals("text/html", a.header("Content-Type"));
            assertEquals("NOTFOUND\n", a.text());
            assertEquals("9", a.header("Content-Length"));
            RawResponse five = server.send(get("/five/x"));
            assertEquals(503, five.status());
            assertEquals("FIFTY\n", five.text());
            RawResponse b = server.send(get("/b/x"));
            assertEquals(200, b.status());
            assertEquals("image/gif", b.header("Content-Type"));
            assertEquals("EMPTY\n", b.text());
            RawResponse c = server.send(get("/c/x"));
            assertEquals(200, c.status(), "= takes the code of the named location's answer");
            assertEquals("fallback /c/x GET\n", c.text());
            assertEquals("fallback /c2/x POST\n", server.send(post("/c2/x", "x")).text(),
                    "a named location keeps the method");
            RawResponse d = server.send(get("/d/x"));
            assertEquals(302, d.status());
            assertEquals("http://example.com/forbidden.html", d.header("Location"));
            assertEquals("text/html", d.header("Content-Type"));
            RawResponse e = server.send(get("/e/x"));
            assertEquals(301, e.status());
            assertEquals("http://example.com/notfound.html", e.header("Location"));
            assertTrue(e.text().contains("<title>301 Moved Permanently</title>"));
            assertEquals("NOTFOUND\n", server.send(get("/g/x")).text(), "a bare return 404 goes through error_page");
            RawResponse h = server.send(get("/h/x"));
            assertEquals(404, h.status());
            assertEquals("b", h.header("X-B"), "add_header of the location that answers");
            assertNull(h.header("X-A"));
            RawResponse twice = server.send(get("/twice/x"));
            assertEquals(404, twice.status(), "recursive_error_pages off: the second 404 is nginx's page");
            assertTrue(twice.text().contains("<title>404 Not Found</title>"));
        }
    }

    /** ngx_http_core_module "try_files": the documentation's examples. */
    @Test
    void s8_11_try_files_examples_from_the_nginx_documentation() throws IOException {
        try (TestServer server = TestServer.start("""
                types { text/html html; image/gif gif; }
                location /t/ { try_files $uri $uri/index.html $uri.html =404; }
                location /images/ { try_files $uri /images/default.gif; }
                location = /images/default.gif { add_header X-Default yes; }
                location / { try_files $uri $uri/ @drupal; }
                location @drupal { return 200 "drupal $uri $args\\n"; }
                """)) {
            Path h = html(server);
            Files.createDirectories(h.resolve("t/dir"));
            Files.writeString(h.resolve("t/dir/index.html"), "T-IDX\n");
            Files.writeString(h.resolve("t/p.html"), "T-P\n");
            assertEquals("T-IDX\n", server.send(get("/t/dir")).text(), "$uri/index.html");
            assertEquals("T-P\n", server.send(get("/t/p")).text(), "$uri.html");
            RawResponse none = server.send(get("/t/none"));
            assertEquals(404, none.status());
            assertTrue(none.text().contains("<title>404 Not Found</title>"));
            RawResponse gif = server.send(get("/images/none.png"));
            assertEquals(200, gif.status());
            assertEquals("GIF\n", gif.text());
            assertEquals("image/gif", gif.header("Content-Type"));
            assertEquals("yes", gif.header("X-Default"), "the last argument is searched again: = /images/default.gif");
            assertEquals("PAGE\n", server.send(get("/page.html")).text());
            RawResponse dir = server.send(get("/dd"));
            assertEquals(301, dir.status(), "$uri/ found a directory: the static answer for /dd");
            assertEquals("http://localhost:" + server.port() + "/dd/", dir.header("Location"));
            assertEquals("IDX\n", server.send(get("/dd/")).text());
            assertEquals("drupal /page \n", server.send(get("/page")).text());
            assertEquals("drupal /zz q=1\n", server.send(get("/zz?q=1")).text());
        }
    }

    /** try_files' last URI can be a push location; a cycle of internal redirects is a 500. */
    @Test
    void s8_11_try_files_onto_a_push_location_and_the_redirect_limit() throws IOException {
        try (TestServer server = TestServer.start("""
                location /legacy/ { try_files /no/such/file /pub?id=legacy; }
                location = /pub { set $push_channel_id $arg_id; push_publisher; }
                location /loop/ { try_files /nothing /loop/again; }
                location /err/ { error_page 404 /err/x; }
                """)) {
            assertEquals(202, server.send(post("/legacy/x", "kept")).status(), "the method is kept by try_files");
            assertEquals(200, server.send(request("GET", "/pub?id=legacy", null)).status());
            RawResponse loop = server.send(get("/loop/x"));
            assertEquals(500, loop.status());
            assertTrue(loop.text().contains("<title>500 Internal Server Error</title>"));
            assertEquals(404, server.send(get("/err/x")).status(), "error_page does not run twice");
        }
    }

    @Test
    void s8_11_error_page_for_auth_and_server_level() throws IOException {
        try (TestServer server = TestServer.start("""
                error_page 404 @nowhere;
                location @nowhere { return 200 "server-level page\\n"; }
                location /x/ { deny all; error_page 403 =200 @denied; }
                location @denied { return 200 "denied $remote_addr\\n"; }
                """)) {
            RawResponse r = server.send(get("/nothing"));
            assertEquals(404, r.status(), "no location: the server level's error_page, code kept");
            assertEquals("server-level page\n", r.text());
            RawResponse d = server.send(get("/x/1"));
            assertEquals(200, d.status());
            assertEquals("denied 127.0.0.1\n", d.text());
        }
    }

    /** A server-level try_files answers requests no location takes, as nginx's server "null location". */
    @Test
    void s8_11_server_level_try_files() throws IOException {
        try (TestServer server = TestServer.start("""
                try_files $uri /page.html;
                location /api/ { return 200 "api\n"; }
                """)) {
            html(server);
            assertEquals("api\n", server.send(get("/api/x")).text());
            assertEquals("IDX\n", server.send(get("/dd/index.html")).text());
            assertEquals("PAGE\n", server.send(get("/elsewhere")).text());
        }
    }
}
