package dev.pushrelay.http;

import dev.pushrelay.channel.Message;
import dev.pushrelay.channel.Refusal;
import dev.pushrelay.channel.Subscriber;
import dev.pushrelay.channel.Subscription;
import dev.pushrelay.metrics.Ending;
import dev.pushrelay.metrics.PushMetrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.xnio.XnioExecutor;

/**
 * A parked lean long-poll (protocol.md §4.3): {@link WaitingSubscriber}'s endings (a message,
 * 409, 410, the subscriber timeout's 304, the client leaving, a graceful stop's 304 with
 * close), decided by one flag, answered on the connection's IO thread with pre-encoded bytes.
 * It holds only its connection, the service's shared parts and its subscription: no
 * exchange, no header maps.
 */
final class LeanWaiter implements Subscriber, Runnable, BooleanSupplier, ParkedPoll {

    private static final VarHandle DONE;

    static {
        try {
            DONE = MethodHandles.lookup().findVarHandle(LeanWaiter.class, "done", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final LeanExchange exchange;
    private final LeanService service;
    private volatile boolean done;
    private volatile Subscription subscription;
    private volatile XnioExecutor.Key timer;
    /** The message to write, between {@link #deliver} and {@link #run}. */
    private volatile Message message;

    LeanWaiter(LeanExchange exchange, LeanService service) {
        this.exchange = exchange;
        this.service = service;
    }

    private boolean claim() {
        return DONE.compareAndSet(this, false, true);
    }

    /** As {@link WaitingSubscriber#park}: on the IO thread, from the request's handling. */
    void park(Subscription subscription, long timeoutSeconds) {
        this.subscription = subscription;
        if (done) { // a delivery raced ahead (it is queued behind us), or a stop answered us
            release();
            return;
        }
        if (service.drain().isDraining()) {
            exchange.ioThread().execute(() -> answerNow(304));
            return;
        }
        if (timeoutSeconds > 0) {
            timer = exchange.ioThread().executeAfter(this::timeout, timeoutSeconds, TimeUnit.SECONDS);
            if (done) cancelTimer();
        }
        exchange.await(this);
    }

    @Override
    public boolean deliver(Message message) {
        if (!claim()) return false;
        cancelTimer();
        metrics().subscriberEnded(Ending.MESSAGE);
        this.message = message;
        service.mailboxes().run(exchange.ioThread(), this);
        return true;
    }

    /** The delivery, on the IO thread. */
    @Override
    public void run() {
        Message m = message;
        message = null;
        service.sendMessage(exchange, m);
    }

    @Override
    public void end(Refusal why) {
        if (!claim()) return;
        cancelTimer();
        metrics().subscriberEnded(why == Refusal.CONFLICT ? Ending.CONFLICT : Ending.GONE);
        byte[] status = why == Refusal.CONFLICT ? LeanHeads.CONFLICT_409 : LeanHeads.GONE_410;
        service.mailboxes().run(exchange.ioThread(), () -> service.headerOnly(exchange, status, exchange.keepAlive()));
    }

    private void timeout() {
        if (!claim()) return;
        release();
        metrics().subscriberEnded(Ending.TIMEOUT);
        service.headerOnly(exchange, LeanHeads.NOT_MODIFIED_304, exchange.keepAlive());
    }

    /** The client left while waiting (the connection's watch). */
    @Override
    public boolean getAsBoolean() {
        if (!claim()) return false;
        cancelTimer();
        release();
        metrics().subscriberEnded(Ending.DISCONNECT);
        service.finished();
        return true;
    }

    @Override
    public boolean answerNow(int status) {
        if (!claim()) return false;
        cancelTimer();
        release();
        metrics().subscriberEnded(Ending.TIMEOUT);
        service.mailboxes().run(exchange.ioThread(), () -> service.headerOnly(exchange, LeanHeads.NOT_MODIFIED_304, false));
        return true;
    }

    private PushMetrics metrics() {
        return service.metrics();
    }

    private void release() {
        Subscription s = subscription;
        if (s != null) s.cancel();
    }

    private void cancelTimer() {
        XnioExecutor.Key k = timer;
        if (k != null) k.remove();
    }
}
