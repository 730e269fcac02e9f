package dev.pushrelay.config.routing;

import dev.pushrelay.config.ErrorPage;
import dev.pushrelay.config.LocationBlock;
import dev.pushrelay.config.LocationSettings;
import dev.pushrelay.config.Return;
import dev.pushrelay.config.RewriteStep;
import dev.pushrelay.config.ServerSettings;
import dev.pushrelay.config.Settings;
import dev.pushrelay.config.TryFiles;
import dev.pushrelay.config.ValueTemplate;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Chooses server and location for a request as nginx does, and evaluates the
 * {@code set} variables. Thread-safe and immutable: everything is compiled at load
 * time; {@link #route} only matches and evaluates.
 *
 * <p>Order, as nginx's phases (protocol.md §8.9): server selection (listen address, then
 * Host), the server's rewrite directives (server-rewrite phase), location search (with
 * regex captures), the location's own rewrite directives (rewrite phase; not inherited
 * from enclosing locations, as nginx's rewrite module does not merge them); a URI changed
 * there (no flag, or {@code last}) searches the locations again, at most 10 times.
 */
public final class Router {

    /** nginx's NGX_HTTP_MAX_URI_CHANGES */
    static final int MAX_URI_CHANGES = 10;
    private static final Logger LOG = Logger.getLogger(Router.class.getName());

    private final Settings settings;
    private final ServerSelector selector;
    private final boolean accessLogged;
    private final boolean quiet;
    private final Path confDir;
    /** per server block (by identity: two servers may be configured alike) */
    private final Map<ServerSettings, RoutingTable> tables = new IdentityHashMap<>();

    public Router(Settings settings) {
        this.settings = settings;
        Path parent = settings.file().toAbsolutePath().getParent();
        this.confDir = parent == null ? Path.of("").toAbsolutePath() : parent;
        this.selector = new ServerSelector(settings.servers());
        boolean any = false;
        for (ServerSettings s : settings.servers()) {
            tables.put(s, new RoutingTable(s.routing()));
            if (s.serverLevel() != null && !s.serverLevel().accessLogs().isEmpty()) any = true;
            for (LocationSettings l : s.locations()) {
                if (!l.accessLogs().isEmpty()) any = true;
            }
        }
        this.accessLogged = any;
        this.quiet = quiet(settings);
    }

    /**
     * Whether routing a request has no effect but its answer: no rewrite_log notice and no
     * URI-changing rewrite (whose cycle logs an error) anywhere. Only then may a request be
     * routed twice, once by the lean path and again by Undertow's handler after a hand-off
     * (protocol.md §12), without a second log line.
     */
    public boolean quiet() {
        return quiet;
    }

    private static boolean quiet(Settings settings) {
        for (ServerSettings s : settings.servers()) {
            if (s.serverLevel() != null && s.serverLevel().rewriteLog()) return false;
            if (!quiet(s.routing().serverRewrite()) || !quietBlocks(s.routing().locations())) return false;
            for (LocationSettings l : s.locations()) {
                if (l.rewriteLog()) return false;
            }
        }
        return true;
    }

    private static boolean quietBlocks(List<LocationBlock> blocks) {
        for (LocationBlock b : blocks) {
            if (b.settings() != null && b.settings().rewriteLog()) return false;
            if (!quiet(b.rewrite()) || !quietBlocks(b.nested())) return false;
        }
        return true;
    }

    private static boolean quiet(List<RewriteStep> steps) {
        for (RewriteStep step : steps) {
            if (step instanceof RewriteStep.Rewrite) return false;
            if (step instanceof RewriteStep.If i && !quiet(i.body())) return false;
        }
        return true;
    }

    /** Whether any server or location writes an access_log: if not, a request needs no log record. */
    public boolean accessLogged() {
        return accessLogged;
    }

    public Settings settings() {
        return settings;
    }

    /** Never null; {@link RouteMatch#location()} is null when nothing matches. */
    public RouteMatch route(RequestView request) {
        InetSocketAddress local = request.localAddress();
        ServerSettings server = selector.only(local); // the Host header is read only where it decides
        if (server == null) server = selector.select(local, request.header("Host"));
        RequestVariables ev = new RequestVariables(request, server, confDir);
        return fromServerRewrite(server, ev, MAX_URI_CHANGES + 1, request, false);
    }

    /**
     * nginx's internal redirect (error_page, try_files): the request starts again at the
     * server-rewrite phase with {@code uri} and {@code args}, its variables kept; it costs
     * one of the request's URI changes (protocol.md §8.11).
     */
    public RouteMatch redirect(RouteMatch from, RequestView request, String uri, String args) {
        RequestVariables ev = resume(from, request);
        ev.rewritten(uri, args);
        if (from.changesLeft() - 1 <= 0) {
            return cycle(from.server(), from.location(), ev, request);
        }
        return fromServerRewrite(from.server(), ev, from.changesLeft() - 1, request, true);
    }

    /** The request goes on in the server's location {@code @name}, from its rewrite phase. */
    public RouteMatch named(RouteMatch from, RequestView request, String name) {
        RequestVariables ev = resume(from, request);
        LocationBlock loc = table(from.server()).locations.named(name);
        if (loc == null) {
            LOG.severe("could not find named location \"" + name + "\"");
            return match(from.server(), from.location(), ev, new Return(500, null), request, true, from.changesLeft());
        }
        if (from.changesLeft() - 1 <= 0) {
            return cycle(from.server(), from.location(), ev, request);
        }
        return search(from.server(), ev, from.changesLeft() - 1, request, true, loc);
    }

    /** The internal redirect of {@code error_page} for {@code page}: a URI or a named location. */
    public RouteMatch errorPage(RouteMatch from, RequestView request, ErrorPage page) {
        if (page.named()) {
            return named(from, request, page.target());
        }
        String target = resume(from, request).evaluate(page.compiled());
        int q = target.indexOf('?');
        return redirect(from, request, q < 0 ? target : target.substring(0, q), q < 0 ? "" : target.substring(q + 1));
    }

    /**
     * The location's try_files, if any (protocol.md §8.11): null when it has none; else the
     * match to serve, the redirect to the last argument, or its code.
     */
    public TryOutcome tryFiles(RouteMatch from, RequestView request) {
        LocationSettings location = from.location();
        TryFiles tf = location == null ? null : location.tryFiles();
        if (tf == null) {
            return null;
        }
        RequestVariables ev = resume(from, request);
        for (ValueTemplate f : tf.files()) {
            // as nginx: a written trailing '/' asks for a directory and is not part of the name
            boolean dir = f.source().endsWith("/");
            String value = ev.evaluate(f);
            if (dir) {
                value = value.substring(0, value.length() - 1);
            }
            if (exists(ev.filename(value), dir)) {
                ev.rewritten(value, ev.args());
                return new TryOutcome(match(from.server(), location, ev, null, request, true, from.changesLeft()), false, 0);
            }
        }
        if (tf.code() > 0) {
            return new TryOutcome(from, false, tf.code());
        }
        String last = ev.evaluate(tf.fallback());
        if (last.startsWith("@")) {
            return new TryOutcome(named(from, request, last), true, 0);
        }
        int q = last.indexOf('?');
        String args = q < 0 ? ev.args() : last.substring(q + 1);
        return new TryOutcome(redirect(from, request, q < 0 ? last : last.substring(0, q), args), true, 0);
    }

    private static boolean exists(String file, boolean dir) {
        try {
            Path p = Path.of(file);
            return dir ? Files.isDirectory(p) : Files.isRegularFile(p);
        } catch (InvalidPathException e) {
            return false;
        }
    }

    /** An RequestVariables holding what routing left in {@code from}: variables, captures, URI, location. */
    private RequestVariables resume(RouteMatch from, RequestView request) {
        RequestVariables ev = new RequestVariables(request, from.server(), confDir);
        for (Map.Entry<String, String> v : from.variables().entrySet()) {
            ev.set(v.getKey(), v.getValue());
        }
        ev.positional(from.positional());
        if (from.uri() != null) {
            ev.rewritten(from.uri(), from.args());
        }
        ev.location(from.location());
        return ev;
    }

    private RouteMatch fromServerRewrite(ServerSettings server, RequestVariables ev, int left, RequestView request,
                                         boolean forceUri) {
        RoutingTable table = table(server);
        ev.location(table.routes.serverLevel());
        LocationSettings serverLevel = table.routes.serverLevel();
        RewritePhase.Outcome o = RewritePhase.run(table.routes.serverRewrite(), ev,
                serverLevel != null && serverLevel.rewriteLog());
        if (o.response() != null) {
            return match(server, null, ev, o.response(), request, forceUri, left);
        }
        return search(server, ev, left, request, forceUri, null);
    }

    /**
     * Location search and the location's rewrite phase, again while a rewrite changes the URI;
     * nginx's uri_changes allows 10 new searches, the 11th is a 500.
     *
     * @param start a named location to begin with (its rewrite phase), or null to search
     */
    private RouteMatch search(ServerSettings server, RequestVariables ev, int left, RequestView request, boolean forceUri,
                              LocationBlock start) {
        RoutingTable table = table(server);
        LocationBlock loc = start;
        while (true) {
            if (loc == null) {
                LocationMatcher.Found found = table.locations.find(ev.uri(), ev);
                if (found.loc() == null) {
                    return match(server, table.routes.fallback(), ev, null, request, forceUri, left);
                }
                loc = found.loc();
            }
            LocationSettings location = loc.settings();
            ev.location(location);
            RewritePhase.Outcome o = RewritePhase.run(loc.rewrite(), ev, location.rewriteLog());
            if (o.response() != null || !o.research()) {
                return match(server, location, ev, o.response(), request, forceUri, left);
            }
            if (--left == 0) {
                return cycle(server, location, ev, request);
            }
            loc = null;
        }
    }

    private static RouteMatch cycle(ServerSettings server, LocationSettings location, RequestVariables ev, RequestView request) {
        LOG.severe("rewrite or internal redirection cycle while processing \"" + ev.uri() + "\"");
        return match(server, location, ev, new Return(500, null), request, true, 0);
    }

    private static RouteMatch match(ServerSettings server, LocationSettings location, RequestVariables ev, Return response,
                                    RequestView request, boolean forceUri, int left) {
        if (location != null && location.streams().namesChannel()) { // nchan_channel_id, protocol.md §14.7, §14.8
            ev.set("push_channel_id", location.streams().channelIdValue(ev::evaluate));
        }
        boolean rewritten = forceUri || !ev.uri().equals(nz(request.uri())) || !ev.args().equals(nz(request.args()));
        return new RouteMatch(server, location, ev.userVariables(), response, ev.positional(),
                rewritten ? ev.uri() : null, rewritten ? ev.args() : null, left);
    }

    /** The routes of {@code server}; one not in this configuration (built by hand) has none. */
    private RoutingTable table(ServerSettings server) {
        RoutingTable t = tables.get(server);
        return t != null ? t : new RoutingTable(server.routing());
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
