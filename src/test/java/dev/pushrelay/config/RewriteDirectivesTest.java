package dev.pushrelay.config;

import dev.pushrelay.config.routing.FakeRequest;
import dev.pushrelay.config.routing.RouteMatch;
import dev.pushrelay.config.routing.Router;
import dev.pushrelay.config.syntax.ConfException;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** protocol.md §8.9: the rewrite module's load-time checks, each naming file:line and the directive. */
class RewriteDirectivesTest {

    private static String error(String conf) {
        return assertThrows(ConfException.class, () -> ConfLoader.parse(conf, Path.of("r.conf"))).getMessage();
    }

    private static String route(String conf, String target) throws ConfException {
        RouteMatch m = new Router(ConfLoader.parse(conf, Path.of("r.conf"))).route(FakeRequest.get(target));
        return m.response() == null ? m.location().name() : m.response().code() + " " + m.response().text();
    }

    @Test
    void s8_9_errors_are_nginx_like() {
        assertEquals("r.conf:1: rewrite: invalid parameter \"forever\"", error("rewrite ^ /x forever;"));
        assertEquals("r.conf:1: rewrite: invalid number of arguments in \"rewrite\" directive", error("rewrite ^;"));
        assertEquals("r.conf:2: if: invalid condition \"foo\"", error("location / {\nif (foo) { return 403; }\n}"));
        assertEquals("r.conf:1: if: unexpected \"<\" in condition", error("if ($a < 1) { return 403; } set $a 1;"));
        assertEquals("r.conf:1: if: directive \"if\" has no opening \"{\"", error("if ($uri);"));
        assertEquals("r.conf:1: if: \"if\" directive is not allowed here", error("if ($uri) { if ($uri) { } }"));
        assertEquals("r.conf:1: push_publisher: \"push_publisher\" directive inside \"if\" is not supported by pushrelay",
                error("location / { if ($uri) { push_publisher; } }"));
        assertEquals("r.conf:1: rewrite: unknown \"nope\" variable", error("rewrite ^ /$nope;"));
        assertEquals("r.conf:1: break: invalid number of arguments in \"break\" directive", error("break now;"));
        assertEquals("r.conf:1: if: invalid condition \"($uri\"", error("if ($uri { }"));
    }

    @Test
    void s8_9_named_captures_and_set_inside_if_define_variables() throws ConfException {
        String conf = """
                location / {
                    if ($uri ~ ^/(?<first>[a-z]+)) { set $seen yes; }
                    return 200 "$first $seen";
                }
                """;
        assertEquals("200 abc yes", route(conf, "/abc/1"));
        assertEquals("200  ", route(conf, "/123"));
    }

    @Test
    void s8_9_quoted_regex_followed_by_parenthesis() throws ConfException {
        Router r = new Router(ConfLoader.parse("if ($http_x ~* \"a{2}\") { return 403; } location / { return 200 ok; }",
                Path.of("r.conf")));
        assertEquals(403, r.route(FakeRequest.get("/").header("X", "zAAz")).response().code());
        assertEquals(200, r.route(FakeRequest.get("/").header("X", "zAz")).response().code());
    }
}
