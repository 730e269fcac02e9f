package dev.pushrelay.http;

import dev.pushrelay.channel.Message;
import dev.pushrelay.channel.Refusal;
import dev.pushrelay.channel.Subscriber;
import dev.pushrelay.channel.Subscription;
import dev.pushrelay.config.LocationSettings;
import dev.pushrelay.metrics.Ending;
import dev.pushrelay.metrics.PushMetrics;
import dev.pushrelay.store.Broker;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.SameThreadExecutor;
import org.xnio.XnioExecutor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One parked long-poll exchange (protocol.md §4.3). It costs memory, never a thread: the
 * exchange is dispatched to nowhere and completed later by exactly one of a published
 * message, a delete (410), a conflict (409), the subscriber timeout (304) or the client
 * going away; {@link #done} decides which one wins. Responses are always written on the
 * exchange's own IO thread.
 *
 * <p>Thousands of these wait at once and each delivery runs on a cold one, so it keeps what
 * a delivery needs in its own fields (the connection's watch, the gzip location) instead of
 * looking them up in attachment maps, and is itself the delivery task and the disconnect
 * callback rather than allocating them.
 */
final class WaitingSubscriber implements Subscriber, Runnable, BooleanSupplier, ParkedPoll {

    private static final Runnable NOTHING = () -> { };
    private static final VarHandle DONE;

    static {
        try {
            DONE = MethodHandles.lookup().findVarHandle(WaitingSubscriber.class, "done", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final HttpServerExchange exchange;
    private final PushMetrics metrics;
    private final GracefulStop drain;
    private final IoMailboxes mailboxes;
    /** Where a delivered message's gzip form is charged (protocol.md §6.3). */
    private final Broker store;
    private final String key;
    /** The location when it gzips (protocol.md §8.4), else null. */
    private final LocationSettings gzip;
    /** Set once, by whichever ending wins: see {@link #claim()}. */
    private volatile boolean done;
    private volatile Subscription subscription;
    private volatile XnioExecutor.Key timer;
    /** The connection's disconnect watch, once parked. */
    private DisconnectWatch watch;
    /** The message to write, between {@link #deliver} and {@link #run} on the IO thread. */
    private volatile Message message;

    WaitingSubscriber(HttpServerExchange exchange, PushMetrics metrics, GracefulStop drain, IoMailboxes mailboxes,
                      Broker store, String key) {
        this.exchange = exchange;
        this.store = store;
        this.key = key;
        this.metrics = metrics;
        this.drain = drain;
        this.mailboxes = mailboxes;
        this.gzip = exchange.getAttachment(Gzip.LOCATION);
    }

    /** Claims the ending: true for exactly one caller. */
    private boolean claim() {
        return DONE.compareAndSet(this, false, true);
    }

    /**
     * Parks the exchange after the store registered this subscriber. Must be called from
     * the handler, on the IO thread; a delivery that raced ahead is already queued behind us.
     */
    void park(Subscription subscription, long timeoutSeconds) {
        this.subscription = subscription;
        exchange.dispatch(SameThreadExecutor.INSTANCE, NOTHING);
        if (done) {
            // Ended before it parked: a delivery that raced ahead, or a graceful stop that
            // found it in the store before its subscription was known here. Leaving the
            // store is a no-op after a delivery, and needed after the stop's answer.
            release();
            return;
        }
        // The store registered us before this check, and GracefulStop sets the flag before it copies
        // the store's waiters: either it answers us, or we see the flag here.
        if (drain.isDraining()) { // graceful stop under way: do not wait (README "Operating pushrelay")
            exchange.getIoThread().execute(() -> answerNow(304)); // after the handler returned
            return;
        }
        if (timeoutSeconds > 0) {
            timer = exchange.getIoThread().executeAfter(this::timeout, timeoutSeconds, TimeUnit.SECONDS);
            if (done) cancelTimer();
        }
        watch = DisconnectWatch.watch(exchange, this);
    }

    @Override
    public boolean deliver(Message message) {
        if (!claim()) return false;
        cancelTimer();
        metrics.subscriberEnded(Ending.MESSAGE);
        this.message = message;
        mailboxes.run(exchange.getIoThread(), this);
        return true;
    }

    /** The delivery, on the exchange's IO thread. */
    @Override
    public void run() {
        clearWatch();
        Message m = message;
        message = null;
        MessageResponse.send(exchange, m, store, key, gzip);
    }

    /** The connection closed while waiting: see {@link #gone}. */
    @Override
    public boolean getAsBoolean() {
        return gone();
    }

    @Override
    public void end(Refusal why) {
        if (!claim()) return;
        cancelTimer();
        // the store ends a wait only with CONFLICT (§7) or GONE (§3.3)
        metrics.subscriberEnded(why == Refusal.CONFLICT ? Ending.CONFLICT : Ending.GONE);
        onIoThread(() -> {
            clearWatch();
            Responses.refusal(exchange, why);
        });
    }

    /** push_subscriber_timeout: 304, header-only, no cursor headers (protocol.md §4.3). */
    private void timeout() {
        if (!claim()) return;
        release();
        metrics.subscriberEnded(Ending.TIMEOUT);
        clearWatch();
        Responses.notModified(exchange);
    }

    /** The connection closed while waiting: release everything it held. @return false if it had already ended */
    private boolean gone() {
        if (!claim()) return false;
        cancelTimer();
        release();
        metrics.subscriberEnded(Ending.DISCONNECT);
        RequestLog.clientGone(exchange);
        return true;
    }

    /**
     * Ends the wait early with a status (graceful stop answers 304 like a timeout) and
     * closes the connection, so the client's next poll opens a new one (README
     * "Operating pushrelay"). Safe from any thread.
     *
     * @return false if it had already ended
     */
    @Override
    public boolean answerNow(int status) {
        if (!claim()) return false;
        cancelTimer();
        release();
        metrics.subscriberEnded(Ending.TIMEOUT); // graceful stop answers as a timeout would
        onIoThread(() -> {
            clearWatch();
            exchange.setPersistent(false);
            exchange.getResponseHeaders().put(io.undertow.util.Headers.CONNECTION, "close");
            if (status == 304) Responses.notModified(exchange);
            else Responses.headerOnly(exchange, status, null);
        });
        return true;
    }

    /** Called on the IO thread, after {@link #park} (which set the watch on this thread) or before it. */
    private void clearWatch() {
        DisconnectWatch w = watch;
        if (w != null) w.clear();
    }

    private void release() {
        Subscription s = subscription;
        if (s != null) s.cancel();
    }

    private void cancelTimer() {
        XnioExecutor.Key k = timer;
        if (k != null) k.remove();
    }

    private void onIoThread(Runnable task) {
        mailboxes.run(exchange.getIoThread(), task);
    }
}
