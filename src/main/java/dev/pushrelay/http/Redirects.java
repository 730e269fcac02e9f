package dev.pushrelay.http;

import dev.pushrelay.config.LocationSettings;
import dev.pushrelay.config.routing.RequestView;
import dev.pushrelay.config.routing.RouteMatch;
import io.undertow.server.HttpServerExchange;

/**
 * What one request carries across nginx's internal redirects (error_page, try_files;
 * protocol.md §8.11): the location that answers in the end (its add_header applies), the
 * status an error_page imposes on that answer, and whether an error_page already ran
 * (recursive_error_pages off: a second error gets nginx's own page). One commit listener
 * applies both when the response starts.
 */
final class Redirects {

    private final RequestView request;
    private LocationSettings location;
    private RouteMatch match;
    private int forcedStatus;
    private boolean errorPageDone;
    private boolean listening;

    Redirects(RequestView request) {
        this.request = request;
    }

    /** The routing now in effect; the listener is installed once something needs it. */
    void current(HttpServerExchange exchange, RouteMatch m) {
        match = m;
        location = m.location();
        if (location != null && !location.addHeaders().isEmpty()) listen(exchange);
    }

    boolean errorPageDone() {
        return errorPageDone;
    }

    /** An error_page runs: its answer gets {@code status} (0 = whatever the new handling answers). */
    void errorPage(HttpServerExchange exchange, int status) {
        errorPageDone = true;
        forcedStatus = status;
        if (status > 0) listen(exchange);
    }

    private void listen(HttpServerExchange exchange) {
        if (listening) return;
        listening = true;
        exchange.addResponseCommitListener(ex -> {
            if (forcedStatus > 0) {
                ex.setStatusCode(forcedStatus);
                ex.setReasonPhrase(Responses.reason(forcedStatus));
            }
            if (location != null) AddHeaders.apply(ex, location, match, request);
        });
    }
}
