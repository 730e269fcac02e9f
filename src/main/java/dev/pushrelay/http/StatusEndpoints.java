package dev.pushrelay.http;

import dev.pushrelay.metrics.StatusPage;
import dev.pushrelay.store.ChannelStore;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Deque;

/**
 * The pushrelay_metrics and pushrelay_status locations (protocol.md §11): GET or HEAD,
 * anything else is 405. They go through {@link PushHandler}'s routing, so allow/deny and
 * everything else a location carries applies to them as to any location.
 */
final class StatusEndpoints {

    static final String METHODS = "GET, HEAD";
    static final String PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final ChannelStore store;
    private final HttpReporting obs;
    private final Instant started;

    StatusEndpoints(ChannelStore store, HttpReporting obs) {
        this.store = store;
        this.obs = obs;
        this.started = obs.clock().instant();
    }

    /** Every meter in Prometheus text format; scraped on a worker thread, never an IO thread. */
    void metrics(HttpServerExchange exchange) {
        if (!readOnly(exchange)) return;
        exchange.dispatch(() -> send(exchange, PROMETHEUS_TYPE, obs.prometheus().get()));
    }

    /** Totals as text, or JSON when Accept asks for json or the query says format=json. */
    void status(HttpServerExchange exchange) {
        if (!readOnly(exchange)) return;
        long uptime = Math.max(0, obs.clock().instant().getEpochSecond() - started.getEpochSecond());
        var totals = obs.metrics().totals();
        var stats = store.stats();
        if (wantsJson(exchange)) {
            send(exchange, "application/json", StatusPage.json(totals, stats, uptime, obs.version()));
        } else {
            send(exchange, "text/plain", StatusPage.text(totals, stats, uptime, obs.version()));
        }
    }

    private static boolean wantsJson(HttpServerExchange exchange) {
        Deque<String> format = exchange.getQueryParameters().get("format");
        if (format != null && format.contains("json")) return true;
        String accept = exchange.getRequestHeaders().getFirst(Headers.ACCEPT);
        return accept != null && (accept.contains("application/json") || accept.contains("text/json"));
    }

    private static boolean readOnly(HttpServerExchange exchange) {
        var m = exchange.getRequestMethod();
        if (m.equals(Methods.GET) || m.equals(Methods.HEAD)) return true;
        Responses.notAllowed(exchange, METHODS);
        return false;
    }

    private static void send(HttpServerExchange exchange, String type, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.setStatusCode(200);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, type);
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-cache");
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, bytes.length);
        if (exchange.getRequestMethod().equals(Methods.HEAD)) {
            exchange.endExchange();
        } else {
            exchange.getResponseSender().send(ByteBuffer.wrap(bytes));
        }
    }
}
