package dev.pushrelay.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import io.undertow.util.AttachmentKey;

/**
 * Lets a connection that closes in the middle of an exchange (a long-poll whose client went
 * away, a publisher that vanished mid-body, a body timeout) be freed at once (protocol.md §9).
 *
 * <p>Undertow 2.3 ends the current exchange after the connection's close listeners ran; if
 * the exchange still counts as persistent it prepares the connection for its next request and
 * re-arms the idle timer (NO_REQUEST_TIMEOUT, 75 s) on the closed connection, which then keeps
 * the whole connection reachable from the IO thread's timer queue until the timer fires:
 * about 2 KB per disconnect, hundreds of megabytes under reconnect churn. Marking that exchange
 * not persistent when the connection closes avoids it. One guard per connection, so a
 * keep-alive connection serving many requests registers one close listener.
 */
final class CloseGuard implements ServerConnection.CloseListener {

    private static final AttachmentKey<CloseGuard> KEY = AttachmentKey.create(CloseGuard.class);

    private volatile HttpServerExchange current;

    private CloseGuard() {
    }

    /** Remembers {@code exchange} as its connection's current one. */
    static void track(HttpServerExchange exchange) {
        ServerConnection connection = exchange.getConnection();
        CloseGuard guard = connection.getAttachment(KEY);
        if (guard == null) {
            guard = new CloseGuard();
            connection.putAttachment(KEY, guard);
            connection.addCloseListener(guard);
        }
        guard.current = exchange;
    }

    /**
     * Forgets {@code exchange}, which is complete and was its connection's last (a WebSocket's
     * 101, protocol.md §14.6): the connection lives on as a stream, and this guard was the one
     * path by which it kept the whole exchange, headers and all, reachable (BENCHMARKS.md).
     */
    static void forget(HttpServerExchange exchange) {
        CloseGuard guard = exchange.getConnection().getAttachment(KEY);
        if (guard != null && guard.current == exchange) guard.current = null;
    }

    @Override
    public void closed(ServerConnection connection) {
        HttpServerExchange exchange = current;
        current = null;
        if (exchange != null && !exchange.isComplete()) exchange.setPersistent(false);
    }
}
