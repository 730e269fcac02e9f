package dev.pushrelay.config;

import dev.pushrelay.config.syntax.ConfException;
import dev.pushrelay.config.syntax.ConfNode;

import java.util.List;

/**
 * nginx's {@code listen}: {@code port}, {@code address}, {@code address:port},
 * {@code *:port}, {@code [ipv6]:port}, {@code localhost[:port]}; the port defaults to
 * 80; {@code default_server} (and its old name {@code default}) marks the default
 * server of that address. Socket options (ssl, http2, backlog=, reuseport, ...) are
 * accepted and have no effect. Port 0 is a pushrelay extension (any free port, for tests).
 */
final class ListenDirective {

    private static final List<String> FLAG_PARAMS = List.of("ssl", "http2", "quic", "spdy", "proxy_protocol",
            "reuseport", "deferred", "bind");
    private static final List<String> VALUE_PARAMS = List.of("backlog=", "rcvbuf=", "sndbuf=", "accept_filter=",
            "fastopen=", "ipv6only=", "so_keepalive=", "setfib=");

    private ListenDirective() {
    }

    static ListenAddress parse(ConfNode n) throws ConfException {
        String a = n.arg(0);
        if (a.startsWith("unix:")) {
            throw n.error("unix domain sockets are not supported in \"" + a + "\" of the \"listen\" directive");
        }
        String host;
        String port;
        if (a.startsWith("[")) {
            int close = a.indexOf(']');
            if (close < 0) {
                throw n.error("invalid IPv6 address in \"" + a + "\" of the \"listen\" directive");
            }
            host = a.substring(1, close);
            String rest = a.substring(close + 1);
            if (!rest.isEmpty() && !rest.startsWith(":")) {
                throw n.error("invalid IPv6 address in \"" + a + "\" of the \"listen\" directive");
            }
            port = rest.isEmpty() ? "80" : rest.substring(1);
            byte[] b = AccessRules.literal(host);
            if (b == null || b.length != 16) {
                throw n.error("invalid IPv6 address in \"" + a + "\" of the \"listen\" directive");
            }
            host = host.toLowerCase(java.util.Locale.ROOT);
        } else {
            int colon = a.lastIndexOf(':');
            if (colon >= 0) {
                host = a.substring(0, colon);
                port = a.substring(colon + 1);
            } else if (ValueSyntax.number(a) >= 0) {
                host = "*";
                port = a;
            } else {
                host = a;
                port = "80";
            }
            if (host.equals("*")) {
                host = "0.0.0.0";
            } else if (host.equalsIgnoreCase("localhost")) {
                host = "127.0.0.1";
            } else {
                byte[] b = AccessRules.literal(host);
                if (b == null || b.length != 4) {
                    throw n.error("host not found in \"" + a + "\" of the \"listen\" directive");
                }
            }
        }
        long p = ValueSyntax.number(port);
        if (p < 0 || p > 65535) {
            throw n.error("invalid port in \"" + a + "\" of the \"listen\" directive");
        }
        boolean dflt = false;
        for (String param : n.args().subList(1, n.args().size())) {
            if (param.equals("default_server") || param.equals("default")) {
                dflt = true;
            } else if (!FLAG_PARAMS.contains(param) && VALUE_PARAMS.stream().noneMatch(param::startsWith)) {
                throw n.error("invalid parameter \"" + param + "\"");
            }
        }
        return new ListenAddress(host, (int) p, dflt);
    }
}
