package dev.pushrelay.config.routing;

import dev.pushrelay.config.BasicCredentials;
import dev.pushrelay.config.LocationSettings;
import dev.pushrelay.config.PcreRegex;
import dev.pushrelay.config.RedirectSettings;
import dev.pushrelay.config.ServerSettings;
import dev.pushrelay.config.ValueTemplate;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The variable values of one request while it is routed: built-ins read lazily from the
 * {@link RequestView}, the current regex captures, and user variables ({@code set},
 * named captures). Not thread-safe; one per request.
 */
final class RequestVariables {

    private final RequestView request;
    private final ServerSettings server;
    private final Path confDir;
    /**
     * User variables: the first one in {@link #name}/{@link #value} (a push location sets one,
     * $push_channel_id, per request), a map only from the second on.
     */
    private String name;
    private String value;
    private Map<String, String> user;
    private PcreRegex.Captures captures = PcreRegex.Captures.NONE;
    /** $uri and $args: the request's until a rewrite changes them (protocol.md §8.9) */
    private String uri;
    private String args;
    /** the location whose root/alias $request_filename and $document_root use; null = none yet */
    private LocationSettings location;

    RequestVariables(RequestView request, ServerSettings server) {
        this(request, server, null);
    }

    /** @param confDir the main configuration file's directory, against which a relative root resolves */
    RequestVariables(RequestView request, ServerSettings server, Path confDir) {
        this.request = request;
        this.server = server;
        this.confDir = confDir;
        this.uri = nz(request.uri());
        this.args = nz(request.args());
    }

    String uri() {
        return uri;
    }

    String args() {
        return args;
    }

    /** A rewrite's new $uri and $args. */
    void rewritten(String newUri, String newArgs) {
        uri = newUri;
        args = newArgs;
    }

    void location(LocationSettings l) {
        location = l;
    }

    /** The user variables, for {@link RouteMatch}: immutable when there is at most one (Map.copyOf keeps it). */
    Map<String, String> userVariables() {
        if (user != null) return user;
        return name == null ? Map.of() : Map.of(name, value);
    }

    void set(String name, String value) {
        if (user == null) {
            if (this.name == null || this.name.equals(name)) {
                this.name = name;
                this.value = value;
                return;
            }
            user = new HashMap<>();
            user.put(this.name, this.value);
        }
        user.put(name, value);
    }

    private String user(String name) {
        if (user != null) return user.get(name);
        return name.equals(this.name) ? value : null;
    }

    /** A successful regex match replaces the captures and defines its named captures. */
    void captured(PcreRegex.Captures c) {
        captures = c;
        c.named().forEach(this::set);
    }

    /** Numbered groups of the last successful regex match ($0, $1...; null = did not participate). */
    String[] positional() {
        return captures.groups();
    }

    /** Restores the positional captures a routing ended with (add_header is evaluated later). */
    void positional(String[] groups) {
        captures = new PcreRegex.Captures(groups, java.util.Map.of());
    }

    /** {@code template} with this request's values. */
    String evaluate(ValueTemplate template) {
        List<ValueTemplate.Part> parts = template.parts();
        if (parts.size() == 1) {
            return value(parts.get(0));
        }
        StringBuilder sb = new StringBuilder();
        for (ValueTemplate.Part p : parts) {
            sb.append(value(p));
        }
        return sb.toString();
    }

    private String value(ValueTemplate.Part p) {
        switch (p.kind()) {
            case LITERAL:
                return p.text();
            case CAPTURE:
                return captures.group(p.capture());
            case USER: {
                String v = user(p.text());
                return v == null ? "" : v;
            }
            case ARG:
                return arg(args, p.text());
            case HTTP: {
                String v = request.header(p.text());
                return v == null ? "" : v;
            }
            case COOKIE:
                return cookie(request.header("Cookie"), p.text());
            case URI:
                return uri;
            case REQUEST_URI:
                return nz(request.requestUri());
            case ARGS:
                return args;
            case IS_ARGS:
                return args.isEmpty() ? "" : "?";
            case REQUEST_METHOD:
                return nz(request.method());
            case SCHEME:
                return "http";
            case SERVER_PROTOCOL:
                return nz(request.protocol());
            case REMOTE_USER: {
                BasicCredentials c = BasicCredentials.parse(request.header("Authorization"));
                return c == null ? "" : c.user();
            }
            case DOCUMENT_ROOT:
                return documentRoot();
            case REQUEST_FILENAME:
                return requestFilename();
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

    /**
     * What nginx appends to an error-log line about a request: {@code , client: ADDR, server:
     * NAME, request: "LINE"} and {@code , host: "HOST"} when the request has one.
     */
    String logContext() {
        StringBuilder b = new StringBuilder(", client: ").append(nz(request.remoteAddr()))
                .append(", server: ").append(server.serverNames().isEmpty() ? "" : server.serverNames().get(0))
                .append(", request: \"").append(nz(request.method())).append(' ').append(nz(request.requestUri()))
                .append(' ').append(nz(request.protocol())).append('"');
        String host = request.header("Host");
        if (host != null) {
            b.append(", host: \"").append(host).append('"');
        }
        return b.toString();
    }

    /** $document_root: the root (or alias) in effect, resolved against the configuration's directory. */
    private String documentRoot() {
        if (location == null) {
            return "";
        }
        String r = location.alias() != null ? location.alias() : location.root() == null ? "html" : location.root();
        return resolve(r);
    }

    /** The file {@code uri} names under the current location's root or alias (try_files). */
    String filename(String forUri) {
        String saved = uri;
        uri = forUri;
        try {
            return requestFilename();
        } finally {
            uri = saved;
        }
    }

    /**
     * $request_filename: root + $uri, or with alias the alias replacing the location's
     * prefix (a regex location's alias names the file itself), as nginx's ngx_http_map_uri_to_path.
     */
    private String requestFilename() {
        if (location == null) {
            return "";
        }
        if (location.alias() == null) {
            return documentRoot() + uri;
        }
        String prefix = aliasPrefix(location.name());
        if (prefix == null) {
            return documentRoot();
        }
        return documentRoot() + (uri.length() >= prefix.length() ? uri.substring(prefix.length()) : "");
    }

    private String resolve(String path) {
        if (confDir == null || path.startsWith("/")) {
            return path;
        }
        return confDir.resolve(path).normalize().toString();
    }

    /** The prefix of a prefix or exact location from its name ({@code "location ^~ /a/ (f:1)"}); null otherwise. */
    static String aliasPrefix(String locationName) {
        if (!locationName.startsWith("location ")) {
            return null;
        }
        int where = locationName.lastIndexOf(" (");
        String s = locationName.substring("location ".length(), where < 0 ? locationName.length() : where);
        if (s.startsWith("~") || s.startsWith("@")) {
            return null;
        }
        if (s.startsWith("^~")) {
            return s.substring(2).strip();
        }
        if (s.startsWith("=")) {
            return s.substring(1).strip();
        }
        return s;
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
            return RedirectSettings.host(header);
        }
        return server.serverNames().isEmpty() ? "" : server.serverNames().get(0);
    }
}
