package dev.pushrelay.websocket;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.Deflater;

/**
 * permessage-deflate (RFC 7692) as a subscriber socket serves it (protocol.md §14.10): the
 * server always works without context takeover, so a message compressed once is valid on
 * every socket that agreed to the extension.
 */
public final class PerMessageDeflate {

    /** RFC 7692 §7.2.1: a compressed message ends without the sync flush's last four bytes. */
    private static final int TAIL = 4;

    /**
     * What was agreed with one client.
     *
     * @param response the {@code Sec-WebSocket-Extensions} value of the 101
     * @param largest the longest message that may go compressed to it: a client that asked for
     *                a window below 2^15 bytes (server_max_window_bits) gets longer messages
     *                uncompressed, since no back-reference in a shorter one can reach further
     */
    public record Agreement(String response, int largest) {
        public boolean compresses(int plainLength) {
            return plainLength <= largest;
        }
    }

    private PerMessageDeflate() {
    }

    /**
     * The first acceptable permessage-deflate offer of a request's
     * {@code Sec-WebSocket-Extensions} values (RFC 7692 §5, §7.1), or null to decline them all:
     * an offer with an unknown, repeated or invalid parameter is declined (§7.1).
     */
    public static Agreement negotiate(List<String> headerValues) {
        if (headerValues == null) return null;
        for (String value : headerValues) {
            for (String offer : splitOutsideQuotes(value, ',')) {
                Agreement a = accept(offer);
                if (a != null) return a;
            }
        }
        return null;
    }

    private static Agreement accept(String offer) {
        List<String> parts = splitOutsideQuotes(offer, ';');
        if (!parts.get(0).trim().equalsIgnoreCase("permessage-deflate")) return null;
        Map<String, String> params = new HashMap<>();
        for (String p : parts.subList(1, parts.size())) {
            int eq = p.indexOf('=');
            String name = (eq < 0 ? p : p.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            String v = eq < 0 ? null : unquote(p.substring(eq + 1).trim());
            if (name.isEmpty() || params.containsKey(name)) return null;
            params.put(name, v);
        }
        StringBuilder response = new StringBuilder("permessage-deflate; server_no_context_takeover");
        int largest = Integer.MAX_VALUE;
        for (Map.Entry<String, String> e : params.entrySet()) {
            String v = e.getValue();
            switch (e.getKey()) {
                case "server_no_context_takeover", "client_no_context_takeover" -> {
                    if (v != null) return null;
                    if (e.getKey().startsWith("client")) response.append("; client_no_context_takeover");
                }
                case "server_max_window_bits" -> {
                    int bits = windowBits(v);
                    if (bits < 0) return null;
                    largest = 1 << bits;
                    response.append("; server_max_window_bits=").append(bits);
                }
                case "client_max_window_bits" -> {
                    // any window the client compresses with is inflated (java.util.zip reads up to 2^15)
                    if (v != null && windowBits(v) < 0) return null;
                }
                default -> {
                    return null;
                }
            }
        }
        return new Agreement(response.toString(), largest);
    }

    /** 8 to 15, plain digits without a leading zero (RFC 7692 §7.1.2); -1 otherwise. */
    private static int windowBits(String v) {
        if (v == null || v.isEmpty() || v.length() > 2 || v.charAt(0) == '0') return -1;
        for (int i = 0; i < v.length(); i++) if (v.charAt(i) < '0' || v.charAt(i) > '9') return -1;
        int bits = Integer.parseInt(v);
        return bits >= 8 && bits <= 15 ? bits : -1;
    }

    private static String unquote(String v) {
        return v.length() >= 2 && v.charAt(0) == '"' && v.charAt(v.length() - 1) == '"'
                ? v.substring(1, v.length() - 1) : v;
    }

    private static List<String> splitOutsideQuotes(String s, char sep) {
        List<String> out = new java.util.ArrayList<>();
        boolean quoted = false;
        int from = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') quoted = !quoted;
            if (c == sep && !quoted) {
                out.add(s.substring(from, i));
                from = i + 1;
            }
        }
        out.add(s.substring(from));
        return out;
    }

    /**
     * A message's compressed payload, once for every socket (RFC 7692 §7.2.1, no context
     * takeover); null when compressing would not make it shorter (it then goes plain, RSV1 clear).
     */
    public static ByteBuffer compress(ByteBuffer body) {
        int n = body.remaining();
        if (n == 0) return null;
        byte[] in = new byte[n];
        body.duplicate().get(in);
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        try {
            d.setInput(in);
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, n / 2));
            byte[] chunk = new byte[Math.min(Math.max(256, n + 64), 65536)];
            int got;
            do {
                got = d.deflate(chunk, 0, chunk.length, Deflater.SYNC_FLUSH);
                out.write(chunk, 0, got);
            } while (got == chunk.length || !d.needsInput());
            byte[] all = out.toByteArray();
            int len = all.length - TAIL;
            if (len >= n || len < 1 || all[len] != 0 || all[len + 1] != 0 || all[len + 2] != -1 || all[len + 3] != -1) {
                return null;
            }
            return ByteBuffer.wrap(all, 0, len).slice();
        } finally {
            d.end();
        }
    }
}
