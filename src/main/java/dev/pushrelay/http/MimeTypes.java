package dev.pushrelay.http;

import dev.pushrelay.config.MimeMap;

/**
 * Content-Type by file extension for static files (protocol.md §8.6), as nginx's
 * ngx_http_set_exten and types lookup: the extension is what follows the last dot of the
 * file name (none for a dot file such as {@code .htaccess}, nor for a name ending in a
 * dot), looked up case-insensitively in the location's {@code types {}} map (its own, or
 * inherited whole from the enclosing level, or an included mime.types); when no level
 * defines {@code types}, the built-in {@link MimeMap#BUILTIN}. Unknown or missing
 * extensions get the location's default_type.
 */
final class MimeTypes {

    private MimeTypes() {
    }

    /** The type for {@code fileName} under {@code types}, or {@code defaultType}. */
    static String of(String fileName, MimeMap types, String defaultType) {
        int dot = fileName.lastIndexOf('.');
        if (dot <= 0 || dot == fileName.length() - 1) return defaultType;
        String t = types.type(fileName.substring(dot + 1));
        return t == null ? defaultType : t;
    }
}
