package dev.pushrelay.http;

import dev.pushrelay.channel.Cursor;
import dev.pushrelay.channel.Fetch;
import dev.pushrelay.channel.Message;
import dev.pushrelay.channel.Refusal;
import dev.pushrelay.config.LocationSettings;
import dev.pushrelay.config.PollMode;
import dev.pushrelay.metrics.PushMetrics;
import dev.pushrelay.store.Broker;
import dev.pushrelay.store.ChannelStore;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.SameThreadExecutor;
import org.xnio.XnioExecutor;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A long-poll or interval-poll of several channels (protocol.md §14.8): one message per
 * answer, the oldest any of the channels holds after the client's cursor, with nchan's
 * headers: {@code Last-Modified} the compound token's second, {@code Etag} its tags. A
 * long-poll is a {@link ChannelFollower} that answers its first message and stops; it
 * waits in every channel at once, costing memory, never a thread.
 */
final class MultiplexedPoll implements ChannelFollower.Transport {

    private static final Runnable NOTHING = () -> { };

    private final HttpServerExchange exchange;
    private final LocationSettings location;
    private final Broker broker;
    private final ChannelFollower follower;
    private boolean answered;
    private XnioExecutor.Key timer;

    private MultiplexedPoll(HttpServerExchange exchange, LocationSettings location, Broker broker, ChannelStore store,
                            List<String> keys, PushMetrics metrics, IoMailboxes mailboxes, GracefulStop drain) {
        this.exchange = exchange;
        this.location = location;
        this.broker = broker;
        this.follower = new ChannelFollower(this, store, keys, location, metrics, mailboxes.of(exchange.getIoThread()),
                drain);
    }

    /** Reads the cursor (400 when invalid, nothing stored then) and polls. */
    static void start(HttpServerExchange exchange, LocationSettings location, Broker broker, ChannelStore store,
                      List<String> keys, PushMetrics metrics, IoMailboxes mailboxes, GracefulStop drain) {
        StreamCursor.Requested requested = StreamCursor.of(exchange, false, keys.size());
        if (requested.invalid() != null) {
            Responses.text(exchange, 400, "Invalid " + requested.invalid() + "\n");
            return;
        }
        if (location.pollMode() == PollMode.INTERVAL_POLL) {
            intervalPoll(exchange, location, broker, store, keys, metrics, requested.cursors());
            return;
        }
        boolean ignoreQueue = location.ignoreQueueOnNoCache() && SubscriberEndpoint.disallowsCaching(exchange)
                || location.streams().firstNewest() && !requested.given(); // as a single long-poll, §4.7, §14.7
        MultiplexedPoll p = new MultiplexedPoll(exchange, location, broker, store, keys, metrics, mailboxes, drain);
        Refusal refused = p.follower.begin(StreamCursor.starts(requested, location, store, keys),
                requested.given(), ignoreQueue, NOTHING);
        if (refused != null) {
            Responses.refusal(exchange, refused);
        } else if (!p.answered) {
            p.park();
        }
    }

    /** §4.5 for several channels: never waits; nothing new is 304 echoing If-None-Match. */
    private static void intervalPoll(HttpServerExchange exchange, LocationSettings location, Broker broker,
                                     ChannelStore store, List<String> keys, PushMetrics metrics, Cursor[] cursors) {
        int best = -1;
        Message found = null;
        for (int i = 0; i < keys.size(); i++) {
            Fetch f = store.poll(keys.get(i), cursors[i], location.subscribe().channelTimeoutSeconds());
            if (f instanceof Fetch.Refused refused) {
                Responses.refusal(exchange, refused.why());
                return;
            }
            if (f instanceof Fetch.Found hit && (found == null || found.id().isAfter(hit.message().id()))) {
                found = hit.message();
                best = i;
            }
        }
        if (found == null) {
            String etag = exchange.getRequestHeaders().getFirst(Headers.IF_NONE_MATCH);
            if (etag != null) exchange.getResponseHeaders().put(Responses.ETAG, etag);
            Responses.notModified(exchange);
            return;
        }
        cursors[best] = found.id();
        metrics.delivered();
        answer(exchange, found, broker, keys.get(best), CompoundIds.format(cursors, best));
    }

    /** The message with the compound token split into nchan's two headers. */
    private static void answer(HttpServerExchange exchange, Message m, Broker broker, String key, String token) {
        int colon = token.indexOf(':');
        MessageResponse.send(exchange, m, broker, key, HttpDates.format(Long.parseLong(token.substring(0, colon))),
                token.substring(colon + 1));
    }

    /** Nothing yet: wait without a thread until a message, the subscriber timeout, or the client leaves. */
    private void park() {
        exchange.dispatch(SameThreadExecutor.INSTANCE, NOTHING);
        long timeout = location.subscriberTimeoutSeconds();
        if (timeout > 0) timer = exchange.getIoThread().executeAfter(this::timeout, timeout, TimeUnit.SECONDS);
        DisconnectWatch.watch(exchange, this::gone);
    }

    @Override
    public boolean send(Message m, String id, String key) {
        if (!finish()) return false;
        answer(exchange, m, broker, key, id);
        return false;
    }

    /** Only with pushrelay_cursor_gap_header on, as a single long-poll (§14.5). */
    @Override
    public void gap(String token) {
        if (!answered && location.streams().gapHeader()) exchange.getResponseHeaders().put(StreamCursor.GAP, token);
    }

    @Override
    public void ended(Refusal why) {
        if (finish()) Responses.refusal(exchange, why);
    }

    /** A graceful stop answers as a timeout would, and closes the connection (§10). */
    @Override
    public void stopping() {
        if (!finish()) return;
        exchange.setPersistent(false);
        exchange.getResponseHeaders().put(Headers.CONNECTION, "close");
        Responses.notModified(exchange);
    }

    /** push_subscriber_timeout: 304 (§4.3). */
    private void timeout() {
        if (finish()) Responses.notModified(exchange);
    }

    private boolean gone() {
        if (!follower.close()) return false;
        answered = true;
        cancelTimer();
        RequestLog.clientGone(exchange);
        return true;
    }

    /** Stops waiting in every channel; IO thread. @return false when already answered */
    private boolean finish() {
        if (!follower.close()) return false;
        answered = true;
        cancelTimer();
        DisconnectWatch.clear(exchange);
        return true;
    }

    private void cancelTimer() {
        XnioExecutor.Key k = timer;
        if (k != null) k.remove();
    }
}
