package dev.pushrelay.config;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The extension → Content-Type map of one level's {@code types {}} blocks (nginx's
 * {@code types_hash}), or the built-in map when no level of a location defines one
 * (protocol.md §8.6). Immutable; every location that inherits a level's map holds the
 * same instance.
 *
 * @param types extension → MIME type (as written); extensions are lowercased here, as nginx does
 */
public record MimeMap(Map<String, String> types) {

    /**
     * pushrelay's fallback when no level defines {@code types}: the common types of nginx's
     * mime.types (nginx's own compiled-in default is only html, gif and jpg).
     */
    public static final MimeMap BUILTIN = new MimeMap(Map.ofEntries(
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
            Map.entry("wasm", "application/wasm")));

    public MimeMap {
        Map<String, String> lower = new HashMap<>();
        types.forEach((ext, type) -> lower.put(ext.toLowerCase(Locale.ROOT), type));
        types = Map.copyOf(lower);
    }

    /** The type for {@code extension} (any case, without the dot), or null. */
    public String type(String extension) {
        return types.get(extension.toLowerCase(Locale.ROOT));
    }
}
