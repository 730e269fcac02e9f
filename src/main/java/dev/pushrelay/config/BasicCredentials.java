package dev.pushrelay.config;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The user and password of an {@code Authorization: Basic ...} header, as nginx's
 * ngx_http_auth_basic_user reads it: scheme compared case-insensitively, base64 decoded,
 * split at the first ':'. Used by auth_basic (protocol.md §8.10) and {@code $remote_user}.
 */
public record BasicCredentials(String user, String password) {

    /** Null when the header is absent, not Basic, not base64, or holds no ':'. */
    public static BasicCredentials parse(String header) {
        if (header == null || header.length() < 6 || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String b64 = header.substring(6).strip();
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            return null;
        }
        String s = new String(raw, StandardCharsets.ISO_8859_1);
        int colon = s.indexOf(':');
        if (colon < 0) {
            return null;
        }
        return new BasicCredentials(s.substring(0, colon), s.substring(colon + 1));
    }
}
