package dev.pushrelay.http;

import dev.pushrelay.config.ErrorPage;
import dev.pushrelay.config.LocationSettings;
import dev.pushrelay.config.RedirectSettings;
import dev.pushrelay.config.Return;
import dev.pushrelay.config.routing.HeaderVariables;
import dev.pushrelay.config.routing.RouteMatch;
import dev.pushrelay.config.routing.Router;
import dev.pushrelay.config.routing.TryOutcome;
import dev.pushrelay.store.Broker;
import dev.pushrelay.store.ChannelStore;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;

import java.nio.file.Path;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The root handler: routes each request to its server and location as nginx would (with
 * the rewrite phases, protocol.md §8.9), applies the location's nginx directives (return,
 * the access phase of allow/deny, auth_basic and limit_except, try_files, add_header,
 * keepalive_timeout, gzip; §8), then hands it to the publisher or subscriber endpoint, or
 * to the static files of root/alias. nginx's own error answers may become error_page
 * internal redirects (§8.11). Never lets a client's request kill the server: an
 * unexpected exception becomes a 500 and a log line.
 */
public final class PushHandler implements HttpHandler {

    private static final Logger LOG = Logger.getLogger(PushHandler.class.getName());

    private final Supplier<Router> router;
    private final PublisherEndpoint publisher;
    private final SubscriberEndpoint subscriber;
    private final HttpReporting obs;
    private final StatusEndpoints status;
    private final GracefulStop drain;

    /**
     * @param router the current routing; a supplier so a reload can swap it atomically
     * @param store the in-memory store, whose totals the status page shows
     * @param brokers the broker of each location: the in-memory one or a Redis (protocol.md §13)
     * @param obs metrics and access logs (README "Operating pushrelay")
     * @param drain the registry of parked long-polls that a graceful stop answers
     */
    public PushHandler(Supplier<Router> router, ChannelStore store, Function<LocationSettings, Broker> brokers,
                       HttpReporting obs, GracefulStop drain) {
        this.router = router;
        this.publisher = new PublisherEndpoint(brokers, obs.metrics());
        this.subscriber = new SubscriberEndpoint(brokers, store, obs.metrics(), drain);
        this.obs = obs;
        this.status = new StatusEndpoints(store, obs);
        this.drain = drain;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        Router routing = router.get();
        if (RequestChecks.isRefusedOnTheWire(exchange)) { // protocol.md §9
            if (routing.accessLogged()) RequestLog.refused(exchange, obs, routing);
            RequestChecks.refusedOnTheWire(exchange);
            return;
        }
        // A record per request only when something reads it: an access_log, or the publish
        // metrics (POST/PUT). A long-poll re-subscribe skips the attachment and listener.
        RequestLog log = routing.accessLogged() || isPublishMethod(exchange) ? RequestLog.begin(exchange, obs) : null;
        try {
            CloseGuard.track(exchange);
            if (drain.isDraining()) {
                exchange.setPersistent(false); // stopping: the client's next request goes elsewhere
                exchange.getResponseHeaders().put(io.undertow.util.Headers.CONNECTION, "close");
            }
            if (!RequestChecks.admit(exchange)) return; // protocol.md §9
            ExchangeRequestView request = new ExchangeRequestView(exchange);
            serve(exchange, routing, request, routing.route(request), log, new Redirects(request), false);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "request " + exchange.getRequestMethod() + " " + exchange.getRequestURI() + " failed", e);
            if (!exchange.isResponseStarted()) {
                exchange.getResponseHeaders().clear();
                Responses.errorPage(exchange, 500);
            } else {
                exchange.setPersistent(false);
                exchange.endExchange();
            }
        }
    }

    /**
     * nginx's phases after routing, for the first routing and again after each internal
     * redirect: return (rewrite phase) before allow/deny and auth_basic (access, §8.1,
     * §8.2, §8.10), then try_files, then the endpoint (§8.11).
     */
    private void serve(HttpServerExchange exchange, Router routing, ExchangeRequestView request, RouteMatch match,
                       RequestLog log, Redirects redirects, boolean internal) {
        useUri(exchange, match);
        if (log != null) log.routed(match);
        redirects.current(exchange, match);
        LocationSettings location = match.location();
        // protocol.md §8.5: keepalive_timeout 0 answers with Connection: close.
        if (location != null && location.keepaliveTimeoutSeconds() == 0) exchange.setPersistent(false);
        ErrorAnswer fail = (ex, status) -> errorPage(ex, routing, request, match, log, redirects, status);
        if (location != null && !internal && declaredTooLarge(exchange, location)) {
            // nginx's find-config phase: a declared body over the chosen location's
            // client_max_body_size is 413 before the location's return, access checks or
            // handler run, for every kind of location; the body is never read (protocol.md §3.1)
            exchange.setPersistent(false);
            fail.send(exchange, 413);
            return;
        }
        Return ret = match.response();
        if (ret != null) {
            if (ret.text() == null && ret.code() >= 400 && ret.code() != 444) {
                fail.send(exchange, ret.code());
            } else {
                LocationSettings at = location != null ? location : match.server().serverLevel();
                ReturnResponse.send(exchange, ret, location == null ? "text/plain" : location.defaultType(),
                        at == null ? RedirectSettings.DEFAULT : at.redirects());
            }
            return;
        }
        if (location == null) {
            fail.send(exchange, 404);
            return;
        }
        if (!AccessPhase.admit(exchange, location, match, request, fail)) return;
        TryOutcome tried = routing.tryFiles(match, request);
        if (tried != null) {
            if (tried.code() > 0) {
                fail.send(exchange, tried.code());
                return;
            }
            if (tried.redirected()) {
                serve(exchange, routing, request, tried.match(), log, redirects, true);
                return;
            }
            useUri(exchange, tried.match());
        }
        RouteMatch m = tried == null ? match : tried.match();
        switch (location.endpoint()) {
            case PUBLISHER -> publisher.handle(exchange, location, m.channelId());
            case SUBSCRIBER -> {
                Gzip.attach(exchange, location);
                subscriber.handle(exchange, location, m.channelId());
            }
            case METRICS -> status.metrics(exchange);
            case STATUS -> status.status(exchange);
            case NONE -> StaticFiles.handle(exchange, location, confDir(routing), fail);
        }
    }

    /** protocol.md §8.9, §8.11: a rewritten or redirected URI and args are what static files and $uri see. */
    private static void useUri(HttpServerExchange exchange, RouteMatch match) {
        if (match.uri() == null) return;
        exchange.setRequestPath(match.uri());
        exchange.setRelativePath(match.uri());
        exchange.setQueryString(match.args());
    }

    /**
     * nginx's ngx_http_send_error_page: the location's error_page for {@code status} (the
     * server level's when no location matched) redirects internally, to a named location
     * (method kept) or a URI (method GET, HEAD kept), or answers with a redirect to a URL;
     * without one, or when an error_page already ran, nginx's own answer.
     */
    private void errorPage(HttpServerExchange exchange, Router routing, ExchangeRequestView request, RouteMatch match,
                           RequestLog log, Redirects redirects, int status) {
        LocationSettings at = match.location() != null ? match.location() : match.server().serverLevel();
        ErrorPage page = at == null || redirects.errorPageDone() ? null : at.errorPages().get(status);
        if (page == null) {
            ErrorAnswer.plain(exchange, status);
            return;
        }
        if (page.redirect()) {
            redirects.errorPage(exchange, 0);
            String url = HeaderVariables.evaluate(page.target(), request, match);
            exchange.getResponseHeaders().put(io.undertow.util.Headers.LOCATION, url);
            Responses.errorPage(exchange, page.redirectStatus());
            return;
        }
        redirects.errorPage(exchange, page.override() < 0 ? status : page.override());
        if (!page.named() && !exchange.getRequestMethod().equals(io.undertow.util.Methods.HEAD)) {
            exchange.setRequestMethod(io.undertow.util.Methods.GET);
        }
        exchange.getResponseHeaders().remove(io.undertow.util.Headers.CONTENT_LENGTH);
        serve(exchange, routing, request, routing.errorPage(match, request, page), log, redirects, true);
    }

    private static boolean declaredTooLarge(HttpServerExchange exchange, LocationSettings location) {
        long max = location.clientMaxBodySize();
        return max > 0 && exchange.getRequestContentLength() > max;
    }

    private static boolean isPublishMethod(HttpServerExchange exchange) {
        var m = exchange.getRequestMethod();
        return m.equals(io.undertow.util.Methods.POST) || m.equals(io.undertow.util.Methods.PUT);
    }

    /** Relative root/alias resolve against the main configuration file's directory (§8.6). */
    private static Path confDir(Router routing) {
        Path parent = routing.settings().file().toAbsolutePath().getParent();
        return parent == null ? Path.of("").toAbsolutePath() : parent;
    }

    @Override
    public String toString() {
        return "PushHandler";
    }
}
