package dev.pushrelay.http;

import dev.pushrelay.channel.ConcurrencyMode;
import dev.pushrelay.channel.Cursor;
import dev.pushrelay.channel.Fetch;
import dev.pushrelay.channel.Message;
import dev.pushrelay.channel.Refusal;
import dev.pushrelay.channel.SubscribePolicy;
import dev.pushrelay.channel.Subscriber;
import dev.pushrelay.channel.Subscription;
import dev.pushrelay.config.LocationSettings;
import dev.pushrelay.metrics.PushMetrics;
import dev.pushrelay.store.ChannelStore;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.SameThreadExecutor;
import org.xnio.XnioExecutor;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One EventSource stream (protocol.md §14.2). It is a loop of ordinary long-poll
 * registrations in the store: wait after cursor C; on a message, write it as an event and
 * wait again after that message's id. Messages published between two registrations are
 * stored, so the next registration finds them in the buffer, in order, none skipped; the
 * store needs nothing new. Like a parked long-poll it costs memory, never a thread.
 *
 * <p>The first registration obeys the location's concurrency, subscriber limit and
 * authorization, as a long-poll would; the re-registrations of a stream already admitted
 * are broadcast (§14.4), so a stream never refuses or kicks itself out between messages.
 */
final class EventSourceSubscriber implements Subscriber {

    static final HttpString LAST_EVENT_ID = new HttpString("Last-Event-ID");
    private static final HttpString X_ACCEL_BUFFERING = new HttpString("X-Accel-Buffering");
    private static final Runnable NOTHING = () -> { };
    /** What may wait for a client that does not read before it is cut off (§14.4). */
    static final long QUEUE_LIMIT_BYTES = 1024 * 1024;

    private final HttpServerExchange exchange;
    private final ChannelStore store;
    private final String key;
    private final PushMetrics metrics;
    private final IoMailboxes mailboxes;
    private final Drain drain;
    private final SubscribePolicy again;
    private final long pingSeconds;
    private final StreamSink sink;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Subscription subscription;
    private XnioExecutor.Key pinger;

    private EventSourceSubscriber(HttpServerExchange exchange, LocationSettings location, ChannelStore store,
                                  String key, PushMetrics metrics, IoMailboxes mailboxes, Drain drain) {
        this.exchange = exchange;
        this.drain = drain;
        this.store = store;
        this.key = key;
        this.metrics = metrics;
        this.mailboxes = mailboxes;
        SubscribePolicy p = location.subscribe();
        this.again = new SubscribePolicy(ConcurrencyMode.BROADCAST, p.authorizedOnly(), 0, p.channelTimeoutSeconds());
        this.pingSeconds = location.streams().eventSourcePingSeconds();
        this.sink = new StreamSink(exchange, QUEUE_LIMIT_BYTES, this::gone);
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
    static void start(HttpServerExchange exchange, LocationSettings location, ChannelStore store, String key,
                      PushMetrics metrics, IoMailboxes mailboxes, Drain drain) {
        StreamCursor.Requested requested = StreamCursor.of(exchange, true);
        if (requested.invalid() != null) {
            Responses.text(exchange, 400, "Invalid " + requested.invalid() + "\n");
            return;
        }
        // push_ignore_queue_on_no_cache counts only when the client names no position:
        // browsers send Cache-Control: no-cache on every EventSource request, a resume too.
        boolean ignoreQueue = !requested.given() && location.ignoreQueueOnNoCache()
                && SubscriberHandler.disallowsCaching(exchange);
        EventSourceSubscriber s = new EventSourceSubscriber(exchange, location, store, key, metrics, mailboxes, drain);
        Cursor missed = requested.given() ? StreamCursor.missed(store, key, requested.cursor()) : null;
        Fetch first = store.subscribe(key, requested.cursor(), location.subscribe(), ignoreQueue, s);
        if (first instanceof Fetch.Refused refused) {
            Responses.refusal(exchange, refused.why());
            return;
        }
        s.open();
        if (missed != null) s.sink.write(EventSourceFrames.notice("pushrelay-gap", EventIds.format(missed)));
        s.follow(first);
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
        if (pingSeconds > 0) {
            pinger = exchange.getIoThread().executeAtInterval(this::ping, pingSeconds, TimeUnit.SECONDS);
        }
        sink.write(ByteBuffer.wrap(EventSourceFrames.PING));
    }

    /**
     * Writes what the store answered and registers again until it has to wait. Runs on
     * the IO thread.
     */
    private void follow(Fetch fetch) {
        Fetch f = fetch;
        while (!closed.get()) {
            if (f instanceof Fetch.Found found) {
                if (!send(found.message())) return;
                f = again(found.message().id());
            } else if (f instanceof Fetch.Waiting waiting) {
                subscription = waiting.subscription();
                if (closed.get()) waiting.subscription().cancel(); // closed while registering
                // Registered before this check, and Drain sets the flag before it copies the
                // store's waiters: either it ends us, or we see the flag here (as a long-poll).
                if (drain.isDraining()) close("server stopping");
                return;
            } else if (f instanceof Fetch.Refused refused) {
                close(refused.why() == Refusal.NO_SUCH_CHANNEL ? "channel deleted" : reason(refused.why()));
                return;
            } else {
                throw new IllegalStateException("stream got " + f);
            }
        }
    }

    /**
     * Registers after {@code after} once more; first says so when messages after it are
     * no longer stored (§14.5: published faster than the stream could follow, or storing
     * off), so the client learns it missed them.
     */
    private Fetch again(Cursor after) {
        Cursor missed = StreamCursor.missed(store, key, after);
        if (missed != null) sink.write(EventSourceFrames.notice("pushrelay-gap", EventIds.format(missed)));
        return store.subscribe(key, after, again, false, this);
    }

    /** @return false when the client is too slow and the stream was cut */
    private boolean send(Message m) {
        metrics.delivered();
        if (sink.write(EventSourceFrames.message(m, m.eventName()))) return true;
        slow();
        return false;
    }

    @Override
    public boolean deliver(Message message) {
        if (closed.get()) return false;
        mailboxes.run(exchange.getIoThread(), () -> {
            if (closed.get()) return;
            if (send(message)) follow(again(message.id()));
        });
        return true;
    }

    @Override
    public void end(Refusal why) {
        mailboxes.run(exchange.getIoThread(), () -> close(reason(why)));
    }

    /** A graceful stop: end the stream with a close event; safe from any thread (§14.2). */
    void stopping() {
        mailboxes.run(exchange.getIoThread(), () -> close("server stopping"));
    }

    private static String reason(Refusal why) {
        return switch (why) {
            case GONE -> "channel deleted";
            case CONFLICT -> "conflict";
            case TOO_MANY_SUBSCRIBERS -> "too many subscribers";
            case NO_SUCH_CHANNEL -> "no such channel";
            case OUT_OF_MEMORY -> "out of memory";
        };
    }

    /** Ends the stream with an event that says why (§14.2); IO thread. */
    private void close(String why) {
        if (!closed.compareAndSet(false, true)) return;
        stopWaiting();
        DisconnectWatch.clear(exchange);
        sink.write(EventSourceFrames.notice("pushrelay-close", why));
        sink.end();
    }

    /** The queue for a client that does not read is full: cut it off (§14.4); IO thread. */
    private void slow() {
        if (!closed.compareAndSet(false, true)) return;
        stopWaiting();
        DisconnectWatch.clear(exchange);
        sink.abort();
    }

    /** The client went away. @return false if the stream had already ended */
    private boolean gone() {
        if (!closed.compareAndSet(false, true)) return false;
        stopWaiting();
        RequestLog.clientGone(exchange);
        return true;
    }

    private void stopWaiting() {
        Subscription s = subscription;
        if (s != null) s.cancel();
        XnioExecutor.Key k = pinger;
        if (k != null) k.remove();
    }

    private void ping() {
        if (closed.get()) return;
        if (!sink.write(ByteBuffer.wrap(EventSourceFrames.PING))) slow();
    }
}
