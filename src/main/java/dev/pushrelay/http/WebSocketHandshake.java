package dev.pushrelay.http;

import dev.pushrelay.wire.StrictSourceConduit;
import io.undertow.server.HttpServerExchange;
import io.undertow.websockets.WebSocketProtocolHandshakeHandler;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.protocol.Handshake;
import io.undertow.websockets.core.protocol.version07.Hybi07Handshake;
import io.undertow.websockets.core.protocol.version08.Hybi08Handshake;
import io.undertow.websockets.core.protocol.version13.Hybi13Handshake;

import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The RFC 6455 handshake of subscribers and publishers alike (protocol.md §14.6, §14.9), with
 * Undertow's own implementation: versions 13, 8 and 7; a malformed handshake is
 * {@code 400 Bad WebSocket handshake}.
 */
final class WebSocketHandshake {

    private WebSocketHandshake() {
    }

    /** Answers 101 (or 400) and runs {@code connected} on the channel's IO thread after it. */
    static void upgrade(HttpServerExchange exchange, Set<String> subprotocols, Consumer<WebSocketChannel> connected) {
        List<Handshake> handshakes = List.of(new Hybi13Handshake(subprotocols, false),
                new Hybi08Handshake(subprotocols, false), new Hybi07Handshake(subprotocols, false));
        try {
            StrictSourceConduit wire = WireChecks.of(exchange);
            io.undertow.websockets.WebSocketConnectionCallback onConnect = (ex, ch) -> {
                if (wire != null) wire.upgraded(); // frames from here on, not HTTP requests (§9)
                connected.accept(ch);
            };
            new WebSocketProtocolHandshakeHandler(handshakes, onConnect,
                    (io.undertow.server.HttpHandler) bad -> Responses.text(bad, 400, "Bad WebSocket handshake\n"))
                    .handleRequest(exchange);
        } catch (Exception e) {
            throw new IllegalStateException("websocket handshake", e);
        }
    }
}
