package dev.pushrelay.http;

import dev.pushrelay.channel.MessageDraft;
import dev.pushrelay.channel.PublishResult;
import dev.pushrelay.config.LocationSettings;
import dev.pushrelay.metrics.PushMetrics;
import dev.pushrelay.store.Broker;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedBinaryMessage;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import org.xnio.Pooled;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * A publisher over WebSocket (protocol.md §14.9), as nchan's: each text or binary message the
 * client sends is published to the channel, in order, like a POST; each publish is answered
 * with a text frame holding the channel info a POST would get, in the format the upgrade
 * request's {@code Accept} asks for. A text message takes the upgrade request's
 * {@code Content-Type}; a binary one is {@code application/octet-stream}, as nchan's.
 */
final class WebSocketPublisher extends AbstractReceiveListener {

    static final String BINARY_TYPE = "application/octet-stream";
    static final int INTERNAL = 1011;

    private final LocationSettings location;
    private final Broker broker;
    private final String key;
    private final PushMetrics metrics;
    private final String textType;
    private final String eventName;
    private final ChannelInfoFormat.Choice format;
    private final long maxBytes;

    private WebSocketPublisher(HttpServerExchange exchange, LocationSettings location, Broker broker, String key,
                               PushMetrics metrics) {
        this.location = location;
        this.broker = broker;
        this.key = key;
        this.metrics = metrics;
        String type = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        this.textType = type == null || type.isEmpty() ? null : type;
        this.eventName = EventSourceFrames.eventName(exchange);
        this.format = ChannelInfoFormat.negotiate(exchange.getRequestHeaders().getFirst(Headers.ACCEPT));
        // client_max_body_size bounds a message as it bounds a POST body (0: no limit), and
        // nothing the memory budget cannot hold is buffered (§3.1, §6.3)
        long max = location.clientMaxBodySize() > 0 ? location.clientMaxBodySize() : Long.MAX_VALUE;
        this.maxBytes = Math.min(max, Math.max(1, broker.budget() - 1));
    }

    /** The handshake (400 when malformed), then publishes what the client sends. */
    static void start(HttpServerExchange exchange, LocationSettings location, Broker broker, String key,
                      PushMetrics metrics) {
        WebSocketPublisher p = new WebSocketPublisher(exchange, location, broker, key, metrics);
        WebSocketHandshake.upgrade(exchange, Set.of(), ch -> {
            ch.getReceiveSetter().set(p);
            ch.resumeReceives();
        });
    }

    /** Past this Undertow closes 1009 and nothing is published (§14.9). */
    @Override
    protected long getMaxTextBufferSize() {
        return maxBytes;
    }

    @Override
    protected long getMaxBinaryBufferSize() {
        return maxBytes;
    }

    @Override
    protected void onFullTextMessage(WebSocketChannel ch, BufferedTextMessage message) {
        publish(ch, message.getData().getBytes(StandardCharsets.UTF_8), textType);
    }

    @Override
    protected void onFullBinaryMessage(WebSocketChannel ch, BufferedBinaryMessage message) {
        Pooled<ByteBuffer[]> data = message.getData();
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (ByteBuffer b : data.getResource()) {
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                out.writeBytes(chunk);
            }
            publish(ch, out.toByteArray(), BINARY_TYPE);
        } finally {
            data.free();
        }
    }

    private void publish(WebSocketChannel ch, byte[] body, String type) {
        broker.publish(key, new MessageDraft(body, type, eventName), location.buffer()).whenComplete((r, e) -> {
            if (e != null || r instanceof PublishResult.Rejected) {
                // what a POST gets as 500 (§6.3), or 503 when Redis is unreachable (§13): nchan's close
                WebSockets.sendClose(INTERNAL, e != null ? "503 Service Unavailable" : "500 Internal Server Error",
                        ch, null);
            } else if (r instanceof PublishResult.Published p) {
                metrics.published();
                WebSockets.sendText(format.format().render(p.info()), ch, null);
            }
        });
    }
}
