package dev.pushrelay.http;

import dev.pushrelay.channel.Message;
import dev.pushrelay.channel.Refusal;
import dev.pushrelay.channel.Subscription;
import dev.pushrelay.config.LocationSettings;
import dev.pushrelay.metrics.PushMetrics;
import dev.pushrelay.store.Broker;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.SameThreadExecutor;
import org.xnio.XnioIoThread;

/**
 * One parked long-poll exchange (protocol.md §4.3), ended as {@link ParkedPoll} decides: the
 * exchange is dispatched to nowhere and completed later with the answer written here.
 *
 * <p>Thousands of these wait at once and each delivery runs on a cold one, so it keeps what
 * a delivery needs in its own fields (the connection's watch, the gzip location) instead of
 * looking them up in attachment maps, and is itself the delivery task and the disconnect
 * callback rather than allocating them.
 */
final class WaitingSubscriber extends ParkedPoll {

    private static final Runnable NOTHING = () -> { };

    private final HttpServerExchange exchange;
    private final PushMetrics metrics;
    private final GracefulStop drain;
    private final IoMailboxes mailboxes;
    /** Where a delivered message's gzip form is charged (protocol.md §6.3). */
    private final Broker store;
    private final String key;
    /** The location when it gzips (protocol.md §8.4), else null. */
    private final LocationSettings gzip;
    /** The connection's disconnect watch, once parked. */
    private DisconnectWatch watch;

    WaitingSubscriber(HttpServerExchange exchange, PushMetrics metrics, GracefulStop drain, IoMailboxes mailboxes,
                      Broker store, String key) {
        this.exchange = exchange;
        this.metrics = metrics;
        this.drain = drain;
        this.mailboxes = mailboxes;
        this.store = store;
        this.key = key;
        this.gzip = exchange.getAttachment(Gzip.LOCATION);
    }

    @Override
    void park(Subscription subscription, long timeoutSeconds) {
        exchange.dispatch(SameThreadExecutor.INSTANCE, NOTHING);
        super.park(subscription, timeoutSeconds);
    }

    @Override
    PushMetrics metrics() {
        return metrics;
    }

    @Override
    GracefulStop drain() {
        return drain;
    }

    @Override
    IoMailboxes mailboxes() {
        return mailboxes;
    }

    @Override
    XnioIoThread ioThread() {
        return exchange.getIoThread();
    }

    @Override
    void watch() {
        watch = DisconnectWatch.watch(exchange, this);
    }

    @Override
    void sendMessage(Message m) {
        clearWatch();
        MessageResponse.send(exchange, m, store, key, gzip);
    }

    @Override
    void sendRefusal(Refusal why) {
        clearWatch();
        Responses.refusal(exchange, why);
    }

    @Override
    void sendTimeout() {
        clearWatch();
        Responses.notModified(exchange);
    }

    @Override
    void sendStop(int status) {
        clearWatch();
        exchange.setPersistent(false);
        exchange.getResponseHeaders().put(io.undertow.util.Headers.CONNECTION, "close");
        if (status == 304) Responses.notModified(exchange);
        else Responses.headerOnly(exchange, status, null);
    }

    @Override
    void left() {
        RequestLog.clientGone(exchange);
    }

    /** Called on the IO thread, after {@link #park} (which set the watch on this thread) or before it. */
    private void clearWatch() {
        DisconnectWatch w = watch;
        if (w != null) w.clear();
    }
}
