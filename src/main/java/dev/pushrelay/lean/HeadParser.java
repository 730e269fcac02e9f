package dev.pushrelay.lean;

import java.nio.ByteBuffer;

/**
 * A conservative HTTP/1.1 request-head parser (protocol.md §12, "The lean path"): it accepts
 * only a strict subset of what the wire checks (protocol.md §9) and Undertow accept, so
 * that every head it takes is read the same way by both, and says "not mine" to anything
 * else (which then goes to Undertow with its bytes, as if never read). The subset: a method
 * of capital letters; an origin-form target of letters, digits and {@code -._~/?=&:,!*'()@$}
 * (no percent-encoding, no {@code +}, {@code ;}, {@code #}, no dot segment or empty segment);
 * HTTP/1.0 or HTTP/1.1; CRLF line ends; header lines {@code token ":" SP* value} with values of
 * visible ASCII and spaces (no tab); no folded line; at most one Host and one Content-Length (digits); no
 * Transfer-Encoding, Expect or Upgrade; a Connection of "close" or "keep-alive" only; an
 * HTTP/1.1 request names its Host; sizes well within the configured head limits.
 */
final class HeadParser {

    /** Not a head the lean path takes. */
    static final LeanHead NOT_MINE = new LeanHead(null, null, null, null, false, null, null, 0, -1);

    private static final int MAX_HEADERS = 32;
    private static final boolean[] TARGET = new boolean[128];
    private static final boolean[] TOKEN = new boolean[128];

    static {
        for (char c = 'a'; c <= 'z'; c++) { TARGET[c] = true; TOKEN[c] = true; }
        for (char c = 'A'; c <= 'Z'; c++) { TARGET[c] = true; TOKEN[c] = true; }
        for (char c = '0'; c <= '9'; c++) { TARGET[c] = true; TOKEN[c] = true; }
        for (char c : "-._~/?=&:,!*'()@$".toCharArray()) TARGET[c] = true;
        TOKEN['-'] = true;
    }

    private HeadParser() {
    }

    /**
     * Parses the head at {@code b[from, to)}.
     *
     * @param maxHead the head's size limit to stay well under (the smallest of the configured
     *                line and head limits)
     * @param maxHeaders the header count to stay under
     * @return the head; null when it is not complete yet; {@link #NOT_MINE} when it is not in the subset
     */
    static LeanHead parse(ByteBuffer b, int from, int to, int maxHead, int maxHeaders) {
        int end = headEnd(b, from, Math.min(to, from + maxHead));
        if (end == -2) return NOT_MINE;
        if (end < 0) return to - from >= maxHead ? NOT_MINE : null;
        // request line, parsed from a copy of the head: an array, not the direct buffer byte by byte
        byte[] a = new byte[end - from];
        b.get(from, a);
        end -= from;
        int p = 0;
        int m = p;
        while (p < end && a[p] >= 'A' && a[p] <= 'Z') p++;
        if (p == m || p - m > 16 || a[p] != ' ') return NOT_MINE;
        String method = ascii(a, m, p);
        int t = ++p;
        int query = -1;
        if (a[p] != '/') return NOT_MINE;
        byte prev = 0;
        while (p < end) {
            byte c = a[p];
            if (c == ' ') break;
            if (c < 0 || !TARGET[c]) return NOT_MINE;
            if (c == '?') {
                if (query >= 0) return NOT_MINE;
                query = p;
            } else if (query < 0 && prev == '/' && (c == '/' || c == '.')) {
                return NOT_MINE; // an empty or dot segment: nginx normalises it
            }
            prev = c;
            p++;
        }
        if (p >= end || query == p - 1) return NOT_MINE; // no version, or a bare '?'
        String target = ascii(a, t, p);
        String path = query < 0 ? target : ascii(a, t, query);
        String args = query < 0 ? "" : ascii(a, query + 1, p);
        p++;
        if (p + 10 > end || !matches(a, p, "HTTP/1.")) return NOT_MINE;
        byte minor = a[p + 7];
        if (minor != '0' && minor != '1' || a[p + 8] != '\r' || a[p + 9] != '\n') return NOT_MINE;
        boolean http10 = minor == '0';
        p += 10;
        // header lines
        String[] names = new String[8];
        String[] values = new String[8];
        int count = 0;
        String host = null;
        long length = -1;
        String connection = null;
        while (true) {
            if (a[p] == '\r') {
                if (a[p + 1] != '\n') return NOT_MINE;
                p += 2;
                break;
            }
            int n = p;
            while (p < end && a[p] > 0 && TOKEN[a[p]]) p++;
            if (p == n || p >= end || a[p] != ':') return NOT_MINE;
            String name = ascii(a, n, p);
            p++;
            while (p < end && a[p] == ' ') p++; // nginx skips SP only: a tab would be the value's
            int v = p;
            while (p < end && a[p] != '\r') {
                byte c = a[p];
                if (c < 0x20 || c == 0x7f) return NOT_MINE; // a tab too: read differently by nginx and Undertow
                p++;
            }
            if (p + 1 >= end || a[p + 1] != '\n') return NOT_MINE;
            int ve = p;
            while (ve > v && a[ve - 1] == ' ') ve--;
            String value = ascii(a, v, ve);
            p += 2;
            if (count == MAX_HEADERS || count >= maxHeaders) return NOT_MINE;
            if (name.equalsIgnoreCase("Host")) {
                if (host != null || !plainHost(value)) return NOT_MINE;
                host = value;
            } else if (name.equalsIgnoreCase("Content-Length")) {
                if (length >= 0 || value.isEmpty() || value.length() > 12) return NOT_MINE;
                for (int i = 0; i < value.length(); i++) {
                    if (value.charAt(i) < '0' || value.charAt(i) > '9') return NOT_MINE;
                }
                length = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("Transfer-Encoding") || name.equalsIgnoreCase("Expect")
                    || name.equalsIgnoreCase("Upgrade")) {
                return NOT_MINE;
            } else if (name.equalsIgnoreCase("Connection")) {
                if (connection != null) return NOT_MINE;
                if (!value.equalsIgnoreCase("close") && !value.equalsIgnoreCase("keep-alive")) return NOT_MINE;
                connection = value;
            }
            if (count == names.length) {
                names = java.util.Arrays.copyOf(names, count * 2);
                values = java.util.Arrays.copyOf(values, count * 2);
            }
            names[count] = name;
            values[count] = value;
            count++;
        }
        if (!http10 && host == null) return NOT_MINE;
        boolean keepAlive = http10 ? "keep-alive".equalsIgnoreCase(connection) : !"close".equalsIgnoreCase(connection);
        return new LeanHead(method, target, path, args, http10, names, values, count, length)
                .framing(p, keepAlive);
    }

    /** The offset just past the blank line ending the head in {@code b[from, to)}, -1 if none yet, -2 at a bare LF. */
    private static int headEnd(ByteBuffer b, int from, int to) {
        for (int i = from; i + 3 < to; i++) {
            if (b.get(i) == '\r' && b.get(i + 1) == '\n' && b.get(i + 2) == '\r' && b.get(i + 3) == '\n') {
                return i + 4;
            }
            if (b.get(i) == '\n' && (i == from || b.get(i - 1) != '\r')) return -2; // a bare LF: not ours
        }
        return -1;
    }

    /** Host names of letters, digits, dots, dashes and a port. */
    private static boolean plainHost(String v) {
        if (v.isEmpty() || v.length() > 255) return false;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == ':')) {
                return false;
            }
        }
        return true;
    }

    private static boolean matches(byte[] a, int at, String s) {
        for (int i = 0; i < s.length(); i++) {
            if (a[at + i] != s.charAt(i)) return false;
        }
        return true;
    }

    private static String ascii(byte[] a, int from, int to) {
        return new String(a, from, to - from, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
