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

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Following a channel, or several (protocol.md §14.3, §14.8), for a stream: per channel one
 * standing registration in the store, which answers the stored messages after the cursor
 * and then hands over every message published, in order, until the stream ends. Like a
 * parked long-poll it costs memory, never a thread. The transport (EventSource, WebSocket,
 * chunked, multipart) keeps only its framing and how it closes.
 *
 * <p>A store that keeps no standing subscribers ({@link ChannelStore#follow} answers null)
 * is followed by a loop of long-poll registrations instead: wait after cursor C; on a
 * message, send it and wait again after its id. The re-registrations of a stream already
 * admitted are broadcast (§14.4), so a stream never refuses or kicks itself out.
 *
 * <p>Each channel is one {@link Lane} with the messages found or delivered and not yet
 * sent; of the lanes' oldest, the oldest (by id, then by the channel's place in the list,
 * as nchan orders them) is sent first, so a compound id (§14.8) never claims a message of
 * another channel that is still to come. The first registration obeys the location's
 * concurrency, subscriber limit and authorization, as a long-poll would.
 */
final class ChannelFollower {

    /** What a stream does with what the follower finds; every method runs on the IO thread. */
    interface Transport {
        /**
         * @param id the cursor token after this message (§14.1, §14.8)
         * @param key the store key of the message's channel
         * @return false when the stream must stop here (a slow client was cut, or the
         *         transport sends one message only)
         */
        boolean send(Message m, String id, String key);

        /** Messages up to {@code token} are no longer stored (§14.5). */
        void gap(String token);

        /** The store refused a re-registration, or ended the wait. */
        void ended(Refusal why);

        /** The server is stopping (§14.2, §14.6). */
        void stopping();
    }

    private static final VarHandle CLOSED;

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(ChannelFollower.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Transport transport;
    private final ChannelStore store;
    private final Lane[] lanes;
    private final LocationSettings location;
    private final PushMetrics metrics;
    private final GracefulStop drain;
    /** Set once ({@link #CLOSED}); a field, not an object, so a delivery touches one object less. */
    private volatile boolean closed;
    /** The store keeps this stream registered: no registration after each message. */
    private boolean standing;
    /**
     * How a lane registers again after a wait was answered (broadcast: a stream already
     * admitted never refuses or kicks itself out, §14.4), made once by {@link #begin} for a
     * follower that is not standing; null for a standing one (the usual kind), which never
     * registers again.
     */
    private SubscribePolicy again;
    /** The mailbox of the stream's IO thread: a delivery asks it with no map lookup. */
    private final IoMailboxes.Mailbox io;
    private volatile XnioExecutor.Key pinger;

    /**
     * @param keys the store keys of the channels followed, in the location's order
     * @param io the mailbox of the IO thread the stream lives on
     */
    ChannelFollower(Transport transport, ChannelStore store, List<String> keys, LocationSettings location,
                    PushMetrics metrics, IoMailboxes.Mailbox io, GracefulStop drain) {
        this.transport = transport;
        this.store = store;
        this.lanes = new Lane[keys.size()];
        for (int i = 0; i < lanes.length; i++) lanes[i] = new Lane(i, keys.get(i));
        this.location = location;
        this.metrics = metrics;
        this.io = io;
        this.drain = drain;
    }

    /**
     * The first registration of every channel, on {@code io}. When the store refuses one,
     * the others are left, nothing is stored and the refusal is returned for the transport
     * to answer; else {@code admitted} runs (the transport opens), a gap is reported where a
     * given cursor's successors are gone, and the follower writes what is stored and waits.
     *
     * @param cursors where each channel starts, in the order of the keys
     */
    Refusal begin(Cursor[] cursors, boolean given, boolean ignoreQueue, Runnable admitted) {
        Fetch[] first = new Fetch[lanes.length];
        Cursor[] missed = new Cursor[lanes.length];
        for (int i = 0; i < lanes.length; i++) {
            Lane l = lanes[i];
            l.cursor = cursors[i];
            missed[i] = given ? StreamCursor.missed(store, l.key, l.cursor) : null;
            if (i == 0 || standing) first[i] = store.follow(l.key, l.cursor, location.subscribe(), ignoreQueue, l);
            if (i == 0) standing = first[0] != null;
            if (i == 0 && !standing) {
                SubscribePolicy p = location.subscribe();
                again = new SubscribePolicy(ConcurrencyMode.BROADCAST, p.authorizedOnly(), 0,
                        p.channelTimeoutSeconds());
            }
            if (!standing) first[i] = store.subscribe(l.key, l.cursor, location.subscribe(), ignoreQueue, l);
            if (first[i] instanceof Fetch.Refused refused) {
                for (int j = 0; j < i; j++) {
                    Subscription s = subscription(first[j]);
                    if (s != null) s.cancel();
                }
                return refused.why();
            }
        }
        // Every registration is known before anything can end the stream, so a close leaves them all.
        for (int i = 0; i < lanes.length; i++) {
            Subscription s = subscription(first[i]);
            if (s != null) lanes[i].subscription = s;
        }
        admitted.run();
        for (int i = 0; i < lanes.length; i++) {
            if (missed[i] != null) gap(i, missed[i]);
        }
        for (int i = 0; i < lanes.length; i++) {
            if (!take(lanes[i], first[i])) return null;
        }
        pump();
        return null;
    }

    /** Runs {@code ping} every {@code seconds} (0: never) while the stream is open; IO thread. */
    void pingEvery(XnioIoThread io, long seconds, Runnable ping) {
        if (seconds > 0) pinger = io.executeAtInterval(() -> {
            if (!closed) ping.run();
        }, seconds, TimeUnit.SECONDS);
    }

    private static Subscription subscription(Fetch f) {
        if (f instanceof Fetch.Waiting w) return w.subscription();
        if (f instanceof Fetch.Following w) return w.subscription();
        return null;
    }

    /**
     * Keeps what a registration answered: messages to send, or the wait.
     *
     * @return false when the stream ended
     */
    private boolean take(Lane l, Fetch f) {
        if (f instanceof Fetch.Found found) {
            l.pending.add(found.message());
            return true;
        }
        if (f instanceof Fetch.Following following) {
            l.pending.addAll(following.stored());
            l.through = following.through();
        }
        Subscription registered = subscription(f);
        if (registered != null) {
            l.subscription = registered;
            if (closed) registered.cancel(); // closed while registering
            // Registered before this check, and GracefulStop sets the flag before it copies the
            // store's waiters: either it ends us, or we see the flag here (as a long-poll).
            if (drain.isDraining()) {
                transport.stopping();
                return false;
            }
            return true;
        }
        if (f instanceof Fetch.Refused refused) {
            transport.ended(refused.why());
            return false;
        }
        throw new IllegalStateException("stream got " + f);
    }

    /** Sends the messages held, oldest first (registering a lane again unless standing); IO thread. */
    private void pump() {
        while (!closed) {
            Lane next = null;
            for (Lane l : lanes) {
                Message h = l.pending.peek();
                if (h != null && (next == null || next.pending.peek().id().isAfter(h.id()))) next = l;
            }
            if (next == null) return;
            if (!send(next, next.pending.poll())) return;
            if (standing || !next.pending.isEmpty()) continue;
            Cursor missed = StreamCursor.missed(store, next.key, next.cursor);
            if (missed != null) gap(next.index, missed);
            if (!take(next, store.subscribe(next.key, next.cursor, again, false, next))) return;
        }
    }

    /** A lane whose wait was answered with nothing new registers again from its cursor; IO thread. */
    private void registerAgain(Lane l) {
        if (take(l, store.subscribe(l.key, l.cursor, again, false, l))) pump();
    }

    /** Sends {@code m} of lane {@code l}; false when the stream must stop here. IO thread. */
    private boolean send(Lane l, Message m) {
        l.cursor = m.id();
        metrics.delivered();
        return transport.send(m, lanes.length == 1 ? StreamFrames.of(m).eventId() : token(l.index), l.key);
    }

    /** The cursor token after the message of lane {@code active} just sent (§14.1, §14.8). */
    private String token(int active) {
        if (lanes.length == 1) return EventIds.format(lanes[0].cursor);
        Cursor[] cs = new Cursor[lanes.length];
        for (int i = 0; i < cs.length; i++) cs[i] = lanes[i].cursor;
        return CompoundIds.format(cs, active);
    }

    /** §14.5: a compound token names only the channel that lost messages. */
    private void gap(int lane, Cursor missed) {
        if (lanes.length == 1) {
            transport.gap(EventIds.format(missed));
            return;
        }
        Cursor[] cs = new Cursor[lanes.length];
        java.util.Arrays.fill(cs, Cursor.OLDEST);
        cs[lane] = missed;
        transport.gap(CompoundIds.format(cs, lane));
    }

    /** A graceful stop; safe from any thread. Only a lane registered by {@link #begin} calls it. */
    void stopping() {
        io.run(transport::stopping);
    }

    boolean closed() {
        return closed;
    }

    /** A view of a buffer every stream shares, for one write now ({@link IoMailboxes.Mailbox#view}); IO thread. */
    ByteBuffer view(ByteBuffer shared) {
        return io.view(shared);
    }

    /**
     * Stops following: cancels the waits in the store and the pings.
     *
     * @return false if it had already stopped, so the caller's close runs once
     */
    boolean close() {
        if (!CLOSED.compareAndSet(this, false, true)) return false;
        for (Lane l : lanes) {
            Subscription s = l.subscription;
            if (s != null) s.cancel();
        }
        XnioExecutor.Key k = pinger;
        if (k != null) k.remove();
        return true;
    }

    /** One channel followed: what the store knows of this stream there. */
    final class Lane implements Subscriber {
        final int index;
        final String key;
        /** The last message sent (or the start); IO thread. */
        Cursor cursor;
        /** Found or delivered, not yet sent, oldest first; IO thread. */
        final java.util.ArrayDeque<Message> pending = new java.util.ArrayDeque<>(2);
        /** The newest message held or known when registering: a delivery not after it is one already held; IO thread. */
        Cursor through;
        volatile Subscription subscription;

        Lane(int index, String key) {
            this.index = index;
            this.key = key;
        }

        @Override
        public boolean deliver(Message message) {
            if (closed) return false;
            if (io.mayRunNow()) {
                received(message); // what run() would do at once, without a task object per delivery
            } else {
                io.post(() -> received(message));
            }
            return true;
        }

        /** IO thread. */
        private void received(Message message) {
            if (closed) return;
            if (through != null && !message.id().isAfter(through)) {
                // Already held or sent. A standing lane is still registered; any other had its
                // one registration spent by this answer and would wait for nothing: register
                // it again from its cursor (protocol.md §13, a Redis that lost its data).
                if (!standing && pending.isEmpty()) registerAgain(this);
                return;
            }
            through = message.id();
            if (standing && lanes.length == 1 && pending.isEmpty()) {
                send(this, message); // one channel, nothing held: what pump() would do, without the queue
                return;
            }
            pending.add(message);
            pump();
        }

        @Override
        public void end(Refusal why) {
            io.run(() -> transport.ended(why));
        }

        /** The graceful stop finds lanes among the store's waiters (§10); the stream ends once. */
        void stopping() {
            ChannelFollower.this.stopping();
        }

        @Override
        public String toString() {
            return "stream lane " + index + " of " + key;
        }
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
