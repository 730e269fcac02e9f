package dev.pushrelay.config;

import dev.pushrelay.config.routing.FakeRequest;
import dev.pushrelay.config.routing.RouteMatch;
import dev.pushrelay.config.routing.Router;
import dev.pushrelay.config.syntax.ConfException;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.pushrelay.config.ConfLoaderTest.error;
import static dev.pushrelay.config.ConfLoaderTest.parse;
import static dev.pushrelay.config.routing.RouterTest.router;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** nginx directives that change what a push client sees (issue 3). */
class NginxDirectivesTest {

    static LocationSettings loc(Settings s, int i) {
        return s.servers().get(0).locations().get(i);
    }

    @Test
    void allow_deny_first_match_wins_and_inherit_only_when_level_has_none() throws ConfException {
        Settings s = parse("""
                allow 127.0.0.1;
                deny all;
                location /publish { }
                location /open { allow all; }
                location /net {
                    deny 10.1.2.3;
                    allow 10.0.0.0/8;
                    allow 2001:db8::/32;
                    deny all;
                }
                """);
        LocationSettings pub = loc(s, 0);
        assertTrue(pub.access().allows("127.0.0.1"));
        assertTrue(pub.access().allows("::ffff:127.0.0.1"));
        assertFalse(pub.access().allows("10.0.0.1"));
        assertTrue(loc(s, 1).access().allows("10.0.0.1"));
        AccessRules net = loc(s, 2).access();
        assertFalse(net.allows("10.1.2.3"));
        assertTrue(net.allows("10.200.0.1"));
        assertTrue(net.allows("2001:db8:1::5"));
        assertFalse(net.allows("2001:db9::1"));
        assertFalse(net.allows("192.168.0.1"));
        assertTrue(AccessRules.NONE.allows("1.2.3.4"));
        assertEquals("conf/test.conf:1: allow: invalid parameter \"10.0.0.0/33\"", error("allow 10.0.0.0/33;"));
        assertEquals("conf/test.conf:1: deny: invalid parameter \"example.com\"", error("deny example.com;"));
    }

    @Test
    void client_limits_inherit_and_take_nginx_time_units() throws ConfException {
        Settings s = parse("""
                client_header_timeout 10s;
                client_body_timeout 1m;
                large_client_header_buffers 4 16k;
                location /pub { client_body_timeout 500ms; }
                location /sub { }
                """);
        ConfiguredClientLimits pub = loc(s, 0).client();
        assertEquals(10_000L, pub.headerTimeoutMs());
        assertEquals(500L, pub.bodyTimeoutMs());
        assertEquals(4, pub.headerBufferCount());
        assertEquals(16 * 1024L, pub.headerBufferBytes());
        assertEquals(60_000L, loc(s, 1).client().bodyTimeoutMs());
        assertEquals(ConfiguredClientLimits.UNSET, loc(parse("location /x { }"), 0).client());
        assertEquals("conf/test.conf:2: client_header_timeout: \"client_header_timeout\" directive is not allowed here",
                error("location /x {\n client_header_timeout 5s; }"));
        assertEquals("conf/test.conf:1: large_client_header_buffers: \"large_client_header_buffers\" directive is not allowed here",
                error("location /x { large_client_header_buffers 4 8k; }"));
        assertEquals("conf/test.conf:1: client_body_timeout: invalid value \"soon\"", error("client_body_timeout soon;"));
        assertEquals("conf/test.conf:1: client_header_timeout: invalid value \"0\"", error("client_header_timeout 0;"));
        assertEquals("conf/test.conf:1: large_client_header_buffers: invalid value \"0 8k\"",
                error("large_client_header_buffers 0 8k;"));
        assertEquals("conf/test.conf:1: large_client_header_buffers: invalid number of arguments in \"large_client_header_buffers\" directive",
                error("large_client_header_buffers 8k;"));
    }

    @Test
    void add_header_inherits_only_when_level_defines_none() throws ConfException {
        Settings s = parse("""
                add_header X-A a;
                location /one { }
                location /two { add_header X-B b always; }
                """);
        assertEquals(List.of(new AddHeader("X-A", "a", false)), loc(s, 0).addHeaders());
        AddHeader b = loc(s, 1).addHeaders().get(0);
        assertEquals(List.of(new AddHeader("X-B", "b", true)), loc(s, 1).addHeaders());
        assertTrue(b.appliesTo(404));
        assertFalse(loc(s, 0).addHeaders().get(0).appliesTo(404));
        assertTrue(loc(s, 0).addHeaders().get(0).appliesTo(304));
        assertEquals("conf/test.conf:1: add_header: invalid parameter \"sometimes\"", error("add_header X y sometimes;"));
    }

    @Test
    void gzip_settings() throws ConfException {
        Settings s = parse("""
                gzip on;
                gzip_types text/plain application/JSON;
                gzip_min_length 1k;
                location /a { }
                location /b { gzip off; gzip_types *; }
                """);
        LocationSettings a = loc(s, 0);
        assertTrue(a.gzip());
        assertEquals(List.of("text/html", "text/plain", "application/json"), a.gzipTypes());
        assertEquals(1024, a.gzipMinLength());
        assertTrue(a.gzipApplies("text/plain; charset=utf-8", 2000));
        assertTrue(a.gzipApplies("text/html", -1));
        assertFalse(a.gzipApplies("text/plain", 100));
        assertFalse(a.gzipApplies("image/png", 5000));
        LocationSettings b = loc(s, 1);
        assertFalse(b.gzip());
        assertFalse(b.gzipApplies("text/html", 5000));
    }

    @Test
    void keepalive_body_size_default_type() throws ConfException {
        Settings s = parse("keepalive_timeout 65 60;\nclient_max_body_size 0;\ndefault_type application/octet-stream;\nlocation /a {}");
        assertEquals(65, loc(s, 0).keepaliveTimeoutSeconds());
        assertEquals(0, loc(s, 0).clientMaxBodySize());
        assertEquals("application/octet-stream", loc(s, 0).defaultType());
    }

    @Test
    void return_code_text_and_url() throws ConfException {
        Router r = router("""
                location /gone { return 410 "channel $arg_id is gone"; }
                location /old { return https://example.com$request_uri; }
                location /moved { return 301 /new; }
                location /code { set $x 1; return 204; set $y 2; }
                """);
        RouteMatch gone = r.route(FakeRequest.get("/gone?id=7"));
        assertEquals(new Return(410, "channel 7 is gone"), gone.response());
        assertEquals(new Return(410, "channel $arg_id is gone"), gone.location().returnAction());
        assertEquals(new Return(302, "https://example.com/old?a=b"), r.route(FakeRequest.get("/old?a=b")).response());
        assertTrue(r.route(FakeRequest.get("/moved")).response().isRedirect());
        RouteMatch code = r.route(FakeRequest.get("/code"));
        assertEquals(new Return(204, null), code.response());
        assertEquals("1", code.variables().get("x"));
        assertNull(code.variables().get("y")); // return ends the rewrite run
        assertEquals("conf/test.conf:1: return: invalid return code \"/x\"", error("return /x;"));
        assertEquals("conf/test.conf:1: return: invalid return code \"1000\"", error("return 1000;"));
    }

    @Test
    void server_level_return_precedes_location_search() throws ConfException {
        Router r = router("server { return 301 https://$host$request_uri; location /a { } }");
        RouteMatch m = r.route(FakeRequest.get("/a?x").header("Host", "H.example"));
        assertNull(m.location());
        assertEquals(new Return(301, "https://h.example/a?x"), m.response());
    }

    @Test
    void root_alias_index() throws ConfException {
        Settings s = parse("""
                root /srv/www;
                index index.htm default.html;
                location /a { }
                location /b/ { alias /data/b/; }
                location /c { root /c; index c.html; }
                """);
        assertEquals("/srv/www", loc(s, 0).root());
        assertNull(loc(s, 0).alias());
        assertEquals(List.of("index.htm", "default.html"), loc(s, 0).index());
        assertNull(loc(s, 1).root());
        assertEquals("/data/b/", loc(s, 1).alias());
        assertEquals("/c", loc(s, 2).root());
        assertEquals(List.of("c.html"), loc(s, 2).index());
        assertEquals("conf/test.conf:1: alias: \"alias\" directive is duplicate, \"root\" directive was specified earlier",
                error("location /a { root /x; alias /y; }"));
        assertEquals("conf/test.conf:1: alias: \"alias\" directive is not allowed here", error("alias /y;"));
    }

    @Test
    void server_level_endpoint_serves_unmatched_requests() throws ConfException {
        Router r = router("set $push_channel_id $arg_id;\npush_subscriber;\nlocation /x { }");
        RouteMatch m = r.route(FakeRequest.get("/anything?id=3"));
        assertEquals(Endpoint.SUBSCRIBER, m.location().endpoint());
        assertEquals("server (r.conf:1)", m.location().name());
        assertEquals("3", m.channelId());
        assertEquals(Endpoint.NONE, r.route(FakeRequest.get("/x")).location().endpoint());
    }
}
