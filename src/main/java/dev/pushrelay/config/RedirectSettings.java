package dev.pushrelay.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * How a redirect's {@code Location} that starts with '/' is made absolute, as nginx's header
 * filter does it (protocol.md §8.2): {@code absolute_redirect off} leaves it relative;
 * otherwise {@code http://} + host + port + path, where host is the server's first
 * {@code server_name} when {@code server_name_in_redirect on}, else the request's Host
 * (lowercased, without port or trailing dot), else the local address the request arrived
 * on; the port is the local port unless it is 80 or {@code port_in_redirect off}.
 *
 * @param serverName the server's first server_name as written ("" when it has none)
 */
public record RedirectSettings(boolean absolute, boolean serverNameInRedirect, boolean portInRedirect,
                               String serverName) {

    /** nginx's defaults for a server without server_name. */
    public static final RedirectSettings DEFAULT = new RedirectSettings(true, false, true, "");

    /** The Location nginx sends for {@code target}, for a request with {@code hostHeader} on {@code local}. */
    public String location(String target, String hostHeader, InetSocketAddress local) {
        if (!absolute || !target.startsWith("/")) {
            return target;
        }
        String host;
        if (serverNameInRedirect) {
            host = serverName;
        } else if (hostHeader != null && !hostHeader.isEmpty()) {
            host = host(hostHeader);
        } else {
            InetAddress a = local == null ? null : local.getAddress();
            host = a == null ? "" : text(a);
        }
        int port = local == null ? 0 : local.getPort();
        boolean withPort = portInRedirect && port != 80 && port != 0;
        return "http://" + host + (withPort ? ":" + port : "") + target;
    }

    /**
     * An address as nginx's ngx_sock_ntop prints it without port: IPv6 compressed (the longest
     * run of two or more zero groups becomes "::") and without brackets.
     */
    static String text(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 4) {
            return a.getHostAddress();
        }
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = (b[2 * i] & 0xff) << 8 | (b[2 * i + 1] & 0xff);
        }
        int best = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                best = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == best) {
                out.append("::");
                i += bestLen - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(g[i]));
        }
        return out.toString();
    }

    /** The host of a Host header as nginx keeps it: lowercased, without port and trailing dot. */
    public static String host(String header) {
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
}
