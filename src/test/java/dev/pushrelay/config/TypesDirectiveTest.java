package dev.pushrelay.config;

import dev.pushrelay.config.syntax.ConfException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.pushrelay.config.ConfLoaderTest.error;
import static dev.pushrelay.config.ConfLoaderTest.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** protocol.md §8.6: {@code types {}} and included mime.types, with nginx's inheritance. */
class TypesDirectiveTest {

    static LocationSettings loc(Settings s, int server, int i) {
        return s.servers().get(server).locations().get(i);
    }

    @Test
    void no_types_anywhere_is_the_builtin_map() throws ConfException {
        Settings s = parse("location / { }");
        assertSame(MimeMap.BUILTIN, loc(s, 0, 0).types());
        assertEquals("text/css", loc(s, 0, 0).types().type("css"));
        assertTrue(s.ignored().isEmpty());
    }

    @Test
    void http_map_is_inherited_whole_and_a_level_with_types_replaces_it() throws ConfException {
        Settings s = parse("""
                http {
                    types { text/html html; application/x-custom cst; }
                    server {
                        listen 8000;
                        location /a { }
                        location /b {
                            types { text/plain txt; }
                            location /b/nested { }
                        }
                    }
                    server {
                        listen 8001;
                        types { image/png png; }
                        location /c { }
                    }
                }
                """);
        LocationSettings a = loc(s, 0, 0);
        assertEquals(Map.of("html", "text/html", "cst", "application/x-custom"), a.types().types());
        assertNull(a.types().type("css"), "the http map replaces the built-in one, no merge");
        LocationSettings b = loc(s, 0, 1);
        assertEquals(Map.of("txt", "text/plain"), b.types().types());
        assertNull(b.types().type("html"), "a location's types replaces the inherited map");
        LocationSettings nested = loc(s, 0, 2);
        assertEquals("location /b/nested (conf/test.conf:8)", nested.name());
        assertSame(b.types(), nested.types(), "a nested location inherits its parent's map");
        assertEquals(Map.of("png", "image/png"), loc(s, 1, 0).types().types(), "server level replaces http");
        assertNull(loc(s, 1, 0).types().type("cst"));
    }

    @Test
    void inherited_map_is_shared_not_copied() throws ConfException {
        Settings s = parse("""
                types { text/html html; }
                location /a { }
                location /b { default_type text/x-b; }
                location /c { types { text/html html; } }
                """);
        assertSame(loc(s, 0, 0).types(), loc(s, 0, 1).types());
        assertNotSame(loc(s, 0, 0).types(), loc(s, 0, 2).types());
        assertEquals(loc(s, 0, 0).types(), loc(s, 0, 2).types(), "equal by value");
    }

    @Test
    void empty_types_block_maps_nothing_so_everything_gets_default_type() throws ConfException {
        Settings s = parse("location /download { types { } default_type application/octet-stream; }");
        assertEquals(Map.of(), loc(s, 0, 0).types().types());
        assertNull(loc(s, 0, 0).types().type("html"));
    }

    @Test
    void extensions_are_case_insensitive_and_types_kept_as_written() throws ConfException {
        Settings s = parse("types { Application/X-Thing THG Thg2; }\nlocation / { }");
        MimeMap m = loc(s, 0, 0).types();
        assertEquals(Map.of("thg", "Application/X-Thing", "thg2", "Application/X-Thing"), m.types());
        assertEquals("Application/X-Thing", m.type("thg"));
        assertEquals("Application/X-Thing", m.type("THG"));
        assertEquals("Application/X-Thing", m.type("tHg2"));
    }

    @Test
    void several_blocks_at_one_level_merge_and_a_repeated_extension_takes_the_later_type() throws ConfException {
        Settings s = parse("""
                types {
                    text/html html htm;
                }
                types {
                    text/plain txt HTM;
                }
                location / { }
                """);
        MimeMap m = loc(s, 0, 0).types();
        assertEquals(Map.of("html", "text/html", "htm", "text/plain", "txt", "text/plain"), m.types());
        assertEquals(List.of("conf/test.conf:5: types: duplicate extension \"htm\", content type: \"text/plain\","
                + " previous content type: \"text/html\""), s.ignored());
    }

    @Test
    void include_mime_types_in_http(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("mime.types"), """
                types {
                    text/html                 html htm shtml;
                    application/javascript    js;
                    image/svg+xml             svg svgz;
                }
                """);
        Path main = dir.resolve("nginx.conf");
        Files.writeString(main, """
                events { }
                http {
                    include mime.types;
                    default_type application/octet-stream;
                    server { listen 8000; location / { } }
                }
                """);
        Settings s = ConfLoader.load(main);
        MimeMap m = loc(s, 0, 0).types();
        assertEquals("text/html", m.type("shtml"));
        assertEquals("image/svg+xml", m.type("svgz"));
        assertNull(m.type("css"), "only what mime.types lists");
        assertTrue(s.ignored().isEmpty(), s.ignored().toString());

        // types { include ...; } works too (nginx's ngx_http_core_type handles include)
        Files.writeString(dir.resolve("extra.types"), "text/x-more more;\ntext/html htm;\n");
        Files.writeString(main, "http {\n types {\n include extra.types;\n text/plain txt;\n }\n"
                + " server { listen 8000; location / { } }\n}\n");
        m = loc(ConfLoader.load(main), 0, 0).types();
        assertEquals(Map.of("more", "text/x-more", "htm", "text/html", "txt", "text/plain"), m.types());
        // ... and that file holds entries, not another types block (nginx: unexpected "{")
        Files.writeString(main, "http {\n types {\n include mime.types;\n }\n}\n");
        ConfException e = assertThrows(ConfException.class, () -> ConfLoader.load(main));
        assertEquals(dir + "/mime.types:1: types: unexpected \"{\"", e.getMessage());
    }

    @Test
    void missing_mime_types_is_still_tolerated_and_the_builtin_map_applies(@TempDir Path dir) throws Exception {
        Path main = dir.resolve("nginx.conf");
        Files.writeString(main, "http {\n include mime.types;\n server { listen 8000; location / { } }\n}\n");
        Settings s = ConfLoader.load(main);
        assertEquals(List.of(main + ":2: include mime.types (file not found)"), s.ignored());
        assertSame(MimeMap.BUILTIN, loc(s, 0, 0).types());
    }

    @Test
    void errors_name_file_line_and_directive(@TempDir Path dir) throws Exception {
        assertEquals("conf/test.conf:2: types: invalid number of arguments in \"types\" directive",
                error("location / {\n types text/html {\n text/html html; } }"));
        assertEquals("conf/test.conf:1: types: directive \"types\" has no opening \"{\"", error("types;"));
        assertEquals("conf/test.conf:2: types: unexpected \"{\"", error("types {\n text/html { html; }\n}"));
        assertEquals("conf/test.conf:2: types: \"types\" directive is not allowed here",
                error("events {\n types { text/html html; }\n}"));

        Files.writeString(dir.resolve("mime.types"), "types {\n    text/html html;\n    image/png;\n}\n");
        Path main = dir.resolve("nginx.conf");
        Files.writeString(main, "http {\n include mime.types;\n server { listen 8000; location / { } }\n}\n");
        Settings s = ConfLoader.load(main); // nginx starts on it too: the entry maps nothing
        assertEquals(List.of(dir + "/mime.types:3: types: \"image/png\" lists no extension (maps nothing)"), s.ignored());
        assertEquals("text/html", loc(s, 0, 0).types().type("html"));
    }
}
