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
        String method = method(a, m, p);
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
        // header lines: only their offsets are kept; a value becomes a String when asked for (LeanHead)
        int[] lines = new int[16];
        int count = 0;
        boolean host = false;
        long length = -1;
        int connection = 0; // 0 none, 1 close, 2 keep-alive
        while (true) {
            if (a[p] == '\r') {
                if (a[p + 1] != '\n') return NOT_MINE;
                p += 2;
                break;
            }
            int n = p;
            while (p < end && a[p] > 0 && TOKEN[a[p]]) p++;
            if (p == n || p >= end || a[p] != ':') return NOT_MINE;
            int ne = p;
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
            p += 2;
            if (count == MAX_HEADERS || count >= maxHeaders) return NOT_MINE;
            if (named(a, n, ne, "Host")) {
                if (host || !plainHost(a, v, ve)) return NOT_MINE;
                host = true;
            } else if (named(a, n, ne, "Content-Length")) {
                if (length >= 0 || ve == v || ve - v > 12) return NOT_MINE;
                long l = 0;
                for (int i = v; i < ve; i++) {
                    if (a[i] < '0' || a[i] > '9') return NOT_MINE;
                    l = l * 10 + (a[i] - '0');
                }
                length = l;
            } else if (named(a, n, ne, "Transfer-Encoding") || named(a, n, ne, "Expect") || named(a, n, ne, "Upgrade")) {
                return NOT_MINE;
            } else if (named(a, n, ne, "Connection")) {
                if (connection != 0) return NOT_MINE;
                if (named(a, v, ve, "close")) {
                    connection = 1;
                } else if (named(a, v, ve, "keep-alive")) {
                    connection = 2;
                } else {
                    return NOT_MINE;
                }
            }
            if (4 * count == lines.length) lines = java.util.Arrays.copyOf(lines, lines.length * 2);
            lines[4 * count] = n;
            lines[4 * count + 1] = ne;
            lines[4 * count + 2] = v;
            lines[4 * count + 3] = ve;
            count++;
        }
        if (!http10 && !host) return NOT_MINE;
        boolean keepAlive = http10 ? connection == 2 : connection != 1;
        return new LeanHead(method, target, path, args, http10, a, lines, count, length)
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

    /** Host names of letters, digits, dots, dashes and a port: {@code a[from, to)}. */
    private static boolean plainHost(byte[] a, int from, int to) {
        if (to == from || to - from > 255) return false;
        for (int i = from; i < to; i++) {
            byte c = a[i];
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

    /** Whether {@code a[from, to)} is {@code name} in any case (ASCII, as String.equalsIgnoreCase there). */
    static boolean named(byte[] a, int from, int to, String name) {
        if (to - from != name.length()) return false;
        for (int i = 0; i < name.length(); i++) {
            int c = a[from + i];
            int d = name.charAt(i);
            if (c == d) continue;
            int lower = c | 0x20;
            if (lower != (d | 0x20) || lower < 'a' || lower > 'z') return false;
        }
        return true;
    }

    /** The request methods the lean path serves, as constants: no String per request for them. */
    private static String method(byte[] a, int from, int to) {
        int n = to - from;
        if (n == 3 && a[from] == 'G' && a[from + 1] == 'E' && a[from + 2] == 'T') return "GET";
        if (n == 4 && a[from] == 'P' && a[from + 1] == 'O' && a[from + 2] == 'S' && a[from + 3] == 'T') return "POST";
        if (n == 3 && a[from] == 'P' && a[from + 1] == 'U' && a[from + 2] == 'T') return "PUT";
        return ascii(a, from, to);
    }

    static String ascii(byte[] a, int from, int to) {
        return new String(a, from, to - from, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
