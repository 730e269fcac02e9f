package dev.pushrelay.http;

import java.util.Locale;
import java.util.Map;

/**
 * Content-Type by file extension for static files (protocol.md §8.6): the common types of
 * nginx's mime.types. A {@code types {}} block or an included mime.types is not read
 * (reported as ignored); other extensions get the location's default_type.
 */
final class MimeTypes {

    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html"),
            Map.entry("htm", "text/html"),
            Map.entry("css", "text/css"),
            Map.entry("js", "application/javascript"),
            Map.entry("mjs", "application/javascript"),
            Map.entry("json", "application/json"),
            Map.entry("txt", "text/plain"),
            Map.entry("xml", "text/xml"),
            Map.entry("png", "image/png"),
            Map.entry("jpg", "image/jpeg"),
            Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("webp", "image/webp"),
            Map.entry("woff", "font/woff"),
            Map.entry("woff2", "font/woff2"),
            Map.entry("map", "application/json"),
            Map.entry("wasm", "application/wasm"));

    private MimeTypes() {
    }

    /** The type for {@code fileName}, or {@code defaultType}. */
    static String of(String fileName, String defaultType) {
        int dot = fileName.lastIndexOf('.');
        if (dot < 0 || dot == fileName.length() - 1) return defaultType;
        String t = TYPES.get(fileName.substring(dot + 1).toLowerCase(Locale.ROOT));
        return t == null ? defaultType : t;
    }
}
