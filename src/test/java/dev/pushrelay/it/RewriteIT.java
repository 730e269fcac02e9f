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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * protocol.md §8.9, the rewrite module over HTTP: the examples of nginx's documentation for
 * rewrite and if, and the answers of nginx 1.22 to the same requests (status, headers, body).
 */
class RewriteIT {

    private static Path html(TestServer server) throws IOException {
        return Files.createDirectories(server.dir().resolve("html"));
    }

    /** ngx_http_rewrite_module "rewrite", the first example: server level, with last, then return 403. */
    @Test
    void s8_9_server_level_rewrites_with_last_then_return_as_in_the_nginx_documentation() throws IOException {
        try (TestServer server = TestServer.start("""
                rewrite ^(/download/.*)/media/(.*)\\..*$ $1/mp3/$2.mp3 last;
                rewrite ^(/download/.*)/audio/(.*)\\..*$ $1/mp3/$2.ra  last;
                return  403;
                location /download/ { }
                """)) {
            Path mp3 = Files.createDirectories(html(server).resolve("download/x/mp3"));
            Files.writeString(mp3.resolve("song.mp3"), "MP3");
            Files.writeString(mp3.resolve("talk.ra"), "RA");
            RawResponse m = server.send(get("/download/x/media/song.wav"));
            assertEquals(200, m.status());
            assertEquals("MP3", m.text());
            assertEquals("RA", server.send(get("/download/x/audio/talk.ogg")).text());
            RawResponse other = server.send(get("/download/x/song.mp3"));
            assertEquals(403, other.status(), "no rewrite matched: the server's return 403 answers");
            assertEquals("text/html", other.header("Content-Type"));
            assertTrue(other.text().contains("<title>403 Forbidden</title>"));
        }
    }

    /** The same rules inside location /download/ with break: the file is served from that location. */
    @Test
    void s8_9_location_rewrites_with_break_stay_in_the_location() throws IOException {
        try (TestServer server = TestServer.start("""
                location /download/ {
                    rewrite ^(/download/.*)/media/(.*)\\..*$ $1/mp3/$2.mp3 break;
                    rewrite ^(/download/.*)/audio/(.*)\\..*$ $1/mp3/$2.ra  break;
                    return  403;
                }
                location /download/x/mp3/ { return 200 "not here"; }
                """)) {
            Path mp3 = Files.createDirectories(html(server).resolve("download/x/mp3"));
            Files.writeString(mp3.resolve("song.mp3"), "MP3");
            assertEquals("MP3", server.send(get("/download/x/media/song.wav")).text());
            assertEquals(403, server.send(get("/download/x/other")).status());
        }
    }

    /** "rewrite ^/users/(.*)$ /show?user=$1? last;": new args replace the request's with the trailing '?'. */
    @Test
    void s8_9_query_string_rules() throws IOException {
        try (TestServer server = TestServer.start("""
                location /users/ { rewrite ^/users/(.*)$ /show?user=$1? last; }
                location /keep/ { rewrite ^/keep/(.*)$ /show?user=$1 last; }
                location /plain/ { rewrite ^/plain/(.*)$ /show/$1 last; }
                location /drop/ { rewrite ^/drop/(.*)$ /show/$1? last; }
                location /show { return 200 "uri=$uri args=$args user=$arg_user request_uri=$request_uri\\n"; }
                """)) {
            assertEquals("uri=/show args=user=ann user=ann request_uri=/users/ann?k=1\n",
                    server.send(get("/users/ann?k=1")).text());
            assertEquals("uri=/show args=user=ann&k=1 user=ann request_uri=/keep/ann?k=1\n",
                    server.send(get("/keep/ann?k=1")).text());
            assertEquals("uri=/show/ann args=k=1 user= request_uri=/plain/ann?k=1\n",
                    server.send(get("/plain/ann?k=1")).text());
            assertEquals("uri=/show/ann args= user= request_uri=/drop/ann?k=1\n",
                    server.send(get("/drop/ann?k=1")).text());
        }
    }

    @Test
    void s8_9_redirects_redirect_permanent_and_absolute_replacements() throws IOException {
        try (TestServer server = TestServer.start("""
                location /r1 { rewrite ^/r1(.*)$ /new$1 redirect; }
                location /r2 { rewrite ^/r2(.*)$ /new$1?z=1 permanent; }
                location /r3 { rewrite ^ http://example.org/x; }
                location /r4 { rewrite ^ /new? permanent; }
                location /r5 { rewrite ^ $scheme://$host/s last; }
                """)) {
            RawResponse r1 = server.send(get("/r1/p?k=1"));
            assertEquals(302, r1.status());
            assertEquals("http://localhost:" + server.port() + "/new/p?k=1", r1.header("Location"),
                    "Host's name and the port the request came in on, as nginx 1.22");
            assertEquals("text/html", r1.header("Content-Type"));
            RawResponse r2 = server.send(get("/r2/p?k=1"));
            assertEquals(301, r2.status());
            assertEquals("http://localhost:" + server.port() + "/new/p?z=1&k=1", r2.header("Location"));
            assertTrue(r2.text().contains("<title>301 Moved Permanently</title>"));
            RawResponse r3 = server.send(get("/r3?k=1"));
            assertEquals(302, r3.status());
            assertEquals("http://example.org/x?k=1", r3.header("Location"));
            assertEquals("http://localhost:" + server.port() + "/new", server.send(get("/r4?k=1")).header("Location"));
            RawResponse r5 = server.send(get("/r5"));
            assertEquals(302, r5.status(), "a $scheme replacement redirects whatever the flag");
            assertEquals("http://localhost/s", r5.header("Location"));
        }
    }

    @Test
    void s8_9_ten_new_searches_then_500() throws IOException {
        try (TestServer server = TestServer.start("""
                location /loop { rewrite ^ /loop2; }
                location /loop2 { rewrite ^ /loop; }
                location /count { rewrite ^/count/(\\d)(.*)$ /count/$2; return 200 "left $uri\\n"; }
                location /count/ { rewrite ^/count/(.+)$ /count/$1 last; }
                location /c/ { rewrite ^/c/x(.*)$ /c/$1 last; return 200 "done $uri\\n"; }
                """)) {
            RawResponse r = server.send(get("/loop"));
            assertEquals(500, r.status());
            assertTrue(r.text().contains("<title>500 Internal Server Error</title>"));
            assertEquals("done /c/\n", server.send(get("/c/xxxxxxxxxx")).text(), "ten new searches are allowed");
            assertEquals(500, server.send(get("/c/xxxxxxxxxxx")).status(), "the eleventh is a 500");
        }
    }

    @Test
    void s8_9_rewrite_without_flag_goes_on_then_searches_again() throws IOException {
        try (TestServer server = TestServer.start("""
                location /a { rewrite ^/a(.*)$ /b$1; set $x after; rewrite ^/b(.*)$ /c$1; }
                location /b { return 200 "b\\n"; }
                location /c { return 200 "c $x $uri\\n"; }
                location /d { rewrite ^/d(.*)$ /b$1; break; }
                """)) {
            assertEquals("c after /c/1\n", server.send(get("/a/1")).text());
            assertEquals(404, server.send(get("/d")).status(), "break keeps /d with the new URI /b: no file");
        }
    }

    /** The if examples of ngx_http_rewrite_module's documentation. */
    @Test
    void s8_9_if_examples_from_the_nginx_documentation() throws IOException {
        try (TestServer server = TestServer.start("""
                location / {
                    if ($http_user_agent ~ MSIE) {
                        rewrite ^(.*)$ /msie/$1 break;
                    }
                    if ($http_cookie ~* "id=([^;]+)(?:;|$)") {
                        set $id $1;
                    }
                    if ($request_method = POST) {
                        return 405;
                    }
                    if ($slow) {
                        limit_rate 10k;
                    }
                    set $slow "";
                    return 200 "id=$id uri=$uri\\n";
                }
                """)) {
            assertEquals("id= uri=/x\n", server.send(get("/x")).text());
            assertEquals("id=42 uri=/x\n", server.send(get("/x", "Cookie: a=1; ID=42")).text());
            RawResponse post = server.send(post("/x", "body"));
            assertEquals(405, post.status());
            assertTrue(post.text().contains("<title>405 Not Allowed</title>"));
            Files.writeString(Files.createDirectories(html(server).resolve("msie")).resolve("x"), "IE page");
            RawResponse ie = server.send(get("/x", "User-Agent: Mozilla/4.0 (compatible; MSIE 6.0)"));
            assertEquals(200, ie.status(), "break: the rest is skipped, the file of the new URI /msie//x is served");
            assertEquals("IE page", ie.text());
        }
    }

    @Test
    void s8_9_if_conditions_truthiness_comparisons_and_file_tests() throws IOException {
        try (TestServer server = TestServer.start("""
                location / {
                    if ($arg_a) { return 200 "truthy\\n"; }
                    if ($arg_b != x) { return 200 "not x\\n"; }
                    if ($arg_c !~* ^ab) { return 200 "no ab\\n"; }
                    if (-d $request_filename) { return 200 "dir\\n"; }
                    if (-f $request_filename) { return 200 "file\\n"; }
                    if (!-e $request_filename) { return 200 "missing\\n"; }
                    return 200 "other\\n";
                }
                """)) {
            Files.writeString(html(server).resolve("f.txt"), "F");
            Files.createDirectories(html(server).resolve("d"));
            assertEquals("truthy\n", server.send(get("/?a=1&b=x&c=ab")).text());
            assertEquals("not x\n", server.send(get("/?a=0&c=AB")).text(), "\"0\" is false");
            assertEquals("no ab\n", server.send(get("/?b=x&c=zz")).text());
            assertEquals("dir\n", server.send(get("/d?b=x&c=ABc")).text());
            assertEquals("file\n", server.send(get("/f.txt?b=x&c=ab")).text());
            assertEquals("missing\n", server.send(get("/nope?b=x&c=ab")).text());
        }
    }

    /** A legacy URL rewritten onto a push location publishes and subscribes on the channel of the new URI. */
    @Test
    void s8_9_legacy_urls_rewritten_onto_push_locations() throws IOException {
        try (TestServer server = TestServer.start("""
                location /old/publish/ { rewrite ^/old/publish/(\\w+)$ /pub?id=$1 last; }
                location /old/listen/ { rewrite ^/old/listen/(\\w+)$ /sub?id=$1? last; }
                location = /pub { set $push_channel_id $arg_id; push_publisher; }
                location = /sub { set $push_channel_id $arg_id; push_subscriber; }
                """)) {
            assertEquals(202, server.send(post("/old/publish/room", "hi")).status());
            RawResponse m = server.send(get("/old/listen/room?ignored=1"));
            assertEquals(200, m.status());
            assertEquals("hi", m.text());
            assertEquals(200, server.send(request("GET", "/pub?id=room", null)).status(), "the channel is room");
        }
    }
}
