package dev.pushrelay.http;

import dev.pushrelay.config.Endpoint;
import dev.pushrelay.config.LocationSettings;
import dev.pushrelay.config.routing.RouteMatch;
import dev.pushrelay.logging.AccessLog;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Methods;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sees every request once, when its exchange completes: writes its access_log lines and
 * reports publish outcomes and latency. A parked long-poll completes when its wait ends,
 * so it is logged once, with its outcome: 200, 304 (timeout), 409, 410, or nginx's 499
 * when the client went away ({@link #clientGone}).
 */
final class RequestLog implements ExchangeCompletionListener {

    private static final Logger LOG = Logger.getLogger(RequestLog.class.getName());
    private static final AttachmentKey<RequestLog> KEY = AttachmentKey.create(RequestLog.class);
    /** nginx's "client closed request". */
    static final int CLIENT_CLOSED = 499;

    private final HttpReporting obs;
    private final long startNanos;
    private volatile RouteMatch match;
    private volatile boolean gone;

    private RequestLog(HttpReporting obs, long startNanos) {
        this.obs = obs;
        this.startNanos = startNanos;
    }

    /** Call first thing for every request. */
    static RequestLog begin(HttpServerExchange exchange, HttpReporting obs) {
        RequestLog r = new RequestLog(obs, System.nanoTime());
        exchange.putAttachment(KEY, r);
        exchange.addExchangeCompleteListener(r);
        return r;
    }

    /**
     * A request refused while it was read (protocol.md §9) is logged as nginx logs it: in the
     * access_log of the server level of the server its address and Host select.
     */
    static void refused(HttpServerExchange exchange, HttpReporting obs, dev.pushrelay.config.routing.Router routing) {
        RouteMatch m = routing.route(new ExchangeRequestView(exchange));
        begin(exchange, obs).routed(new RouteMatch(m.server(), null, java.util.Map.of()));
    }

    void routed(RouteMatch m) {
        this.match = m;
    }

    /** The client closed the connection before its answer: log 499. */
    static void clientGone(HttpServerExchange exchange) {
        RequestLog r = exchange.getAttachment(KEY);
        if (r != null) r.gone = true;
    }

    @Override
    public void exchangeEvent(HttpServerExchange exchange, NextListener next) {
        try {
            int status = gone ? CLIENT_CLOSED : exchange.getStatusCode();
            long nanos = System.nanoTime() - startNanos;
            RouteMatch m = match;
            LocationSettings location = m == null ? null : m.location() != null ? m.location() : m.server().serverLevel();
            if (location != null && m.location() != null && location.endpoint() == Endpoint.PUBLISHER
                    && (exchange.getRequestMethod().equals(Methods.POST) || exchange.getRequestMethod().equals(Methods.PUT))) {
                obs.metrics().publishAnswered(status, nanos);
            }
            if (location != null && obs.logs() != null) {
                write(exchange, location.accessLogs(), status, nanos, m);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "access log failed", e);
        } finally {
            next.proceed();
        }
    }

    private void write(HttpServerExchange exchange, List<AccessLog> logs, int status, long nanos, RouteMatch m) {
        if (logs.isEmpty()) return;
        ExchangeLogVariables vars = new ExchangeLogVariables(exchange, status, nanos, obs.clock().instant(), obs.zone(), m);
        for (AccessLog log : logs) {
            String line = log.format().render(vars) + "\n";
            // header values are bytes read as ISO-8859-1; escaping keeps lines ASCII by default
            obs.logs().write(log.file(), line.getBytes(StandardCharsets.ISO_8859_1));
        }
    }
}
