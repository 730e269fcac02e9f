package dev.pushrelay.config;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The variable values of one request while it is routed: built-ins read lazily from the
 * {@link RequestView}, the current regex captures, and user variables ({@code set},
 * named captures). Not thread-safe; one per request.
 */
final class Evaluation {

    private final RequestView request;
    private final ServerSettings server;
    private final Map<String, String> user = new HashMap<>();
    private PcreRegex.Captures captures = PcreRegex.Captures.NONE;

    Evaluation(RequestView request, ServerSettings server) {
        this.request = request;
        this.server = server;
    }

    Map<String, String> userVariables() {
        return user;
    }

    void set(String name, String value) {
        user.put(name, value);
    }

    /** A successful regex match replaces the captures and defines its named captures. */
    void captured(PcreRegex.Captures c) {
        captures = c;
        user.putAll(c.named());
    }

    /** Numbered groups of the last successful regex match ($0, $1...; null = did not participate). */
    String[] positional() {
        return captures.groups();
    }

    /** Restores the positional captures a routing ended with (add_header is evaluated later). */
    void positional(String[] groups) {
        captures = new PcreRegex.Captures(groups, java.util.Map.of());
    }

    String value(VariableExpr.Part p) {
        switch (p.kind()) {
            case LITERAL:
                return p.text();
            case CAPTURE:
                return captures.group(p.capture());
            case USER: {
                String v = user.get(p.text());
                return v == null ? "" : v;
            }
            case ARG:
                return arg(request.args(), p.text());
            case HTTP: {
                String v = request.header(p.text());
                return v == null ? "" : v;
            }
            case COOKIE:
                return cookie(request.header("Cookie"), p.text());
            case URI:
                return nz(request.uri());
            case REQUEST_URI:
                return nz(request.requestUri());
            case ARGS:
                return nz(request.args());
            case IS_ARGS:
                return nz(request.args()).isEmpty() ? "" : "?";
            case HOST:
                return host(request.header("Host"), server);
            case REMOTE_ADDR:
                return nz(request.remoteAddr());
            case SERVER_ADDR: {
                InetSocketAddress a = request.localAddress();
                return a == null || a.getAddress() == null ? "" : a.getAddress().getHostAddress();
            }
            case SERVER_PORT: {
                InetSocketAddress a = request.localAddress();
                return a == null ? "" : Integer.toString(a.getPort());
            }
            case SERVER_NAME:
                return server.serverNames().isEmpty() ? "" : server.serverNames().get(0);
            case CONTENT_TYPE: {
                String v = request.header("Content-Type");
                return v == null ? "" : v;
            }
            case CONTENT_LENGTH: {
                String v = request.header("Content-Length");
                return v == null ? "" : v;
            }
            default:
                return "";
        }
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    /**
     * {@code $arg_NAME} as {@code ngx_http_arg}: the first {@code NAME=} (name compared
     * case-insensitively) at the start of the query or after '&'; the raw value up to the
     * next '&', not URL-decoded (protocol.md §1). A bare {@code NAME} without '=' does not count.
     */
    static String arg(String args, String name) {
        if (args == null || args.isEmpty()) {
            return "";
        }
        int n = name.length();
        int from = 0;
        while (from <= args.length() - n - 1) {
            int p = indexOfIgnoreCase(args, name, from);
            if (p < 0 || p + n >= args.length()) {
                return "";
            }
            if ((p == 0 || args.charAt(p - 1) == '&') && args.charAt(p + n) == '=') {
                int end = args.indexOf('&', p + n + 1);
                return args.substring(p + n + 1, end < 0 ? args.length() : end);
            }
            from = p + 1;
        }
        return "";
    }

    private static int indexOfIgnoreCase(String s, String needle, int from) {
        for (int i = from; i + needle.length() <= s.length(); i++) {
            if (s.regionMatches(true, i, needle, 0, needle.length())) {
                return i;
            }
        }
        return -1;
    }

    /** {@code $cookie_NAME}: from the Cookie header, pairs separated by ';' or ',', name case-insensitive. */
    static String cookie(String header, String name) {
        if (header == null) {
            return "";
        }
        for (String pair : header.split("[;,]")) {
            String t = pair.strip();
            int eq = t.indexOf('=');
            if (eq == name.length() && t.regionMatches(true, 0, name, 0, eq)) {
                return t.substring(eq + 1);
            }
        }
        return "";
    }

    /** {@code $host}: the Host header without port, lowercased; else the server's first name. */
    static String host(String header, ServerSettings server) {
        if (header != null && !header.isEmpty()) {
            String h = header;
            if (h.startsWith("[")) {
                int close = h.indexOf(']');
                h = close < 0 ? h : h.substring(0, close + 1);
            } else {
                int colon = h.indexOf(':');
                if (colon >= 0) {
                    h = h.substring(0, colon);
                }
            }
            if (h.endsWith(".")) {
                h = h.substring(0, h.length() - 1);
            }
            return h.toLowerCase(Locale.ROOT);
        }
        return server.serverNames().isEmpty() ? "" : server.serverNames().get(0);
    }
}
