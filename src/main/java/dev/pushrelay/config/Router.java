package dev.pushrelay.config;

import java.nio.file.Path;
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
    private final Path confDir;

    public Router(Settings settings) {
        this.settings = settings;
        Path parent = settings.file().toAbsolutePath().getParent();
        this.confDir = parent == null ? Path.of("").toAbsolutePath() : parent;
        this.selector = new ServerSelector(settings.servers());
        boolean any = false;
        for (ServerSettings s : settings.servers()) {
            if (s.serverLevel() != null && !s.serverLevel().accessLogs().isEmpty()) any = true;
            for (LocationSettings l : s.locations()) {
                if (!l.accessLogs().isEmpty()) any = true;
            }
        }
        this.accessLogged = any;
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
        ServerSettings server = selector.select(request.localAddress(), request.header("Host"));
        RoutingTable table = server.routing();
        Evaluation ev = new Evaluation(request, server, confDir);
        ev.location(table.serverLevel);
        RewritePhase.Outcome o = RewritePhase.run(table.serverRewrite, ev);
        if (o.response() != null) {
            return match(server, null, ev, o.response(), request);
        }
        // nginx's uri_changes: NGX_HTTP_MAX_URI_CHANGES (10) new searches, the 11th is a 500
        for (int left = MAX_URI_CHANGES + 1; ; ) {
            LocationMatcher.Found found = table.locations.find(ev.uri(), ev);
            if (found.loc() == null) {
                return match(server, table.fallback, ev, null, request);
            }
            LocationSettings location = found.loc().settings();
            ev.location(location);
            o = RewritePhase.run(found.loc().rewrite(), ev);
            if (o.response() != null || !o.research()) {
                return match(server, location, ev, o.response(), request);
            }
            if (--left == 0) {
                LOG.severe("rewrite or internal redirection cycle while processing \"" + ev.uri() + "\"");
                return match(server, location, ev, new Return(500, null), request);
            }
        }
    }

    private static RouteMatch match(ServerSettings server, LocationSettings location, Evaluation ev, Return response,
                                    RequestView request) {
        boolean rewritten = !ev.uri().equals(nz(request.uri())) || !ev.args().equals(nz(request.args()));
        return new RouteMatch(server, location, ev.userVariables(), response, ev.positional(),
                rewritten ? ev.uri() : null, rewritten ? ev.args() : null);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
