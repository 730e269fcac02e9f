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
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Following one channel for a stream (protocol.md §14): a loop of ordinary long-poll
 * registrations in the store: wait after cursor C; on a message, hand it to the transport
 * and wait again after that message's id. Messages published between two registrations are
 * stored, so the next registration finds them in the buffer, in order, none skipped. Like a
 * parked long-poll it costs memory, never a thread. The transport (EventSource, WebSocket)
 * keeps only its framing and how it closes.
 *
 * <p>The first registration obeys the location's concurrency, subscriber limit and
 * authorization, as a long-poll would; the re-registrations of a stream already admitted
 * are broadcast (§14.4), so a stream never refuses or kicks itself out between messages.
 */
final class ChannelFollower implements Subscriber {

    /** What a stream does with what the follower finds; every method runs on the IO thread. */
    interface Transport {
        /** @return false when the client is too slow and the stream was cut */
        boolean send(Message m);

        /** Messages after {@code missed} are no longer stored (§14.5). */
        void gap(Cursor missed);

        /** The store refused a re-registration, or ended the wait. */
        void ended(Refusal why);

        /** The server is stopping (§14.2, §14.6). */
        void stopping();
    }

    private final Transport transport;
    private final ChannelStore store;
    private final String key;
    private final LocationSettings location;
    private final PushMetrics metrics;
    private final IoMailboxes mailboxes;
    private final GracefulStop drain;
    private final SubscribePolicy again;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile XnioIoThread io;
    private volatile Subscription subscription;
    private volatile XnioExecutor.Key pinger;

    ChannelFollower(Transport transport, ChannelStore store, String key, LocationSettings location,
                    PushMetrics metrics, IoMailboxes mailboxes, GracefulStop drain) {
        this.transport = transport;
        this.store = store;
        this.key = key;
        this.location = location;
        this.metrics = metrics;
        this.mailboxes = mailboxes;
        this.drain = drain;
        SubscribePolicy p = location.subscribe();
        this.again = new SubscribePolicy(ConcurrencyMode.BROADCAST, p.authorizedOnly(), 0, p.channelTimeoutSeconds());
    }

    /**
     * The first registration, on {@code io}. When the store refuses it nothing is stored and
     * the refusal is returned for the transport to answer; else {@code admitted} runs (the
     * transport opens), a gap is reported when a given cursor's successors are gone, and the
     * follower writes what is stored and waits.
     */
    Refusal begin(XnioIoThread io, Cursor cursor, boolean given, boolean ignoreQueue, Runnable admitted) {
        this.io = io;
        Cursor missed = given ? StreamCursor.missed(store, key, cursor) : null;
        Fetch first = store.subscribe(key, cursor, location.subscribe(), ignoreQueue, this);
        if (first instanceof Fetch.Refused refused) return refused.why();
        admitted.run();
        if (missed != null) transport.gap(missed);
        follow(first);
        return null;
    }

    /** Runs {@code ping} every {@code seconds} (0: never) while the stream is open; IO thread. */
    void pingEvery(XnioIoThread io, long seconds, Runnable ping) {
        if (seconds > 0) pinger = io.executeAtInterval(() -> {
            if (!closed.get()) ping.run();
        }, seconds, TimeUnit.SECONDS);
    }

    /** Writes what the store answered and registers again until it has to wait; IO thread. */
    private void follow(Fetch fetch) {
        Fetch f = fetch;
        while (!closed.get()) {
            if (f instanceof Fetch.Found found) {
                if (!send(found.message())) return;
                f = again(found.message().id());
            } else if (f instanceof Fetch.Waiting waiting) {
                subscription = waiting.subscription();
                if (closed.get()) waiting.subscription().cancel(); // closed while registering
                // Registered before this check, and GracefulStop sets the flag before it copies the
                // store's waiters: either it ends us, or we see the flag here (as a long-poll).
                if (drain.isDraining()) transport.stopping();
                return;
            } else if (f instanceof Fetch.Refused refused) {
                transport.ended(refused.why());
                return;
            } else {
                throw new IllegalStateException("stream got " + f);
            }
        }
    }

    /** Registers after {@code after} once more, first reporting a gap (§14.5). */
    private Fetch again(Cursor after) {
        Cursor missed = StreamCursor.missed(store, key, after);
        if (missed != null) transport.gap(missed);
        return store.subscribe(key, after, again, false, this);
    }

    private boolean send(Message m) {
        metrics.delivered();
        return transport.send(m);
    }

    @Override
    public boolean deliver(Message message) {
        if (closed.get()) return false;
        mailboxes.run(io, () -> {
            if (closed.get()) return;
            if (send(message)) follow(again(message.id()));
        });
        return true;
    }

    @Override
    public void end(Refusal why) {
        mailboxes.run(io, () -> transport.ended(why));
    }

    /** A graceful stop; safe from any thread. Nothing to do before {@link #begin}. */
    void stopping() {
        XnioIoThread t = io;
        if (t != null) mailboxes.run(t, transport::stopping);
    }

    boolean closed() {
        return closed.get();
    }

    /**
     * Stops following: cancels the wait in the store and the pings.
     *
     * @return false if it had already stopped, so the caller's close runs once
     */
    boolean close() {
        if (!closed.compareAndSet(false, true)) return false;
        Subscription s = subscription;
        if (s != null) s.cancel();
        XnioExecutor.Key k = pinger;
        if (k != null) k.remove();
        return true;
    }

    /** Why a stream ended, in words for a close event or frame (§14.2, §14.6). */
    static String reason(Refusal why) {
        return switch (why) {
            case GONE -> "channel deleted";
            case CONFLICT -> "conflict";
            case TOO_MANY_SUBSCRIBERS -> "too many subscribers";
            case NO_SUCH_CHANNEL -> "no such channel";
            case OUT_OF_MEMORY -> "out of memory";
        };
    }
}
