package dev.pushrelay.config.routing;

import dev.pushrelay.config.ConfLoader;
import dev.pushrelay.config.Endpoint;
import dev.pushrelay.config.LocationSettings;
import dev.pushrelay.config.syntax.ConfException;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

public class RouterTest {

    public static Router router(String conf) throws ConfException {
        return new Router(ConfLoader.parse(conf, Path.of("r.conf")));
    }

    public static String where(Router r, String target) {
        LocationSettings l = r.route(FakeRequest.get(target)).location();
        return l == null ? null : l.name().substring(0, l.name().indexOf(" ("));
    }

    @Test
    void default_conf_routes_channel_from_raw_query_arg() throws ConfException {
        Router r = new Router(ConfLoader.load(Path.of("conf/pushrelay.conf")));
        RouteMatch m = r.route(FakeRequest.get("/publish?x=1&ID=a%20b&id=second"));
        assertEquals(Endpoint.PUBLISHER, m.location().endpoint());
        assertEquals("a%20b", m.channelId()); // raw, first occurrence, name case-insensitive
        RouteMatch s = r.route(FakeRequest.get("/activity?id=chan"));
        assertEquals(Endpoint.SUBSCRIBER, s.location().endpoint());
        assertEquals("chan", s.channelId());
        assertNull(r.route(FakeRequest.get("/activity")).channelId());
        assertNull(r.route(FakeRequest.get("/activity?id=")).channelId());
        assertNull(r.route(FakeRequest.get("/activity?id")).channelId());
        assertNull(r.route(FakeRequest.get("/activity?xid=1")).channelId());
        assertNull(r.route(FakeRequest.get("/other")).location());
    }

    @Test
    void exact_then_longest_prefix() throws ConfException {
        Router r = router("location / {} location /a {} location /ab {} location = /a {}");
        assertEquals("location = /a", where(r, "/a"));
        assertEquals("location /a", where(r, "/a/"));
        assertEquals("location /ab", where(r, "/abc"));
        assertEquals("location /", where(r, "/b"));
    }

    @Test
    void set_interpolation_literal_braces_and_other_variables() throws ConfException {
        Router r = router("""
                set $prefix p;
                location /a {
                    set $one "$arg_a";
                    set $push_channel_id ${prefix}-${one}x$one.$uri;
                }
                """);
        assertEquals("p-1x1./a/b", r.route(FakeRequest.get("/a/b?a=1")).channelId());
    }

    @Test
    void server_level_sets_run_before_location_sets() throws ConfException {
        Router r = router("""
                set $push_channel_id server;
                location /a { set $push_channel_id loc-$push_channel_id; }
                location /b { }
                """);
        assertEquals("loc-server", r.route(FakeRequest.get("/a")).channelId());
        assertEquals("server", r.route(FakeRequest.get("/b")).channelId());
    }

    @Test
    void unknown_variable_is_a_load_error() {
        assertEquals("r.conf:2: set: unknown \"nope\" variable",
                org.junit.jupiter.api.Assertions.assertThrows(ConfException.class,
                        () -> router("location /a {\n set $push_channel_id $nope;\n}")).getMessage());
    }
}
