package dev.pushrelay.http;

import dev.pushrelay.channel.Message;
import dev.pushrelay.channel.Refusal;
import dev.pushrelay.config.LocationSettings;
import dev.pushrelay.metrics.PushMetrics;
import dev.pushrelay.store.ChannelStore;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.SameThreadExecutor;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * One EventSource stream (protocol.md §14.2): a {@link ChannelFollower} whose messages are
 * written as events on a response that never ends until the stream does.
 */
final class EventSourceSubscriber implements ChannelFollower.Transport {

    static final HttpString LAST_EVENT_ID = new HttpString("Last-Event-ID");
    private static final HttpString X_ACCEL_BUFFERING = new HttpString("X-Accel-Buffering");
    private static final Runnable NOTHING = () -> { };
    /** What may wait for a client that does not read before it is cut off (§14.4). */
    static final long QUEUE_LIMIT_BYTES = 1024 * 1024;

    private final HttpServerExchange exchange;
    private final ChannelFollower follower;
    private final long pingSeconds;
    private final StreamSink sink;
    private final ChannelStore store;
    /** One channel: every stream sends the same event for a message (§14.3). */
    private final boolean single;

    private EventSourceSubscriber(HttpServerExchange exchange, LocationSettings location, ChannelStore store,
                                  List<String> keys, PushMetrics metrics, IoMailboxes mailboxes, GracefulStop drain) {
        this.exchange = exchange;
        this.follower = new ChannelFollower(this, store, keys, location, metrics, mailboxes.of(exchange.getIoThread()),
                drain);
        this.pingSeconds = location.streams().eventSourcePingSeconds();
        this.sink = new StreamSink(exchange, QUEUE_LIMIT_BYTES, this::gone);
        this.store = store;
        this.single = keys.size() == 1;
    }

    /** An EventSource request: its Accept names text/event-stream (§14.2). */
    static boolean wants(HttpServerExchange exchange) {
        for (String accept : exchange.getRequestHeaders().eachValue(Headers.ACCEPT)) {
            if (accept.regionMatches(true, 0, "text/event-stream", 0, 17)
                    || accept.toLowerCase(java.util.Locale.ROOT).contains("text/event-stream")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Opens the stream, or answers as a long-poll would when the first registration is
     * refused (403, 409, 500) or 400 when the cursor token is invalid; nothing is stored then.
     */
    static void start(HttpServerExchange exchange, LocationSettings location, ChannelStore store, List<String> keys,
                      PushMetrics metrics, IoMailboxes mailboxes, GracefulStop drain) {
        StreamCursor.Requested requested = StreamCursor.of(exchange, true, keys.size());
        if (requested.invalid() != null) {
            Responses.text(exchange, 400, "Invalid " + requested.invalid() + "\n");
            return;
        }
        // push_ignore_queue_on_no_cache counts only when the client names no position:
        // browsers send Cache-Control: no-cache on every EventSource request, a resume too.
        // nchan_subscriber_first_message newest likewise (§14.7).
        boolean ignoreQueue = !requested.given() && (location.streams().firstNewest()
                || location.ignoreQueueOnNoCache() && SubscriberEndpoint.disallowsCaching(exchange));
        EventSourceSubscriber s = new EventSourceSubscriber(exchange, location, store, keys, metrics, mailboxes, drain);
        Refusal refused = s.follower.begin(StreamCursor.starts(requested, location, store, keys),
                requested.given(),
                ignoreQueue, s::open);
        if (refused != null) Responses.refusal(exchange, refused);
    }

    /** Status line, headers and a first comment, so the client sees the stream open now. */
    private void open() {
        exchange.setStatusCode(200);
        var h = exchange.getResponseHeaders();
        h.put(Headers.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        h.put(Headers.CACHE_CONTROL, "no-cache");
        h.put(X_ACCEL_BUFFERING, "no"); // an nginx in front must pass events on at once
        exchange.dispatch(SameThreadExecutor.INSTANCE, NOTHING);
        DisconnectWatch.watch(exchange, this::gone);
        follower.pingEvery(exchange.getIoThread(), pingSeconds, this::ping);
        sink.direct(); // each event one chunk built once per message (§14.3), one write per stream
        sink.write(ByteBuffer.wrap(EventSourceFrames.PING));
    }

    @Override
    public boolean send(Message m, String id, String key) {
        boolean written;
        if (single && sink.chunked()) {
            written = sink.writeChunk(follower.view(StreamFrames.of(m).eventSourceChunk(store, key)));
        } else {
            written = sink.write(single ? StreamFrames.of(m).eventSource(store, key)
                    : EventSourceFrames.message(m, id, m.eventName()));
        }
        if (written) return true;
        slow();
        return false;
    }

    /** Says the client missed messages no longer stored (§14.5). */
    @Override
    public void gap(String missed) {
        sink.write(EventSourceFrames.notice("pushrelay-gap", missed));
    }

    /** Once admitted, a channel that is no longer there was deleted. */
    @Override
    public void ended(Refusal why) {
        close(why == Refusal.NO_SUCH_CHANNEL ? "channel deleted" : ChannelFollower.reason(why));
    }

    /** A graceful stop: end the stream with a close event (§14.2). */
    @Override
    public void stopping() {
        close("server stopping");
    }

    /** Ends the stream with an event that says why (§14.2); IO thread. */
    private void close(String why) {
        if (!follower.close()) return;
        DisconnectWatch.clear(exchange);
        sink.write(EventSourceFrames.notice("pushrelay-close", why));
        sink.end();
    }

    /** The queue for a client that does not read is full: cut it off (§14.4); IO thread. */
    private void slow() {
        if (!follower.close()) return;
        DisconnectWatch.clear(exchange);
        sink.abort();
    }

    /** The client went away. @return false if the stream had already ended */
    private boolean gone() {
        if (!follower.close()) return false;
        RequestLog.clientGone(exchange);
        return true;
    }

    private void ping() {
        if (!sink.write(ByteBuffer.wrap(EventSourceFrames.PING))) slow();
    }
}
