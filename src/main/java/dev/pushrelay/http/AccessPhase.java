package dev.pushrelay.http;

import dev.pushrelay.config.AccessDecision;
import dev.pushrelay.config.AccessPolicy;
import dev.pushrelay.config.LocationSettings;
import dev.pushrelay.config.routing.HeaderVariables;
import dev.pushrelay.config.routing.RequestView;
import dev.pushrelay.config.routing.RouteMatch;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

import java.util.logging.Logger;

/**
 * nginx's access phase on the wire (protocol.md §8.10): allow/deny, auth_basic, satisfy and
 * limit_except decide (in config); a refusal gets nginx's page — 401 with
 * {@code WWW-Authenticate: Basic realm="..."} and the title "401 Authorization Required",
 * 403, or 500 for an unreadable user file — and nginx's error-log line. A refused request
 * never reaches its endpoint: nothing is read, published, created or counted.
 */
final class AccessPhase {

    private static final Logger LOG = Logger.getLogger(AccessPhase.class.getName());

    private AccessPhase() {
    }

    /** False (and the answer sent) when the request is refused. */
    static boolean admit(HttpServerExchange exchange, LocationSettings location, RouteMatch match, RequestView request,
                         ErrorAnswer fail) {
        AccessPolicy policy = location.accessPolicy();
        if (policy.open()) return true;
        String method = exchange.getRequestMethod().toString();
        AccessDecision d = policy.decide(method, request.remoteAddr(), request.header("Authorization"));
        if (d.allowed()) return true;
        if (d.log() != null) {
            LOG.severe(d.log() + ", client: " + request.remoteAddr() + ", request: \"" + method + " "
                    + request.requestUri() + " " + request.protocol() + "\"");
        }
        if (d.status() == 401) {
            String realm = HeaderVariables.evaluate(d.realm(), request, match);
            exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Basic realm=\"" + realm + "\"");
        }
        fail.send(exchange, d.status());
        return false;
    }
}
