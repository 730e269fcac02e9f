package dev.pushrelay.http;

import dev.pushrelay.channel.Cursor;
import dev.pushrelay.channel.Message;
import dev.pushrelay.channel.Refusal;
import dev.pushrelay.config.LocationSettings;
import dev.pushrelay.metrics.PushMetrics;
import dev.pushrelay.store.ChannelStore;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import dev.pushrelay.websocket.SubscriberSocket;
import dev.pushrelay.websocket.WsFrames;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * One WebSocket subscriber (protocol.md §14.6): a {@link ChannelFollower}, each message one frame
 * whose header and payload are built once per message and shared by every socket ({@link
 * StreamFrames}, §14.10 for the compressed form). Unsent bytes are counted; a client that does
 * not read is closed past {@link EventSourceSubscriber#QUEUE_LIMIT_BYTES}.
 */
final class WebSocketSubscriber implements ChannelFollower.Transport {

    /** nchan's subprotocol: each frame starts with the message's id and type (§14.6). */
    static final String META = "ws+meta.nchan";
    static final int GOING_AWAY = 1001;
    static final int TOO_SLOW = 1008;
    static final int INTERNAL = 1011;
    static final int FORBIDDEN = 4403;
    static final int CONFLICT = 4409;
    static final int GONE = 4410;

    private final LocationSettings location;
    private final ChannelStore store;
    /** One channel: every stream sends the same frame for a message (§14.3). */
    private final boolean single;
    private final ChannelFollower follower;
    private final Cursor[] start;
    private final boolean given;
    private final boolean ignoreQueue;
    /** The socket after the 101; IO thread. */
    private SubscriberSocket socket;
    private boolean meta;

    private WebSocketSubscriber(ChannelStore store, List<String> keys, LocationSettings location, PushMetrics metrics,
                                IoMailboxes.Mailbox io, GracefulStop drain, Cursor[] start, boolean given, boolean ignoreQueue) {
        this.location = location;
        this.store = store;
        this.single = keys.size() == 1;
        this.follower = new ChannelFollower(this, store, keys, location, metrics, io, drain);
        this.start = start;
        this.given = given;
        this.ignoreQueue = ignoreQueue;
    }

    /** A WebSocket upgrade request: {@code Upgrade: websocket} (any case). */
    static boolean wants(HttpServerExchange exchange) {
        String up = exchange.getRequestHeaders().getFirst(Headers.UPGRADE);
        return up != null && up.equalsIgnoreCase("websocket");
    }

    /**
     * Checks the cursor token (400 when invalid), then the handshake (400 when malformed);
     * the store is not touched before both are good.
     */
    static void start(HttpServerExchange exchange, LocationSettings location, ChannelStore store, List<String> keys,
                      PushMetrics metrics, IoMailboxes mailboxes, GracefulStop drain) {
        StreamCursor.Requested requested = StreamCursor.of(exchange, true, keys.size());
        if (requested.invalid() != null) {
            Responses.text(exchange, 400, "Invalid " + requested.invalid() + "\n");
            return;
        }
        WebSocketSubscriber s = new WebSocketSubscriber(store, keys, location, metrics,
                mailboxes.of(exchange.getIoThread()), drain,
                StreamCursor.starts(requested, location, store, keys), requested.given(),
                !requested.given() && (location.streams().firstNewest() // §14.7
                        || location.ignoreQueueOnNoCache() && SubscriberEndpoint.disallowsCaching(exchange)));
        WebSocketHandshake.upgradeSubscriber(exchange, Set.of(META), s::connected);
    }

    /** After the 101: the first registration, on the connection's IO thread. */
    private void connected(WebSocketHandshake.Upgraded up) {
        this.meta = META.equals(up.subprotocol());
        this.socket = new SubscriberSocket(up.connection(), up.deflate(), EventSourceSubscriber.QUEUE_LIMIT_BYTES,
                follower::close);
        socket.start();
        follower.pingEvery(up.connection().getIoThread(), location.streams().webSocketPingSeconds(), socket::ping);
        Refusal refused = follower.begin(start, given, ignoreQueue, () -> { });
        if (refused != null) ended(refused);
    }

    /** Only with the meta subprotocol can a frame say it is not a message (§14.6). */
    @Override
    public void gap(String missed) {
        if (meta) frame(StreamFrames.webSocketOwn(WsFrames.TEXT, ByteBuffer.wrap(("event: pushrelay-gap\nid: " + missed
                + "\n\n").getBytes(StandardCharsets.US_ASCII)), socket.deflate()));
    }

    /** @return false when the client is too slow and was closed */
    @Override
    public boolean send(Message m, String id, String key) {
        String type = m.contentType() == null ? location.defaultType() : m.contentType();
        StreamFrames frames = StreamFrames.of(m);
        if (!meta) {
            ByteBuffer whole = frames.webSocketWhole(type, socket.deflate());
            if (whole != null) { // nearly every socket: one shared buffer, no lock, and a view not made per socket
                return socket.sendWhole(follower.view(whole)) || tooSlow();
            }
        }
        if (!meta || single) return frame(frames.webSocket(type, meta, socket.deflate(), store, key));
        int opcode = frames.webSocketText(type) ? WsFrames.TEXT : WsFrames.BINARY;
        return frame(StreamFrames.webSocketOwn(opcode, StreamFrames.meta(m, id, type), socket.deflate()));
    }

    /** One gathering write of the shared header and payload; past the queue's bound, close 1008 (§14.4). */
    private boolean frame(StreamFrames.WsFrame f) {
        return frame(f.header(), f.payload());
    }

    private boolean frame(ByteBuffer header, ByteBuffer payload) {
        return socket.send(header, payload) || tooSlow();
    }

    /** Past the queue's bound: close 1008 (§14.4). @return false, the stream stops */
    private boolean tooSlow() {
        close(TOO_SLOW, "too slow: " + socket.unsent() + " bytes unsent");
        return false;
    }

    @Override
    public void ended(Refusal why) {
        close(code(why), ChannelFollower.reason(why));
    }

    /** A graceful stop: close 1001. */
    @Override
    public void stopping() {
        close(GOING_AWAY, "server stopping");
    }

    private static int code(Refusal why) {
        return switch (why) {
            case GONE -> GONE;
            case CONFLICT -> CONFLICT;
            case NO_SUCH_CHANNEL, TOO_MANY_SUBSCRIBERS -> FORBIDDEN;
            case OUT_OF_MEMORY -> INTERNAL;
        };
    }

    private void close(int code, String why) {
        if (follower.close()) socket.close(code, why);
    }
}
