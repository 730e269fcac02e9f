package dev.pushrelay.config.routing;

import dev.pushrelay.config.syntax.ConfException;

import org.junit.jupiter.api.Test;

import static dev.pushrelay.config.routing.RouterTest.router;
import static dev.pushrelay.config.routing.RouterTest.where;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Location precedence as nginx's documentation of {@code location} describes it. */
class LocationMatcherTest {

    /** The A–E example of https://nginx.org/en/docs/http/ngx_http_core_module.html#location */
    @Test
    void nginx_documentation_example_a_to_e() throws ConfException {
        Router r = router("""
                location = / { set $c A; }
                location / { set $c B; }
                location /documents/ { set $c C; }
                location ^~ /images/ { set $c D; }
                location ~* \\.(gif|jpg|jpeg)$ { set $c E; }
                """);
        assertEquals("A", r.route(FakeRequest.get("/")).variables().get("c"));
        assertEquals("B", r.route(FakeRequest.get("/index.html")).variables().get("c"));
        assertEquals("C", r.route(FakeRequest.get("/documents/document.html")).variables().get("c"));
        assertEquals("D", r.route(FakeRequest.get("/images/1.gif")).variables().get("c"));
        assertEquals("E", r.route(FakeRequest.get("/documents/1.jpg")).variables().get("c"));
        assertEquals("E", r.route(FakeRequest.get("/x/1.JPG")).variables().get("c")); // ~* is caseless
    }

    @Test
    void regexes_are_tried_in_file_order_after_prefixes() throws ConfException {
        Router r = router("location /a {} location ~ ^/a/b {} location ~ ^/a/b/c {} location ~ z$ {}");
        assertEquals("location ~ ^/a/b", where(r, "/a/b/c")); // first regex in file order, not the longest
        assertEquals("location ~ z$", where(r, "/a/z"));
        assertEquals("location /a", where(r, "/a/c")); // no regex: the remembered prefix
    }

    @Test
    void case_sensitive_regex_and_prefix() throws ConfException {
        Router r = router("location /A {} location ~ \\.PHP$ {}");
        assertNull(where(r, "/a"));
        assertNull(where(r, "/x.php"));
        assertEquals("location ~ \\.PHP$", where(r, "/x.PHP"));
    }

    @Test
    void nested_locations_search_inside_the_chosen_prefix_first() throws ConfException {
        Router r = router("""
                location /a/ {
                    location ~ \\.txt$ { }
                    location /a/b/ { }
                }
                location ~ \\.txt$ { }
                location ~ \\.html$ { }
                """);
        assertEquals("location ~ \\.txt$", where(r, "/a/x.txt"));
        assertEquals("location ~ \\.txt$", where(r, "/a/b/x.txt"));
        // the nested prefix does not block the outer regexes
        assertEquals("location ~ \\.html$", where(r, "/a/b/x.html"));
        assertEquals("location /a/b/", where(r, "/a/b/x"));
        assertEquals("location /a/", where(r, "/a/x"));
        // nested regex found first even though an outer regex also matches
        Router r2 = router("location /a/ { location ~ x { set $w inner; } } location ~ x { set $w outer; }");
        assertEquals("inner", r2.route(FakeRequest.get("/a/x")).variables().get("w"));
        assertEquals("outer", r2.route(FakeRequest.get("/b/x")).variables().get("w"));
    }

    @Test
    void nested_location_inside_regex_location() throws ConfException {
        Router r = router("location ~ ^/r/ { location ~ \\.gif$ { set $w gif; } set $w r; }");
        assertEquals("gif", r.route(FakeRequest.get("/r/a.gif")).variables().get("w"));
        assertEquals("r", r.route(FakeRequest.get("/r/a.png")).variables().get("w"));
    }

    @Test
    void numbered_and_named_captures_feed_set() throws ConfException {
        Router r = router("""
                location ~ /pub/(\\w+)$ { set $push_channel_id $1; }
                location ~ ^/sub/(?<kind>[a-z]+)/(?P<chan_id>\\w+)$ { set $push_channel_id $kind:$chan_id:$2$12; }
                location ~ ^/q/(?'n'\\d+) { set $push_channel_id "${n}x"; }
                """);
        assertEquals("abc", r.route(FakeRequest.get("/pub/abc")).channelId());
        RouteMatch m = r.route(FakeRequest.get("/sub/news/42"));
        assertEquals("news:42:42news2", m.channelId());
        assertEquals("42", m.variables().get("chan_id"));
        assertEquals("7x", r.route(FakeRequest.get("/q/7")).channelId());
        assertEquals("", r.route(FakeRequest.get("/pub/a-b")).variables().getOrDefault("push_channel_id", ""));
    }

    @Test
    void named_captures_count_as_defined_variables() throws ConfException {
        // as in nginx: a named capture anywhere defines the variable for every location...
        assertEquals("r.conf:1: set: unknown \"id\" variable",
                assertThrows(ConfException.class, () -> router("location /x { set $c $id; }")).getMessage());
        Router r = router("location /x { set $c $id; } location ~ (?<id>\\d+) { set $c $id; }");
        // ...which is empty where no regex captured it
        assertEquals("", r.route(FakeRequest.get("/x")).variables().get("c"));
        assertEquals("42", r.route(FakeRequest.get("/y42")).variables().get("c"));
    }

    @Test
    void location_errors() {
        assertEquals("r.conf:1: location: location \"/b\" is outside location \"/a\"",
                assertThrows(ConfException.class, () -> router("location /a { location /b {} }")).getMessage());
        assertEquals("r.conf:1: location: location \"/a/b\" cannot be inside the exact location \"/a\"",
                assertThrows(ConfException.class, () -> router("location = /a { location /a/b {} }")).getMessage());
        assertEquals("r.conf:2: location: duplicate location \"/a\"",
                assertThrows(ConfException.class, () -> router("location /a {}\nlocation ^~ /a {}")).getMessage());
        assertEquals("r.conf:1: location: invalid location modifier \"!\"",
                assertThrows(ConfException.class, () -> router("location ! /a {}")).getMessage());
        String bad = assertThrows(ConfException.class, () -> router("location ~ (a {}")).getMessage();
        assertEquals("r.conf:1: location: invalid regex \"(a\": ", bad.substring(0, bad.indexOf(": ", 30) + 2));
    }

    @Test
    void attached_modifiers_and_named_locations() throws ConfException {
        Router r = router("location =/x { set $w exact; } location ~*\\.GIF$ { set $w gif; } location @fallback { }");
        assertEquals("exact", r.route(FakeRequest.get("/x")).variables().get("w"));
        assertEquals("gif", r.route(FakeRequest.get("/y.gif")).variables().get("w"));
        assertNull(r.route(FakeRequest.get("/@fallback")).location());
    }
}
