package dev.pushrelay.config;

import java.util.List;

/**
 * Chooses server and location for a request as nginx does, and evaluates the
 * {@code set} variables. Thread-safe and immutable: everything is compiled at load
 * time; {@link #route} only matches and evaluates.
 *
 * <p>Order, as nginx's phases: server selection (listen address, then Host), the
 * server's {@code set}/{@code return} (server-rewrite phase), location search (with
 * regex captures), the location's own {@code set}/{@code return} (rewrite phase; not
 * inherited from enclosing locations, as nginx's rewrite module does not merge them).
 */
public final class Router {

    private final Settings settings;
    private final ServerSelector selector;
    private final boolean accessLogged;

    public Router(Settings settings) {
        this.settings = settings;
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
        Evaluation ev = new Evaluation(request, server);
        Return ret = run(table.serverRewrite, ev);
        if (ret != null) {
            return new RouteMatch(server, null, ev.userVariables(), ret);
        }
        String uri = request.uri();
        LocationMatcher.Found found = table.locations.find(uri == null ? "" : uri, ev);
        if (found.loc() == null) {
            return new RouteMatch(server, table.fallback, ev.userVariables(), null);
        }
        ret = run(found.loc().rewrite(), ev);
        return new RouteMatch(server, found.loc().settings(), ev.userVariables(), ret, ev.positional());
    }

    private static Return run(List<RewriteStep> steps, Evaluation ev) {
        for (RewriteStep step : steps) {
            if (step instanceof RewriteStep.Set set) {
                ev.set(set.name(), set.value().evaluate(ev));
            } else if (step instanceof RewriteStep.Ret r) {
                return new Return(r.code(), r.text() == null ? null : r.text().evaluate(ev));
            }
        }
        return null;
    }
}
