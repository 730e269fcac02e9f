package dev.pushrelay.config.routing;

import dev.pushrelay.config.AccessRules;
import dev.pushrelay.config.ListenAddress;
import dev.pushrelay.config.PcreRegex;
import dev.pushrelay.config.ServerSettings;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Chooses the server block for a request as nginx does: first the listen address the
 * connection arrived on (an exact address:port, else the wildcard address of that
 * port), then among that address's servers by Host: exact name, longest leading
 * wildcard ({@code *.example.com}, {@code .example.com}), longest trailing wildcard
 * ({@code www.example.*}), the first matching {@code ~regex} in file order; else the
 * address's {@code default_server}, else its first server. Immutable.
 */
final class ServerSelector {

    /** The servers that share one listen address:port. */
    private static final class Group {
        final Map<String, ServerSettings> exact = new HashMap<>();
        final List<Map.Entry<String, ServerSettings>> leading = new ArrayList<>(); // suffix incl. dot
        final List<Map.Entry<String, ServerSettings>> trailing = new ArrayList<>(); // prefix incl. dot
        final List<Map.Entry<Pattern, ServerSettings>> regex = new ArrayList<>();
        ServerSettings defaultServer;
        boolean explicitDefault;
        /** Set after construction: the address's only server, when Host cannot matter. */
        ServerSettings only;
    }

    private final Map<String, Group> groups = new LinkedHashMap<>();
    private final ServerSettings first;
    /**
     * Group per local socket address, filled on first use: resolving an address to its
     * group formats and parses address strings, too slow for every request. Bounded by
     * the number of local addresses the listeners accept on.
     */
    private final java.util.concurrent.ConcurrentHashMap<InetSocketAddress, Group> byLocal =
            new java.util.concurrent.ConcurrentHashMap<>();

    ServerSelector(List<ServerSettings> servers) {
        first = servers.get(0);
        for (ServerSettings s : servers) {
            for (ListenAddress l : s.listens()) {
                String key = key(l.host(), l.port());
                Group g = groups.computeIfAbsent(key, k -> new Group());
                if (l.defaultServer() && !g.explicitDefault) {
                    g.defaultServer = s;
                    g.explicitDefault = true;
                } else if (g.defaultServer == null) {
                    g.defaultServer = s;
                }
                addNames(g, s);
            }
        }
        for (Group g : groups.values()) {
            // identity, not record equality: two servers may be configured alike
            java.util.Set<ServerSettings> members = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            members.addAll(g.exact.values());
            g.leading.forEach(e -> members.add(e.getValue()));
            g.trailing.forEach(e -> members.add(e.getValue()));
            g.regex.forEach(e -> members.add(e.getValue()));
            members.add(g.defaultServer);
            if (members.size() == 1) g.only = g.defaultServer;
            // longest wildcard first; stable sort keeps file order among equals
            g.leading.sort((a, b) -> b.getKey().length() - a.getKey().length());
            g.trailing.sort((a, b) -> b.getKey().length() - a.getKey().length());
        }
    }

    private static void addNames(Group g, ServerSettings s) {
        for (String raw : s.serverNames()) {
            if (raw.startsWith("~")) {
                g.regex.add(Map.entry(compileName(raw), s));
                continue;
            }
            String n = raw.toLowerCase(Locale.ROOT);
            if (n.startsWith("*.")) {
                g.leading.add(Map.entry(n.substring(1), s));
            } else if (n.startsWith(".")) {
                // ".example.com" = "example.com" and "*.example.com"
                g.exact.putIfAbsent(n.substring(1), s);
                g.leading.add(Map.entry(n, s));
            } else if (n.endsWith(".*")) {
                g.trailing.add(Map.entry(n.substring(0, n.length() - 1), s));
            } else {
                g.exact.putIfAbsent(n, s); // nginx warns "conflicting server name" and keeps the first
            }
        }
    }

    /** Compiles a {@code ~regex} server name (case-insensitive, as nginx compiles them). */
    static Pattern compileName(String raw) {
        return PcreRegex.compile(raw.substring(1), true).pattern();
    }

    ServerSettings select(InetSocketAddress local, String hostHeader) {
        Group g = cachedGroup(local);
        if (g == null) {
            return first;
        }
        if (g.only != null) {
            return g.only;
        }
        String host = hostHeader == null || hostHeader.isEmpty() ? "" : RequestVariables.host(hostHeader, first);
        ServerSettings s = g.exact.get(host);
        if (s != null) {
            return s;
        }
        if (!host.isEmpty()) {
            for (Map.Entry<String, ServerSettings> e : g.leading) {
                if (host.endsWith(e.getKey()) && host.length() > e.getKey().length()) {
                    return e.getValue();
                }
            }
            for (Map.Entry<String, ServerSettings> e : g.trailing) {
                if (host.startsWith(e.getKey()) && host.length() > e.getKey().length()) {
                    return e.getValue();
                }
            }
            for (Map.Entry<Pattern, ServerSettings> e : g.regex) {
                if (e.getKey().matcher(host).find()) {
                    return e.getValue();
                }
            }
        }
        return g.defaultServer;
    }

    /**
     * The one server listening on {@code local}, or null when the Host header decides among
     * several: then {@link #select} must be asked, with the Host header.
     */
    ServerSettings only(InetSocketAddress local) {
        Group g = cachedGroup(local);
        return g == null ? first : g.only;
    }

    private Group cachedGroup(InetSocketAddress local) {
        if (local == null) return group(null);
        Group g = byLocal.get(local);
        return g != null ? g : byLocal.computeIfAbsent(local, this::group); // computed once per address
    }

    private Group group(InetSocketAddress local) {
        if (local == null) {
            return groups.values().iterator().next();
        }
        int port = local.getPort();
        InetAddress a = local.getAddress();
        if (a != null) {
            Group g = groups.get(key(a.getHostAddress(), port));
            if (g != null) {
                return g;
            }
            byte[] b = AccessRules.literal(a.getHostAddress());
            if (b != null && b.length == 16 && isV4Mapped(b)) {
                g = groups.get(key((b[12] & 0xff) + "." + (b[13] & 0xff) + "." + (b[14] & 0xff) + "." + (b[15] & 0xff), port));
                if (g != null) {
                    return g;
                }
            }
        }
        Group g = groups.get(key("0.0.0.0", port));
        if (g == null) {
            g = groups.get(key("::", port));
        }
        if (g == null) {
            // the socket reports an address no listen names (e.g. a test bound elsewhere): same port, else first
            for (Map.Entry<String, Group> e : groups.entrySet()) {
                if (e.getKey().endsWith("|" + port)) {
                    return e.getValue();
                }
            }
            g = groups.values().iterator().next();
        }
        return g;
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return (a[10] & 0xff) == 0xff && (a[11] & 0xff) == 0xff;
    }

    private static String key(String host, int port) {
        return ListenAddress.key(host, port);
    }
}
