package dev.pushrelay.config;

import dev.pushrelay.config.syntax.ConfException;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** protocol.md §8.11: error_page and try_files load-time checks, nginx's messages with file:line. */
class PageDirectivesTest {

    private static String error(String conf) {
        return assertThrows(ConfException.class, () -> ConfLoader.parse(conf, Path.of("p.conf"))).getMessage();
    }

    private static LocationSettings location(String conf) throws ConfException {
        return ConfLoader.parse(conf, Path.of("p.conf")).servers().get(0).locations().get(0);
    }

    @Test
    void s8_11_errors() {
        assertEquals("p.conf:1: error_page: value \"200\" must be between 300 and 599", error("error_page 200 /x;"));
        assertEquals("p.conf:1: error_page: invalid value \"abc\"", error("error_page abc /x;"));
        assertEquals("p.conf:1: error_page: invalid value \"=x\"", error("error_page 404 =x /x;"));
        assertEquals("p.conf:1: error_page: invalid number of arguments in \"error_page\" directive",
                error("error_page = /x;"));
        assertEquals("p.conf:1: try_files: invalid code \"=abc\"", error("location / { try_files $uri =abc; }"));
        assertEquals("p.conf:1: try_files: invalid number of arguments in \"try_files\" directive",
                error("location / { try_files $uri; }"));
        assertEquals("p.conf:1: try_files: \"try_files\" directive is not allowed here", error("http { try_files a b; }"));
    }

    @Test
    void s8_11_error_pages_are_inherited_only_by_levels_without_their_own() throws ConfException {
        LocationSettings inherits = location("error_page 404 /a; error_page 500 /b; location / { }");
        assertEquals(2, inherits.errorPages().size());
        LocationSettings own = location("error_page 404 /a; error_page 500 /b; location / { error_page 403 =200 @x; }");
        assertEquals(1, own.errorPages().size());
        assertEquals(200, own.errorPages().get(403).override());
        assertEquals(true, own.errorPages().get(403).named());
    }
}
