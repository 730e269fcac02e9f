package dev.pushrelay.http;

import dev.pushrelay.channel.Message;
import dev.pushrelay.channel.Refusal;
import dev.pushrelay.channel.Subscriber;
import dev.pushrelay.channel.Subscription;
import dev.pushrelay.metrics.Ending;
import dev.pushrelay.metrics.PushMetrics;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One parked long-poll (protocol.md §4.3), whichever connection code holds it: an Undertow
 * exchange ({@link WaitingSubscriber}) or a lean one ({@link LeanWaiter}). It costs memory,
 * never a thread, and ends exactly once, by a published message, a delete (410), a conflict
 * (409), the subscriber timeout (304), the client going away, or a graceful stop (§10);
 * {@link #done} decides which one wins. The subclasses only write the answers, always on
 * the connection's own IO thread.
 *
 * <p>Thousands of these wait at once: it is itself the delivery task and the disconnect
 * callback rather than allocating them.
 */
abstract class ParkedPoll implements Subscriber, Runnable, BooleanSupplier {

    private static final VarHandle DONE;

    static {
        try {
            DONE = MethodHandles.lookup().findVarHandle(ParkedPoll.class, "done", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Set once, by whichever ending wins: see {@link #claim()}. */
    private volatile boolean done;
    private volatile Subscription subscription;
    private volatile XnioExecutor.Key timer;
    /** The message to write, between {@link #deliver} and {@link #run} on the IO thread. */
    private volatile Message message;

    // The shared parts come through methods, not fields here: a lean waiter reaches them
    // through its service, so it holds no more references per parked poll than before.
    abstract PushMetrics metrics();

    abstract GracefulStop drain();

    abstract IoMailboxes mailboxes();

    /** The connection's IO thread, where every answer is written. */
    abstract XnioIoThread ioThread();

    /** Starts watching the connection for the client leaving (then {@link #getAsBoolean}); IO thread. */
    abstract void watch();

    /** Writes the message's 200; IO thread. */
    abstract void sendMessage(Message m);

    /** Writes 409 or 410; IO thread. */
    abstract void sendRefusal(Refusal why);

    /** Writes the subscriber timeout's 304; IO thread. */
    abstract void sendTimeout();

    /** Writes a graceful stop's answer and closes the connection; IO thread. */
    abstract void sendStop(int status);

    /** The client left and the wait was released: what the connection code does then. */
    abstract void left();

    /** Claims the ending: true for exactly one caller. */
    private boolean claim() {
        return DONE.compareAndSet(this, false, true);
    }

    /**
     * Parks after the store registered this subscriber. Must be called from the request's
     * handling, on the IO thread; a delivery that raced ahead is already queued behind us.
     */
    void park(Subscription subscription, long timeoutSeconds) {
        this.subscription = subscription;
        if (done) {
            // Ended before it parked: a delivery that raced ahead, or a graceful stop that
            // found it in the store before its subscription was known here. Leaving the
            // store is a no-op after a delivery, and needed after the stop's answer.
            release();
            return;
        }
        // The store registered us before this check, and GracefulStop sets the flag before it copies
        // the store's waiters: either it answers us, or we see the flag here.
        if (drain().isDraining()) { // graceful stop under way: do not wait (README "Operating pushrelay")
            ioThread().execute(() -> answerNow(304)); // after the handler returned
            return;
        }
        if (timeoutSeconds > 0) {
            timer = ioThread().executeAfter(this::timeout, timeoutSeconds, TimeUnit.SECONDS);
            if (done) cancelTimer();
        }
        watch();
    }

    @Override
    public final boolean deliver(Message message) {
        if (!claim()) return false;
        cancelTimer();
        metrics().subscriberEnded(Ending.MESSAGE);
        this.message = message;
        mailboxes().run(ioThread(), this);
        return true;
    }

    /** The delivery, on the IO thread. */
    @Override
    public final void run() {
        Message m = message;
        message = null;
        sendMessage(m);
    }

    @Override
    public final void end(Refusal why) {
        if (!claim()) return;
        cancelTimer();
        // the store ends a wait only with CONFLICT (§7) or GONE (§3.3)
        metrics().subscriberEnded(why == Refusal.CONFLICT ? Ending.CONFLICT : Ending.GONE);
        mailboxes().run(ioThread(), () -> sendRefusal(why));
    }

    /** push_subscriber_timeout: 304, header-only, no cursor headers (protocol.md §4.3). */
    private void timeout() {
        if (!claim()) return;
        release();
        metrics().subscriberEnded(Ending.TIMEOUT);
        sendTimeout();
    }

    /** The connection closed while waiting: release everything it held. @return false if it had already ended */
    @Override
    public final boolean getAsBoolean() {
        if (!claim()) return false;
        cancelTimer();
        release();
        metrics().subscriberEnded(Ending.DISCONNECT);
        left();
        return true;
    }

    /**
     * Ends the wait early with a status (graceful stop answers 304 like a timeout) and
     * closes the connection, so the client's next poll opens a new one (README
     * "Operating pushrelay"). Safe from any thread.
     *
     * @return false if it had already ended
     */
    final boolean answerNow(int status) {
        if (!claim()) return false;
        cancelTimer();
        release();
        metrics().subscriberEnded(Ending.TIMEOUT); // graceful stop answers as a timeout would
        mailboxes().run(ioThread(), () -> sendStop(status));
        return true;
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
