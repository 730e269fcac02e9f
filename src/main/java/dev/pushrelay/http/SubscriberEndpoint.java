package dev.pushrelay.http;

import dev.pushrelay.channel.Cursor;
import dev.pushrelay.channel.Fetch;
import dev.pushrelay.config.LocationSettings;
import dev.pushrelay.config.StreamSettings;
import dev.pushrelay.config.SubscriberTransport;
import dev.pushrelay.config.PollMode;
import dev.pushrelay.metrics.PushMetrics;
import dev.pushrelay.store.Broker;
import dev.pushrelay.store.ChannelStore;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A push_subscriber location (protocol.md §4): the channel id is checked first, then the
 * method; GET long-polls or interval-polls, OPTIONS answers CORS, anything else is 405.
 * A long-poll with nothing to send parks the exchange without a thread.
 */
final class SubscriberEndpoint {

    private static final HttpString CACHE_CONTROL = Headers.CACHE_CONTROL;
    private static final HttpString PRAGMA = Headers.PRAGMA;

    /** The broker of each location: the in-memory one, or its Redis (protocol.md §13). */
    private final Function<LocationSettings, Broker> brokers;
    /** the in-memory store, which streams follow on in-memory locations (protocol.md §14) */
    private final ChannelStore store;
    private final PushMetrics metrics;
    private final GracefulStop drain;
    private final IoMailboxes mailboxes = new IoMailboxes();

    SubscriberEndpoint(Function<LocationSettings, Broker> brokers, ChannelStore store, PushMetrics metrics, GracefulStop drain) {
        this.brokers = brokers;
        this.store = store;
        this.metrics = metrics;
        this.drain = drain;
    }

    void handle(HttpServerExchange exchange, LocationSettings location, String channelId) {
        if (channelId == null) {
            Responses.text(exchange, 404, "No channel id provided.");
            return;
        }
        var method = exchange.getRequestMethod();
        if (method.equals(Methods.OPTIONS)) {
            Cors.subscriberOptions(exchange);
            return;
        }
        if (!method.equals(Methods.GET)) {
            Responses.notAllowed(exchange, Cors.SUBSCRIBER_METHODS);
            return;
        }
        if (!BodyLimit.admit(exchange, location)) return;
        List<String> ids = StreamSettings.ids(channelId);
        if (ids.size() > StreamSettings.MAX_CHANNELS) { // nchan's limit of channels per subscriber (§14.8)
            Responses.headerOnly(exchange, 403, null);
            return;
        }
        List<String> keys = new ArrayList<>(ids.size());
        for (String id : ids) keys.add(ChannelKeys.key(location, id));
        StreamSettings served = location.streams();
        // Streams follow a channel through a synchronous store; on a Redis location that is
        // a LaterStore, whose first registrations are made before the stream opens (§13, §14).
        boolean redis = location.redis() != null;
        LaterStore later = redis ? new LaterStore(brokers.apply(location), exchange.getIoThread()) : null;
        ChannelStore streams = redis ? later : store;
        if (WebSocketSubscriber.wants(exchange)) { // protocol.md §14.6
            // nchan_subscriber without websocket: nchan answers the upgrade 403 (§14.7)
            if (!served.serves(SubscriberTransport.WEBSOCKET)) {
                Responses.headerOnly(exchange, 403, null);
                return;
            }
            // a refusal comes after the 101 as a close frame, on either store
            Runnable start = () -> WebSocketSubscriber.start(exchange, location, streams, keys, metrics, mailboxes, drain);
            if (redis) {
                StreamCursor.Requested r = StreamCursor.of(exchange, true, keys.size());
                if (r.invalid() != null) start.run();
                else later.withFacts(exchange, location, keys, r.given(), start); // §14.5, §14.7 on Redis
            } else {
                start.run();
            }
            return;
        }
        if (served.serves(SubscriberTransport.EVENTSOURCE) && EventSourceSubscriber.wants(exchange)) { // §14.2
            Runnable start = () -> EventSourceSubscriber.start(exchange, location, streams, keys, metrics, mailboxes, drain);
            if (redis) prepareStream(exchange, location, later, keys, true, start);
            else start.run();
            return;
        }
        boolean chunked = served.serves(SubscriberTransport.CHUNKED) && HttpStreamSubscriber.wantsChunked(exchange); // §14.11
        if (chunked || served.serves(SubscriberTransport.MULTIPART_MIXED) && HttpStreamSubscriber.wantsMultipart(exchange)) {
            HttpStreamSubscriber.Framing framing = chunked ? HttpStreamSubscriber.Framing.CHUNKED
                    : HttpStreamSubscriber.Framing.MULTIPART;
            Runnable start = () -> HttpStreamSubscriber.start(exchange, framing, location, streams, keys, metrics,
                    mailboxes, drain);
            if (redis) prepareStream(exchange, location, later, keys, false, start);
            else start.run();
            return;
        }
        if (!served.servesPolls()) { // nchan: a GET no served transport takes is 403 (§14.7)
            Responses.headerOnly(exchange, 403, null);
            return;
        }
        if (keys.size() > 1) { // §14.8
            Runnable start = () -> MultiplexedPoll.start(exchange, location, brokers.apply(location), streams, keys,
                    metrics, mailboxes, drain);
            if (redis) prepareMultiplexed(exchange, location, later, keys, start);
            else start.run();
            return;
        }
        String key = keys.get(0);
        if (redis) { // the gap header and first_message N read Redis first, only when asked (§13, §14.5, §14.7)
            StreamCursor.Requested r = StreamCursor.of(exchange, false);
            boolean gap = r.given() && location.streams().gapHeader();
            boolean nth = !r.given() && location.pollMode() != PollMode.INTERVAL_POLL;
            if (r.invalid() == null && (gap || nth)) {
                later.withFacts(exchange, location, keys, gap, () -> poll(exchange, location, later, key));
                return;
            }
        }
        poll(exchange, location, streams, key);
    }

    /** A single channel's long-poll or interval-poll; {@code facts} answers §14.5 and §14.7. */
    private void poll(HttpServerExchange exchange, LocationSettings location, ChannelStore facts, String key) {
        Cursor after = StreamCursor.forPoll(exchange, location, facts, key); // §4.2, §14.1, §14.5
        if (after == null) return;
        if (location.pollMode() == PollMode.INTERVAL_POLL) {
            intervalPoll(exchange, location, key, after);
        } else {
            longPoll(exchange, location, facts, key, after);
        }
    }

    /**
     * A stream on Redis: its first registrations, as EventSourceSubscriber and
     * HttpStreamSubscriber make them, before it opens. A bad cursor goes straight to
     * {@code start}, which answers 400 without touching the store.
     */
    private static void prepareStream(HttpServerExchange exchange, LocationSettings location, LaterStore later,
                                      List<String> keys, boolean eventSource, Runnable start) {
        StreamCursor.Requested requested = StreamCursor.of(exchange, eventSource, keys.size());
        if (requested.invalid() != null) {
            start.run();
            return;
        }
        boolean ignoreQueue = !requested.given() && (location.streams().firstNewest()
                || location.ignoreQueueOnNoCache() && disallowsCaching(exchange));
        later.withFacts(exchange, location, keys, requested.given(), () -> later.prepare(exchange, keys,
                StreamCursor.starts(requested, location, later, keys), location.subscribe(), ignoreQueue, start));
    }

    /** A multiplexed poll on Redis (§14.8): as MultiplexedPoll asks, before it starts. */
    private static void prepareMultiplexed(HttpServerExchange exchange, LocationSettings location, LaterStore later,
                                           List<String> keys, Runnable start) {
        StreamCursor.Requested requested = StreamCursor.of(exchange, false, keys.size());
        if (requested.invalid() != null) {
            start.run();
            return;
        }
        if (location.pollMode() == PollMode.INTERVAL_POLL) {
            later.withFacts(exchange, location, keys, requested.given() && location.streams().gapHeader(),
                    () -> later.preparePolls(exchange, keys, requested.cursors(),
                            location.subscribe().channelTimeoutSeconds(), start));
            return;
        }
        boolean ignoreQueue = location.ignoreQueueOnNoCache() && disallowsCaching(exchange)
                || location.streams().firstNewest() && !requested.given();
        later.withFacts(exchange, location, keys, requested.given() && location.streams().gapHeader(),
                () -> later.prepare(exchange, keys, StreamCursor.starts(requested, location, later, keys),
                        location.subscribe(), ignoreQueue, start));
    }

    /** §4.3. */
    private void longPoll(HttpServerExchange exchange, LocationSettings location, ChannelStore facts, String key,
                          Cursor position) {
        boolean ignoreQueue = location.ignoreQueueOnNoCache() && disallowsCaching(exchange)
                || location.streams().firstNewest() && position.equals(Cursor.OLDEST); // no position named, §14.7
        Cursor after = position;
        if (position.equals(Cursor.OLDEST)) { // nchan_subscriber_first_message N, §14.7
            after = StreamCursor.starts(new StreamCursor.Requested(new Cursor[] {position}, false, null), location,
                    facts, List.of(key))[0];
        }
        Broker store = brokers.apply(location);
        WaitingSubscriber waiter = new WaitingSubscriber(exchange, metrics, drain, mailboxes, store, key);
        CompletableFuture<Fetch> f = store.subscribe(key, after, location.subscribe(), ignoreQueue, waiter)
                .toCompletableFuture();
        Fetch fetch = Pending.ready(f);
        if (fetch != null) {
            longPolled(exchange, location, store, key, waiter, fetch);
        } else {
            Pending.later(exchange, f, r -> longPolled(exchange, location, store, key, waiter, r));
        }
    }

    private void longPolled(HttpServerExchange exchange, LocationSettings location, Broker store, String key,
                            WaitingSubscriber waiter, Fetch fetch) {
        if (fetch instanceof Fetch.Found found) {
            metrics.delivered();
            MessageResponse.send(exchange, found.message(), store, key);
        } else if (fetch instanceof Fetch.Waiting waiting) {
            waiter.park(waiting.subscription(), location.subscriberTimeoutSeconds());
        } else if (fetch instanceof Fetch.Refused refused) {
            Responses.refusal(exchange, refused.why());
        } else {
            throw new IllegalStateException("long-poll got " + fetch);
        }
    }

    /** §4.5: never waits; nothing new is 304 echoing If-None-Match as Etag, without Last-Modified. */
    private void intervalPoll(HttpServerExchange exchange, LocationSettings location, String key, Cursor after) {
        Broker store = brokers.apply(location);
        CompletableFuture<Fetch> f = store.poll(key, after, location.subscribe().channelTimeoutSeconds())
                .toCompletableFuture();
        Fetch fetch = Pending.ready(f);
        if (fetch != null) {
            intervalPolled(exchange, store, key, fetch);
        } else {
            Pending.later(exchange, f, r -> intervalPolled(exchange, store, key, r));
        }
    }

    private void intervalPolled(HttpServerExchange exchange, Broker store, String key, Fetch fetch) {
        if (fetch instanceof Fetch.Found found) {
            metrics.delivered();
            MessageResponse.send(exchange, found.message(), store, key);
        } else if (fetch instanceof Fetch.Refused refused) {
            Responses.refusal(exchange, refused.why());
        } else {
            String etag = exchange.getRequestHeaders().getFirst(Headers.IF_NONE_MATCH);
            if (etag != null) exchange.getResponseHeaders().put(Responses.ETAG, etag);
            Responses.notModified(exchange);
        }
    }

    /**
     * §4.7: the first Cache-Control header, else Pragma, whose value is a case-insensitive
     * prefix of "no-cache" (so "no-cache", "NO", and "" count; "no-cache, max-age=0" does not).
     */
    static boolean disallowsCaching(HttpServerExchange exchange) {
        String v = exchange.getRequestHeaders().getFirst(CACHE_CONTROL);
        if (v == null) v = exchange.getRequestHeaders().getFirst(PRAGMA);
        return v != null && v.length() <= 8 && "no-cache".regionMatches(true, 0, v, 0, v.length());
    }
}
