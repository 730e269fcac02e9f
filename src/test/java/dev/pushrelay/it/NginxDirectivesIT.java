package dev.pushrelay.it;

import dev.pushrelay.testing.RawHttp;
import dev.pushrelay.testing.RawResponse;
import dev.pushrelay.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static dev.pushrelay.testing.RawHttp.get;
import static dev.pushrelay.testing.RawHttp.post;
import static dev.pushrelay.testing.RawHttp.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** protocol.md §8: return, location precedence, allow/deny, add_header, keepalive_timeout over HTTP. */
class NginxDirectivesIT {

    /** nginx's documentation example for location precedence (ngx_http_core_module "location"). */
    @Test
    void s8_0_location_precedence_as_in_the_nginx_documentation() throws IOException {
        try (TestServer server = TestServer.start("""
                location = / { return 200 "A"; }
                location / { return 200 "B"; }
                location /documents/ { return 200 "C"; }
                location ^~ /images/ { return 200 "D"; }
                location ~* \\.(gif|jpg|jpeg)$ { return 200 "E"; }
                """)) {
            assertEquals("A", server.send(get("/")).text());
            assertEquals("B", server.send(get("/index.html")).text());
            assertEquals("C", server.send(get("/documents/document.html")).text());
            assertEquals("D", server.send(get("/images/1.gif")).text());
            assertEquals("E", server.send(get("/documents/1.jpg")).text());
            assertEquals("E", server.send(get("/documents/1.JPG")).text(), "~* is case-insensitive");
        }
    }

    @Test
    void s8_2_return_text_uses_default_type_and_evaluates_variables() throws IOException {
        try (TestServer server = TestServer.start("""
                location /t { default_type application/json; return 200 '{"id": "$arg_id"}'; }
                location /plain { return 418 "teapot\\n"; }
                """)) {
            RawResponse r = server.send(get("/t?id=x1"));
            assertEquals(200, r.status());
            assertEquals("application/json", r.header("Content-Type"));
            assertEquals("{\"id\": \"x1\"}", r.text());
            assertEquals(Integer.toString(r.body().length), r.header("Content-Length"));
            RawResponse t = server.send(get("/plain"));
            assertEquals(418, t.status());
            assertEquals("text/plain", t.header("Content-Type"));
            assertEquals("teapot\n", t.text());
            try (RawHttp c = new RawHttp(server.port())) {
                c.send(request("HEAD", "/plain", null));
                RawResponse head = c.readHead();
                assertEquals("7", head.header("Content-Length"));
                c.send(get("/plain"));
                assertEquals("teapot\n", c.read().text(), "HEAD sent no body");
            }
        }
    }

    @Test
    void s8_2_redirects_carry_location_and_bare_codes_get_nginx_pages() throws IOException {
        try (TestServer server = TestServer.start("""
                location /old { return 301 /new$is_args$args; }
                location /away { return https://example.org/x; }
                location /see { return 303 http://example.org/other; }
                location /temp { return 307 /tmp; }
                location /perm { return 308 /p; }
                location /gone { return 410; }
                location /empty { return 204; }
                location /drop { return 444; }
                location /same { return 304; }
                """)) {
            RawResponse r = server.send(get("/old?a=1"));
            assertEquals(301, r.status());
            assertEquals("http://localhost:" + server.port() + "/new?a=1", r.header("Location"));
            assertEquals("text/html", r.header("Content-Type"));
            assertTrue(r.text().contains("301 Moved Permanently"), r.text());
            RawResponse away = server.send(get("/away"));
            assertEquals(302, away.status());
            assertEquals("https://example.org/x", away.header("Location"));
            assertEquals("http://example.org/other", server.send(get("/see")).header("Location"));
            assertEquals(307, server.send(get("/temp")).status());
            assertEquals("http://localhost:" + server.port() + "/p", server.send(get("/perm")).header("Location"));
            RawResponse gone = server.send(get("/gone"));
            assertEquals(410, gone.status());
            assertTrue(gone.text().contains("<title>410 Gone</title>"), gone.text());
            assertEquals(204, server.send(get("/empty")).status());
            try (RawHttp c = new RawHttp(server.port())) {
                c.send(get("/same"));
                assertEquals(304, c.read().status());
                c.send(get("/gone"));
                assertEquals(410, c.read().status(), "the 304 carried no body to confuse the next answer");
            }
            try (RawHttp c = new RawHttp(server.port())) {
                c.send(get("/drop"));
                assertTrue(c.closedByServer(5000), "444 closes without an answer");
            }
        }
    }

    @Test
    void s8_2_server_level_return_answers_before_any_location() throws IOException {
        try (TestServer server = TestServer.start("""
                server {
                    listen 127.0.0.1:8080;
                    return 503 "maintenance";
                    location /publish { set $push_channel_id $arg_id; push_publisher; }
                }
                """)) {
            RawResponse r = server.send(post("/publish?id=a", "x"));
            assertEquals(503, r.status());
            assertEquals("maintenance", r.text());
        }
    }

    /** The seed article's "keep /publish private". */
    @Test
    void s8_1_denied_publisher_gets_403_and_publishes_nothing() throws IOException {
        try (TestServer server = TestServer.start("""
                location /publish {
                    set $push_channel_id $arg_id;
                    push_publisher;
                    deny 127.0.0.1;
                }
                location /info {
                    set $push_channel_id $arg_id;
                    push_publisher;
                }
                location /activity {
                    set $push_channel_id $arg_id;
                    push_subscriber interval-poll;
                    deny all;
                }
                """)) {
            RawResponse r = server.send(post("/publish?id=a", "secret"));
            assertEquals(403, r.status());
            assertEquals("text/html", r.header("Content-Type"));
            assertTrue(r.text().contains("403 Forbidden"), r.text());
            assertEquals(404, server.send(get("/info?id=a")).status(), "no channel was created");
            assertEquals(403, server.send(request("DELETE", "/publish?id=a", null)).status());
            assertEquals(403, server.send(get("/publish?id=a")).status());
            // A denied subscriber creates no channel either (interval-poll would).
            assertEquals(403, server.send(get("/activity?id=b")).status());
            assertEquals(404, server.send(get("/info?id=b")).status());
        }
    }

    @Test
    void s8_1_allow_loopback_deny_all_lets_loopback_publish() throws IOException {
        try (TestServer server = TestServer.start("""
                location /publish {
                    allow 127.0.0.1;
                    allow ::1;
                    deny all;
                    set $push_channel_id $arg_id;
                    push_publisher;
                }
                location /activity { set $push_channel_id $arg_id; push_subscriber; }
                """)) {
            assertEquals(202, server.send(post("/publish?id=a", "hi")).status());
            assertEquals("hi", server.send(get("/activity?id=a")).text());
        }
    }

    @Test
    void s8_1_return_runs_before_access_as_in_nginx_phases() throws IOException {
        try (TestServer server = TestServer.start("""
                location /r { deny all; return 200 "rewrite phase first"; }
                """)) {
            assertEquals(200, server.send(get("/r")).status());
        }
    }

    @Test
    void s8_3_add_header_on_push_responses_by_status_unless_always() throws IOException {
        try (TestServer server = TestServer.start("""
                location /publish {
                    set $push_channel_id $arg_id;
                    push_publisher;
                    add_header X-Pub yes;
                }
                location /activity {
                    set $push_channel_id $arg_id;
                    push_subscriber;
                    push_subscriber_timeout 1s;
                    add_header Access-Control-Allow-Origin *;
                    add_header X-Channel "ch-$arg_id on $host";
                    add_header X-Always a always;
                }
                """)) {
            RawResponse pub = server.send(post("/publish?id=a", "hi"));
            assertEquals(202, pub.status());
            assertNull(pub.header("X-Pub"), "nginx's list has 200 and 201 but not 202");
            assertEquals("yes", server.send(get("/publish?id=a")).header("X-Pub"));
            assertNull(server.send(get("/publish?id=none")).header("X-Pub"), "404 gets no add_header");
            RawResponse m = server.send(get("/activity?id=a"));
            assertEquals(200, m.status());
            assertEquals("*", m.header("Access-Control-Allow-Origin"));
            assertEquals("ch-a on localhost", m.header("X-Channel"));
            assertEquals("a", m.header("X-Always"));
            assertEquals("0", m.header("Etag"));
            RawResponse none = server.send(get("/activity"));
            assertEquals(404, none.status());
            assertNull(none.header("Access-Control-Allow-Origin"));
            assertEquals("a", none.header("X-Always"), "always applies to every status");
            // A parked long-poll that times out (304) still gets the headers: the CORS fix users ask for.
            try (RawHttp c = server.open(RawHttp.next("/activity?id=a", m))) {
                server.awaitSubscribers("/publish?id=a", 1);
                server.clock().advanceSeconds(1);
                RawResponse timeout = c.read();
                assertEquals(304, timeout.status());
                assertEquals("*", timeout.header("Access-Control-Allow-Origin"));
            }
        }
    }

    @Test
    void s8_3_add_header_values_see_the_location_regex_positional_captures() throws IOException {
        try (TestServer server = TestServer.start("""
                location /publish {
                    set $push_channel_id $arg_id;
                    push_publisher;
                }
                location ~ ^/sub/(\\w+)/(\\w+)?$ {
                    set $push_channel_id $1;
                    push_subscriber;
                    add_header X-Room "room $1" always;
                    add_header X-Second "[$2]" always;
                }
                """)) {
            assertEquals(202, server.send(post("/publish?id=lobby", "hi")).status());
            RawResponse m = server.send(get("/sub/lobby/"));
            assertEquals(200, m.status());
            assertEquals("hi", m.text());
            assertEquals("room lobby", m.header("X-Room"), "$1 of the location's regex");
            assertEquals("[]", m.header("X-Second"), "a group that did not take part is empty, as in nginx");
        }
    }

    @Test
    void s8_5_keepalive_timeout_zero_closes_after_the_response() throws IOException {
        try (TestServer server = TestServer.start("""
                location /once { keepalive_timeout 0; return 200 "x"; }
                location /kept { return 200 "y"; }
                """)) {
            try (RawHttp c = new RawHttp(server.port())) {
                c.send(get("/kept"));
                RawResponse r = c.read();
                assertNull(r.header("Connection"));
                c.send(get("/kept"));
                assertEquals("y", c.read().text(), "keep-alive connection reused");
                c.send(get("/once"));
                RawResponse once = c.read();
                assertEquals("close", once.header("Connection"));
                assertTrue(c.closedByServer(5000));
            }
        }
    }

    @Test
    void s8_3_add_header_values_are_added_not_replaced() throws IOException {
        try (TestServer server = TestServer.start("""
                location /x { add_header Vary Origin; return 200 "v"; }
                """)) {
            RawResponse r = server.send(get("/x"));
            List<String> names = r.headerNames();
            assertTrue(names.contains("Vary"), names.toString());
            assertEquals("Origin", r.header("Vary"));
            assertFalse(r.text().isEmpty());
        }
    }

    @Test
    void s8_0_servers_on_one_address_are_chosen_by_host() throws IOException {
        try (TestServer server = TestServer.start("""
                http {
                    server {
                        listen 127.0.0.1:8080;
                        server_name push.example.com;
                        location /who { return 200 "push"; }
                    }
                    server {
                        listen 127.0.0.1:8080;
                        server_name .admin.example.com;
                        location /who { return 200 "admin $host"; }
                    }
                }
                """)) {
            assertEquals("push", server.send("GET /who HTTP/1.1\r\nHost: push.example.com\r\n\r\n").text());
            assertEquals("admin x.admin.example.com",
                    server.send("GET /who HTTP/1.1\r\nHost: x.admin.example.com:8080\r\n\r\n").text());
            assertEquals("push", server.send("GET /who HTTP/1.1\r\nHost: unknown.example\r\n\r\n").text(),
                    "no name matches: the first server of the address is the default");
        }
    }
}
