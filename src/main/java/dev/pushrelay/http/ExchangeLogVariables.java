package dev.pushrelay.http;

import dev.pushrelay.config.routing.RouteMatch;
import dev.pushrelay.logging.LogVariables;
import dev.pushrelay.wire.ResponseHeads;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.Cookie;
import io.undertow.util.Headers;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;

/** nginx's log variables for one completed exchange (README "Operating pushrelay"). */
final class ExchangeLogVariables implements LogVariables {

    private static final DateTimeFormatter TIME_LOCAL = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.US);
    private static final DateTimeFormatter ISO8601 = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX", Locale.US);
    private static final String HOSTNAME = hostname();

    private final HttpServerExchange exchange;
    private final int status;
    private final long nanos;
    private final Instant now;
    private final ZoneId zone;
    private final RouteMatch match;

    ExchangeLogVariables(HttpServerExchange exchange, int status, long nanos, Instant now, ZoneId zone, RouteMatch match) {
        this.exchange = exchange;
        this.status = status;
        this.nanos = nanos;
        this.now = now;
        this.zone = zone;
        this.match = match;
    }

    @Override
    public String value(String name) {
        switch (name) {
            case "remote_addr": {
                InetSocketAddress a = exchange.getSourceAddress();
                return a == null || a.getAddress() == null ? null : a.getAddress().getHostAddress();
            }
            case "remote_port": {
                InetSocketAddress a = exchange.getSourceAddress();
                return a == null ? null : Integer.toString(a.getPort());
            }
            case "remote_user":
                return remoteUser();
            case "time_local":
                return TIME_LOCAL.format(now.atZone(zone));
            case "time_iso8601":
                return ISO8601.format(now.atZone(zone));
            case "msec":
                return now.getEpochSecond() + "." + String.format(Locale.ROOT, "%03d", now.getNano() / 1_000_000);
            case "request":
                String refused = WireChecks.refusedRequestLine(exchange); // protocol.md §9
                if (refused != null) return refused;
                return exchange.getRequestMethod() + " " + requestUri() + " " + ResponseHeads.requestProtocol(exchange);
            case "status":
                return Integer.toString(status);
            case "body_bytes_sent":
                return Long.toString(Math.max(0, exchange.getResponseBytesSent()));
            case "request_time": {
                long ms = nanos / 1_000_000;
                return (ms / 1000) + "." + String.format(Locale.ROOT, "%03d", ms % 1000);
            }
            case "request_method":
                return exchange.getRequestMethod().toString();
            case "request_uri":
                return requestUri();
            case "uri", "document_uri":
                return exchange.getRequestPath();
            case "args", "query_string": {
                String q = exchange.getQueryString();
                return q == null || q.isEmpty() ? null : q;
            }
            case "is_args": {
                String q = exchange.getQueryString();
                return q == null || q.isEmpty() ? "" : "?";
            }
            case "host":
                return host();
            case "server_protocol":
                return ResponseHeads.requestProtocol(exchange).toString();
            case "scheme":
                return exchange.getRequestScheme();
            case "server_addr": {
                InetSocketAddress a = exchange.getDestinationAddress();
                return a == null || a.getAddress() == null ? null : a.getAddress().getHostAddress();
            }
            case "server_port": {
                InetSocketAddress a = exchange.getDestinationAddress();
                return a == null ? null : Integer.toString(a.getPort());
            }
            case "server_name":
                return match == null ? null : match.server().serverNames().get(0);
            case "content_type":
                return exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
            case "content_length":
                return exchange.getRequestHeaders().getFirst(Headers.CONTENT_LENGTH);
            case "pid":
                return Long.toString(ProcessHandle.current().pid());
            case "hostname":
                return HOSTNAME;
            case "connection_requests":
                return null;
            case "push_channel_id":
                return match == null ? null : match.channelId();
            default:
                return prefixed(name);
        }
    }

    private String prefixed(String name) {
        if (name.startsWith("http_")) {
            return exchange.getRequestHeaders().getFirst(headerName(name.substring(5)));
        }
        if (name.startsWith("sent_http_")) {
            return exchange.getResponseHeaders().getFirst(headerName(name.substring(10)));
        }
        if (name.startsWith("arg_")) {
            return rawArg(exchange.getQueryString(), name.substring(4));
        }
        if (name.startsWith("cookie_")) {
            Cookie c = exchange.getRequestCookie(name.substring(7));
            return c == null ? null : c.getValue();
        }
        return null;
    }

    /** nginx's $arg_NAME: the first NAME= argument, raw (not URL-decoded), name case-insensitive. */
    static String rawArg(String query, String arg) {
        if (query == null) return null;
        for (String part : query.split("&", -1)) {
            if (part.length() > arg.length() && part.charAt(arg.length()) == '=' && part.regionMatches(true, 0, arg, 0, arg.length())) {
                return part.substring(arg.length() + 1);
            }
        }
        return null;
    }

    /** $http_user_agent names the header User-Agent: underscores are dashes, case does not matter. */
    private static String headerName(String var) {
        return var.replace('_', '-');
    }

    private String requestUri() {
        String q = exchange.getQueryString();
        return q == null || q.isEmpty() ? exchange.getRequestURI() : exchange.getRequestURI() + "?" + q;
    }

    /** nginx's $host: the Host header lowercased without its port, else the server name. */
    private String host() {
        String h = exchange.getRequestHeaders().getFirst(Headers.HOST);
        if (h != null && !h.isEmpty()) {
            int colon = h.startsWith("[") ? h.indexOf("]:") + 1 : h.lastIndexOf(':');
            if (colon > 0) h = h.substring(0, colon);
            return h.toLowerCase(Locale.ROOT);
        }
        return match == null ? null : match.server().serverNames().get(0);
    }

    /** The user of Basic authentication, as nginx's $remote_user. */
    private String remoteUser() {
        String auth = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
        if (auth == null || !auth.regionMatches(true, 0, "Basic ", 0, 6)) return null;
        try {
            String decoded = new String(Base64.getDecoder().decode(auth.substring(6).trim()), StandardCharsets.ISO_8859_1);
            int colon = decoded.indexOf(':');
            return colon < 0 ? null : decoded.substring(0, colon);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The host name without a DNS lookup (InetAddress.getLocalHost can block for seconds,
     * and this is first needed on an IO thread): $HOSTNAME, else /etc/hostname.
     */
    private static String hostname() {
        String h = System.getenv("HOSTNAME");
        if (h != null && !h.isBlank()) return h.strip();
        try {
            h = java.nio.file.Files.readString(java.nio.file.Path.of("/etc/hostname")).strip();
            return h.isEmpty() ? "localhost" : h;
        } catch (java.io.IOException | RuntimeException e) {
            return "localhost";
        }
    }
}
