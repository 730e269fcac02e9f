package dev.pushrelay.http;

import dev.pushrelay.config.LocationSettings;
import dev.pushrelay.config.RouteMatch;
import dev.pushrelay.config.Router;
import dev.pushrelay.store.ChannelStore;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;

import java.nio.file.Path;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The root handler: routes each request to its server and location as nginx would, applies
 * the location's nginx directives (return, allow/deny, add_header, keepalive_timeout, gzip;
 * protocol.md §8), then hands it to the publisher or subscriber endpoint, or to the static
 * files of root/alias. Never lets a client's request kill the server:
 * an unexpected exception becomes a 500 and a log line.
 */
public final class PushHandler implements HttpHandler {

    private static final Logger LOG = Logger.getLogger(PushHandler.class.getName());

    private final Supplier<Router> router;
    private final PublisherHandler publisher;
    private final SubscriberHandler subscriber;
    private final Observability obs;
    private final OperationsEndpoints operations;
    private final Drain drain;

    /** @param router the current routing; a supplier so a reload can swap it atomically */
    public PushHandler(Supplier<Router> router, ChannelStore store) {
        this(router, store, Observability.none(java.time.Clock.systemUTC()), new Drain(store::waiting));
    }

    /**
     * @param obs metrics and access logs (README "Operating pushrelay")
     * @param drain the registry of parked long-polls that a graceful stop answers
     */
    public PushHandler(Supplier<Router> router, ChannelStore store, Observability obs, Drain drain) {
        this.router = router;
        this.publisher = new PublisherHandler(store, obs.metrics());
        this.subscriber = new SubscriberHandler(store, obs.metrics(), drain);
        this.obs = obs;
        this.operations = new OperationsEndpoints(store, obs);
        this.drain = drain;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (RequestChecks.refusedOnTheWire(exchange)) return; // protocol.md §9
        Router routing = router.get();
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
            RouteMatch match = routing.route(request);
            if (log != null) log.routed(match);
            LocationSettings location = match.location();
            if (location != null) {
                // protocol.md §8.5: keepalive_timeout 0 answers with Connection: close.
                if (location.keepaliveTimeoutSeconds() == 0) exchange.setPersistent(false);
                AddHeaders.install(exchange, location, match, request);
            }
            // nginx's phases: return (rewrite) runs before allow/deny (access), §8.1, §8.2.
            if (match.response() != null) {
                ReturnResponse.send(exchange, match.response(), location == null ? "text/plain" : location.defaultType());
                return;
            }
            if (location == null) {
                Responses.errorPage(exchange, 404);
                return;
            }
            // §8.1: a denied client is refused before the endpoint sees anything.
            if (!location.access().allowsAll() && !location.access().allows(request.remoteAddr())) {
                Responses.errorPage(exchange, 403);
                return;
            }
            switch (location.endpoint()) {
                case PUBLISHER -> publisher.handle(exchange, location, match.channelId());
                case SUBSCRIBER -> {
                    Gzip.attach(exchange, location);
                    subscriber.handle(exchange, location, match.channelId());
                }
                case METRICS -> operations.metrics(exchange);
                case STATUS -> operations.status(exchange);
                case NONE -> StaticFiles.handle(exchange, location, confDir(routing));
            }
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
