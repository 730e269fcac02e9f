package dev.pushrelay.http;

import dev.pushrelay.websocket.PerMessageDeflate;
import dev.pushrelay.wire.StrictSourceConduit;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.HttpUpgradeListener;
import io.undertow.util.Headers;
import io.undertow.websockets.WebSocketProtocolHandshakeHandler;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.protocol.Handshake;
import io.undertow.websockets.core.protocol.version07.Hybi07Handshake;
import io.undertow.websockets.core.protocol.version08.Hybi08Handshake;
import io.undertow.websockets.core.protocol.version13.Hybi13Handshake;
import io.undertow.websockets.extensions.PerMessageDeflateHandshake;
import org.xnio.StreamConnection;

import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The RFC 6455 handshake of subscribers and publishers alike (protocol.md §14.6, §14.9), with
 * Undertow's own implementation: versions 13, 8 and 7; a malformed handshake is
 * {@code 400 Bad WebSocket handshake}. A subscriber's socket is ours after the 101 (frames
 * built once per message, §14.6, §14.10); a publisher's stays Undertow's.
 */
final class WebSocketHandshake {

    /** A subscriber socket after the 101: the raw connection and what was agreed. */
    record Upgraded(StreamConnection connection, String subprotocol, PerMessageDeflate.Agreement deflate) {
    }

    private WebSocketHandshake() {
    }

    /**
     * Answers 101 (or 400) and runs {@code connected} on the connection's IO thread after it, with
     * the connection itself: permessage-deflate is agreed here when the client offers it
     * acceptably (§14.10), and the frames are the caller's.
     */
    static void upgradeSubscriber(HttpServerExchange exchange, Set<String> subprotocols, Consumer<Upgraded> connected) {
        PerMessageDeflate.Agreement deflate = PerMessageDeflate.negotiate(
                exchange.getRequestHeaders().get(Headers.SEC_WEB_SOCKET_EXTENSIONS));
        StrictSourceConduit wire = WireChecks.of(exchange);
        HttpUpgradeListener onUpgrade = (connection, ex) -> {
            if (wire != null) wire.upgraded(); // frames from here on, not HTTP requests (§9)
            CloseGuard.forget(ex); // the stream keeps no header of its 101
            connected.accept(new Upgraded(connection,
                    ex.getResponseHeaders().getFirst(Headers.SEC_WEB_SOCKET_PROTOCOL), deflate));
        };
        List<Handshake> handshakes = List.of(new Hybi13Handshake(subprotocols, false),
                new Hybi08Handshake(subprotocols, false), new Hybi07Handshake(subprotocols, false));
        // Undertow's handshake adds no extension of its own (none is registered), so ours stays
        if (deflate != null) exchange.getResponseHeaders().put(Headers.SEC_WEB_SOCKET_EXTENSIONS, deflate.response());
        run(exchange, new WebSocketProtocolHandshakeHandler(handshakes, onUpgrade, WebSocketHandshake::bad));
    }

    /**
     * Answers 101 (or 400) and runs {@code connected} on the channel's IO thread after it.
     * permessage-deflate is Undertow's here: a publisher's messages are inflated (with or
     * without the client's context takeover) and its few answers compressed per connection.
     */
    static void upgrade(HttpServerExchange exchange, Set<String> subprotocols, Consumer<WebSocketChannel> connected) {
        List<Handshake> handshakes = List.of(new Hybi13Handshake(subprotocols, true),
                new Hybi08Handshake(subprotocols, false), new Hybi07Handshake(subprotocols, false));
        StrictSourceConduit wire = WireChecks.of(exchange);
        io.undertow.websockets.WebSocketConnectionCallback onConnect = (ex, ch) -> {
            if (wire != null) wire.upgraded(); // frames from here on, not HTTP requests (§9)
            connected.accept(ch);
        };
        run(exchange, new WebSocketProtocolHandshakeHandler(handshakes, onConnect, WebSocketHandshake::bad)
                .addExtension(new PerMessageDeflateHandshake(false, 6)));
    }

    private static void bad(HttpServerExchange bad) {
        bad.getResponseHeaders().remove(Headers.SEC_WEB_SOCKET_EXTENSIONS);
        Responses.text(bad, 400, "Bad WebSocket handshake\n");
    }

    private static void run(HttpServerExchange exchange, WebSocketProtocolHandshakeHandler handler) {
        try {
            handler.handleRequest(exchange);
        } catch (Exception e) {
            throw new IllegalStateException("websocket handshake", e);
        }
    }
}
