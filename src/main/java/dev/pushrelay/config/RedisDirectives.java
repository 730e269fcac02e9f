package dev.pushrelay.config;

import dev.pushrelay.config.syntax.ConfException;
import dev.pushrelay.config.syntax.ConfNode;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * nchan's Redis directives, as an nchan user writes them (protocol.md §13): either
 * {@code nchan_redis_url redis://[:password@]host:port[/db];} with {@code nchan_use_redis on;},
 * or {@code upstream NAME { nchan_redis_server redis://...; }} with {@code nchan_redis_pass NAME;},
 * plus {@code nchan_redis_namespace}, {@code nchan_redis_connect_timeout} and
 * {@code nchan_redis_command_timeout}. They apply to push_* locations like any other
 * storage directive and are inherited http → server → location. A location without them
 * keeps the in-memory store.
 */
final class RedisDirectives {

    static final String DEFAULT_URL = "redis://127.0.0.1:6379";
    static final long DEFAULT_CONNECT_TIMEOUT_MS = 600; // nchan's
    static final long DEFAULT_COMMAND_TIMEOUT_MS = 2000;

    /** The directives of one level; null = unset. */
    static final class Level {
        String url;
        Boolean use;
        String pass;
        ConfNode passNode;
        String namespace;
        Long connectTimeoutMs;
        Long commandTimeoutMs;
        /** http level only: upstream blocks that name a Redis server. */
        final Map<String, Upstream> upstreams = new HashMap<>();
    }

    /** @param where file:line of the second server when there are several, else null */
    record Upstream(List<String> urls, String where, String namespace, Long connectTimeoutMs, Long commandTimeoutMs) {
    }

    private RedisDirectives() {
    }

    /** Adds the directives to the table (contexts as nchan's, protocol.md §13). */
    static void register(Map<String, DirectiveTable.Spec> m) {
        int hsl = DirectiveTable.HSL;
        for (String n : List.of("nchan_redis_url", "nchan_use_redis", "nchan_redis_pass", "nchan_redis_namespace",
                "nchan_redis_connect_timeout", "nchan_redis_command_timeout")) {
            m.put(n, new DirectiveTable.Spec(n, hsl, 1, 1, false, false, false, (node, c) -> apply(node, c.redis)));
        }
        // only inside an upstream block, which reads it itself
        m.put("nchan_redis_server", new DirectiveTable.Spec("nchan_redis_server", 0, 1, 1, false, false, false));
        m.put("upstream", new DirectiveTable.Spec("upstream", DirectiveTable.HTTP, 1, 1, true, false, false));
    }

    static void apply(ConfNode n, Level c) throws ConfException {
        switch (n.name()) {
            case "nchan_redis_url" -> {
                check(c.url, n);
                c.url = url(n, n.arg(0));
            }
            case "nchan_use_redis" -> {
                check(c.use, n);
                Boolean b = ValueSyntax.flag(n.arg(0));
                if (b == null) {
                    throw n.error("invalid value \"" + n.arg(0) + "\" in \"" + n.name()
                            + "\" directive, it must be \"on\" or \"off\"");
                }
                c.use = b;
            }
            case "nchan_redis_pass" -> {
                check(c.pass, n);
                c.pass = n.arg(0);
                c.passNode = n;
            }
            case "nchan_redis_namespace" -> {
                check(c.namespace, n);
                c.namespace = n.arg(0);
            }
            case "nchan_redis_connect_timeout" -> {
                check(c.connectTimeoutMs, n);
                c.connectTimeoutMs = millis(n);
            }
            case "nchan_redis_command_timeout" -> {
                check(c.commandTimeoutMs, n);
                c.commandTimeoutMs = millis(n);
            }
            default -> throw n.error("\"" + n.name() + "\" directive is not allowed here");
        }
    }

    /**
     * {@code upstream NAME { ... }}: with nchan_redis_server it names a Redis for
     * nchan_redis_pass; its other directives (server, keepalive...) are for proxying, which
     * pushrelay does not do, and are listed as ignored. Several nchan_redis_server name the
     * nodes of one Redis Cluster (seeds, as nchan's): whether it is one is asked of the
     * servers when they answer, and several servers that are not a cluster are refused then
     * (protocol.md §13).
     */
    static void upstream(ConfNode n, Level http, List<String> ignored) throws ConfException {
        List<String> urls = new java.util.ArrayList<>();
        String where = null;
        String namespace = null;
        Long connect = null;
        Long command = null;
        for (ConfNode child : n.children()) {
            switch (child.name()) {
                case "nchan_redis_server" -> {
                    if (child.args().size() != 1) {
                        throw child.error("invalid number of arguments in \"nchan_redis_server\" directive");
                    }
                    String url = url(child, child.arg(0));
                    if (urls.contains(url)) throw Directives.duplicate(child);
                    if (urls.size() == 1) where = child.where();
                    urls.add(url);
                }
                case "nchan_redis_namespace" -> namespace = oneArg(child);
                case "nchan_redis_connect_timeout" -> connect = millis(child);
                case "nchan_redis_command_timeout" -> command = millis(child);
                default -> ignored.add(child.where() + ": " + child.name());
            }
        }
        if (urls.isEmpty()) {
            ignored.add(n.where() + ": upstream");
            return;
        }
        if (http.upstreams.putIfAbsent(n.arg(0), new Upstream(urls, where, namespace, connect, command)) != null) {
            throw n.error("duplicate upstream \"" + n.arg(0) + "\"");
        }
    }

    /**
     * The merged Redis settings of a location, or null for the in-memory store.
     *
     * @param chain outermost (http) first
     */
    static RedisSettings merge(List<RedisDirectives.Level> chain) throws ConfException {
        Level http = chain.get(0);
        String pass = null;
        ConfNode passNode = null;
        Boolean use = null;
        String url = null;
        for (int i = chain.size() - 1; i >= 0; i--) {
            Level l = chain.get(i);
            if (pass == null && l.pass != null) {
                pass = l.pass;
                passNode = l.passNode;
            }
            if (use == null) use = l.use;
            if (url == null) url = l.url;
        }
        String namespace = get(chain, l -> l.namespace);
        Long connect = get(chain, l -> l.connectTimeoutMs);
        Long command = get(chain, l -> l.commandTimeoutMs);
        if (Boolean.FALSE.equals(use)) {
            return null;
        }
        if (pass != null) {
            Upstream u = http.upstreams.get(pass);
            if (u == null) {
                throw passNode.error("no upstream \"" + pass + "\" with nchan_redis_server");
            }
            return new RedisSettings(u.urls().get(0), u.urls(), u.where(), first(namespace, u.namespace(), ""),
                    first(connect, u.connectTimeoutMs(), DEFAULT_CONNECT_TIMEOUT_MS),
                    first(command, u.commandTimeoutMs(), DEFAULT_COMMAND_TIMEOUT_MS));
        }
        if (!Boolean.TRUE.equals(use)) {
            return null;
        }
        return new RedisSettings(url == null ? DEFAULT_URL : url, namespace == null ? "" : namespace,
                connect == null ? DEFAULT_CONNECT_TIMEOUT_MS : connect,
                command == null ? DEFAULT_COMMAND_TIMEOUT_MS : command);
    }

    @SafeVarargs
    private static <T> T first(T... values) {
        for (T v : values) {
            if (v != null) return v;
        }
        return null;
    }

    private static <T> T get(List<Level> chain, java.util.function.Function<Level, T> f) {
        for (int i = chain.size() - 1; i >= 0; i--) {
            T v = f.apply(chain.get(i));
            if (v != null) return v;
        }
        return null;
    }

    /** {@code redis://[:password@]host[:port][/db]}; nchan also accepts it without the scheme. */
    private static String url(ConfNode n, String value) throws ConfException {
        String v = value.contains("://") ? value : "redis://" + value;
        try {
            URI u = new URI(v);
            if (!"redis".equals(u.getScheme()) || u.getHost() == null) {
                throw n.error("invalid redis url \"" + value + "\"");
            }
            String path = u.getPath();
            if (path != null && !path.isEmpty() && !path.equals("/") && !path.substring(1).matches("[0-9]+")) {
                throw n.error("invalid redis database in \"" + value + "\"");
            }
            return v;
        } catch (URISyntaxException e) {
            throw n.error("invalid redis url \"" + value + "\"");
        }
    }

    private static String oneArg(ConfNode n) throws ConfException {
        if (n.args().size() != 1) {
            throw n.error("invalid number of arguments in \"" + n.name() + "\" directive");
        }
        return n.arg(0);
    }

    private static long millis(ConfNode n) throws ConfException {
        long v = ValueSyntax.millis(oneArg(n));
        if (v <= 0) {
            throw n.error("invalid value \"" + n.arg(0) + "\"");
        }
        return v;
    }

    private static void check(Object current, ConfNode n) throws ConfException {
        if (current != null) {
            throw Directives.duplicate(n);
        }
    }
}
