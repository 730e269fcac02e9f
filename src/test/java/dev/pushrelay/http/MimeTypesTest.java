package dev.pushrelay.http;

import dev.pushrelay.config.MimeMap;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** protocol.md §8.6: the extension of a static file's name, looked up in the location's types map. */
class MimeTypesTest {

    static final MimeMap TYPES = new MimeMap(Map.of("html", "text/html", "gz", "application/gzip", "Bashrc", "x/rc"));

    @Test
    void last_dot_case_insensitive_else_default_type() {
        assertEquals("text/html", MimeTypes.of("index.html", TYPES, "d/t"));
        assertEquals("text/html", MimeTypes.of("INDEX.HTML", TYPES, "d/t"));
        assertEquals("application/gzip", MimeTypes.of("archive.tar.gz", TYPES, "d/t"));
        assertEquals("d/t", MimeTypes.of("style.css", TYPES, "d/t"), "not in this map (the built-in one has it)");
        assertEquals("text/css", MimeTypes.of("style.css", MimeMap.BUILTIN, "d/t"));
        assertEquals("d/t", MimeTypes.of("README", TYPES, "d/t"));
        assertEquals("d/t", MimeTypes.of("file.", TYPES, "d/t"));
    }

    @Test
    void a_dot_file_has_no_extension_as_in_nginx() {
        assertEquals("d/t", MimeTypes.of(".bashrc", TYPES, "d/t"));
        assertEquals("x/rc", MimeTypes.of("a.bashrc", TYPES, "d/t"), "extension keys were lowercased");
    }
}
