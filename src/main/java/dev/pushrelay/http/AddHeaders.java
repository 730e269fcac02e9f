package dev.pushrelay.http;

import dev.pushrelay.config.AddHeader;
import dev.pushrelay.config.LocationSettings;
import dev.pushrelay.config.routing.HeaderVariables;
import dev.pushrelay.config.routing.RequestView;
import dev.pushrelay.config.routing.RouteMatch;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;


/**
 * nginx's {@code add_header} (protocol.md §8.3), applied when the response is committed, so
 * it reaches every answer of the location the same way: push responses, 304s, parked
 * long-polls answered later, static files, {@code return}. nginx's rule decides which
 * statuses get it (2xx/3xx listed in {@link AddHeader#appliesTo}, any with {@code always}).
 * Values are evaluated with the request's variables ({@code $host}, {@code $arg_id},
 * {@code set} variables); nginx adds rather than replaces, so an existing header of the
 * same name gets a second line.
 */
final class AddHeaders {

    private AddHeaders() {
    }

    static void install(HttpServerExchange exchange, LocationSettings location, RouteMatch match, RequestView request) {
        if (location.addHeaders().isEmpty()) return;
        exchange.addResponseCommitListener(ex -> apply(ex, location, match, request));
    }

    /** Adds the location's headers that apply to the response's status (from a commit listener). */
    static void apply(HttpServerExchange ex, LocationSettings location, RouteMatch match, RequestView request) {
        int status = ex.getStatusCode();
        for (AddHeader h : location.addHeaders()) {
            if (!h.appliesTo(status)) continue;
            String value = HeaderVariables.evaluate(h.value(), request, match);
            if (value.isEmpty()) continue; // nginx skips headers whose value evaluates to ""
            ex.getResponseHeaders().add(new HttpString(h.name()), value);
        }
    }
}
