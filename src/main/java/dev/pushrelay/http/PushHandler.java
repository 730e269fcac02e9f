package dev.pushrelay.http;

import dev.pushrelay.config.LocationSettings;
import dev.pushrelay.config.RouteMatch;
import dev.pushrelay.config.Router;
import dev.pushrelay.store.ChannelStore;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;

import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The root handler: routes each request to its server and location as nginx would, then
 * to the publisher or subscriber endpoint. Never lets a client's request kill the server:
 * an unexpected exception becomes a 500 and a log line.
 */
public final class PushHandler implements HttpHandler {

    private static final Logger LOG = Logger.getLogger(PushHandler.class.getName());

    private final Supplier<Router> router;
    private final PublisherHandler publisher;
    private final SubscriberHandler subscriber;

    /** @param router the current routing; a supplier so a reload can swap it atomically */
    public PushHandler(Supplier<Router> router, ChannelStore store) {
        this.router = router;
        this.publisher = new PublisherHandler(store);
        this.subscriber = new SubscriberHandler(store);
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        try {
            CloseGuard.track(exchange);
            if (!RequestChecks.admit(exchange)) return; // protocol.md §8
            RouteMatch match = router.get().route(new ExchangeRequestView(exchange));
            LocationSettings location = match.location();
            if (location == null) {
                Responses.errorPage(exchange, 404);
                return;
            }
            switch (location.endpoint()) {
                case PUBLISHER -> publisher.handle(exchange, location, match.channelId());
                case SUBSCRIBER -> subscriber.handle(exchange, location, match.channelId());
                case NONE -> Responses.errorPage(exchange, 404);
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

    @Override
    public String toString() {
        return "PushHandler";
    }
}
