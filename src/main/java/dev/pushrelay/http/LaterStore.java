package dev.pushrelay.http;

import dev.pushrelay.channel.BufferPolicy;
import dev.pushrelay.channel.ChannelInfo;
import dev.pushrelay.channel.Cursor;
import dev.pushrelay.channel.Fetch;
import dev.pushrelay.channel.Message;
import dev.pushrelay.channel.MessageDraft;
import dev.pushrelay.channel.PublishResult;
import dev.pushrelay.channel.Refusal;
import dev.pushrelay.channel.SubscribePolicy;
import dev.pushrelay.channel.Subscriber;
import dev.pushrelay.channel.Subscription;
import dev.pushrelay.store.Broker;
import dev.pushrelay.store.ChannelSnapshot;
import dev.pushrelay.store.ChannelStore;
import dev.pushrelay.store.RestoreResult;
import dev.pushrelay.store.StoreStats;
import io.undertow.server.HttpServerExchange;
import org.xnio.XnioIoThread;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Streams and multiplexed polls (protocol.md §14) on a location whose broker answers later
 * (Redis, §13), seen through the synchronous store {@link ChannelFollower} asks. One per
 * request.
 *
 * <p>The first registrations are made before the stream opens ({@link #prepare}), so a
 * refusal is still answered with the long-poll's status (403, 409) and Redis away with 503;
 * the follower then takes those answers as if the store gave them at once. A re-registration
 * between two messages answers {@link Fetch.Waiting} at once, and the message found, the
 * refusal or the wait follows when Redis replied: a message found goes to the lane as if it
 * had been published while it waited, which is what the follower does with it anyway.
 * While Redis is away a re-registration is tried again every second: the stream stays open,
 * as a parked long-poll does, and resumes from its cursor.
 *
 * <p>What the follower and the long-poll ask synchronously of the channel's buffer, the gap
 * (§14.5) and where the Nth stored message starts (§14.7), is read from Redis first
 * ({@link #withFacts}), only when the request needs it, and answered from that reading.
 */
final class LaterStore implements ChannelStore {

    private static final Logger LOG = Logger.getLogger(LaterStore.class.getName());

    private final Broker broker;
    private final XnioIoThread io;
    /** Answers given before the stream opened, taken once each; IO thread. */
    private final List<First> firsts = new ArrayList<>();
    /** What {@link #withFacts} read, per channel key: {forgottenThrough, before(nth)}; IO thread. */
    private final java.util.Map<String, Cursor[]> facts = new java.util.HashMap<>();

    private record First(String key, Cursor after, boolean ignoreQueue, Fetch fetch, Relay relay) { }

    LaterStore(Broker broker, XnioIoThread io) {
        this.broker = broker;
        this.io = io;
    }

    /**
     * Registers every channel as the follower's first registration will (same cursors,
     * policy, ignore-queue), then runs {@code start} on the IO thread, which gets those
     * answers from {@link #subscribe}. A refusal of any channel cancels the others' waits and
     * is answered here; Redis away is 503.
     */
    void prepare(HttpServerExchange exchange, List<String> keys, Cursor[] cursors, SubscribePolicy policy,
                 boolean ignoreQueue, Runnable start) {
        int n = keys.size();
        Relay[] relays = new Relay[n];
        @SuppressWarnings("unchecked")
        CompletableFuture<Fetch>[] fs = new CompletableFuture[n];
        for (int i = 0; i < n; i++) {
            relays[i] = new Relay();
            fs[i] = broker.subscribe(keys.get(i), cursors[i], policy, ignoreQueue, relays[i]).toCompletableFuture();
        }
        CompletableFuture<Fetch[]> all = CompletableFuture.allOf(fs).handle((v, e) -> {
            if (e != null) {
                for (CompletableFuture<Fetch> f : fs) cancel(Pending.ready(f));
                throw e instanceof CompletionException c ? c : new CompletionException(e);
            }
            Fetch[] out = new Fetch[n];
            for (int i = 0; i < n; i++) out[i] = fs[i].join();
            return out;
        });
        Pending.later(exchange, all, answers -> {
            for (Fetch f : answers) {
                if (f instanceof Fetch.Refused refused) {
                    for (Fetch g : answers) cancel(g);
                    Responses.refusal(exchange, refused.why());
                    return;
                }
            }
            for (int i = 0; i < n; i++) firsts.add(new First(keys.get(i), cursors[i], ignoreQueue, answers[i], relays[i]));
            start.run();
            // The follower stopped before taking them all (a cursor it did not expect): let go.
            for (First f : firsts) cancel(f.fetch());
            firsts.clear();
        });
    }

    /**
     * Reads from Redis what {@link #forgottenThrough} and {@link #before} will answer for
     * {@code keys}, then runs {@code then} on the IO thread (Redis away: 503). Only when
     * asked: a cursor named ({@code given}: the gap of §14.5 is judged against it) or
     * nchan_subscriber_first_message N without one (§14.7); else {@code then} runs at once.
     */
    void withFacts(HttpServerExchange exchange, dev.pushrelay.config.LocationSettings location, List<String> keys,
                   boolean given, Runnable then) {
        int nth = location.streams().firstMessage();
        boolean counted = nth != dev.pushrelay.config.StreamSettings.OLDEST
                && nth != dev.pushrelay.config.StreamSettings.NEWEST;
        if (!given && !counted) {
            then.run();
            return;
        }
        int ask = given ? 0 : nth;
        @SuppressWarnings("unchecked")
        CompletableFuture<Cursor[]>[] fs = new CompletableFuture[keys.size()];
        for (int i = 0; i < fs.length; i++) fs[i] = broker.cursorFacts(keys.get(i), ask).toCompletableFuture();
        Pending.later(exchange, CompletableFuture.allOf(fs), v -> {
            for (int i = 0; i < fs.length; i++) facts.put(keys.get(i), fs[i].join());
            then.run();
        });
    }

    @Override
    public Cursor forgottenThrough(String key) {
        Cursor[] f = facts.get(key);
        return f == null ? null : f[0];
    }

    @Override
    public Cursor before(String key, int nth) {
        Cursor[] f = facts.get(key);
        return f == null ? null : f[1];
    }

    /** As {@link #prepare}, for a multiplexed interval-poll (§4.5, §14.8): every channel polled first. */
    void preparePolls(HttpServerExchange exchange, List<String> keys, Cursor[] cursors, long channelTimeoutSeconds,
                      Runnable start) {
        int n = keys.size();
        @SuppressWarnings("unchecked")
        CompletableFuture<Fetch>[] fs = new CompletableFuture[n];
        for (int i = 0; i < n; i++) fs[i] = broker.poll(keys.get(i), cursors[i], channelTimeoutSeconds).toCompletableFuture();
        CompletableFuture<Fetch[]> all = CompletableFuture.allOf(fs).thenApply(v -> {
            Fetch[] out = new Fetch[n];
            for (int i = 0; i < n; i++) out[i] = fs[i].join();
            return out;
        });
        Pending.later(exchange, all, answers -> {
            for (int i = 0; i < n; i++) firsts.add(new First(keys.get(i), cursors[i], false, answers[i], null));
            start.run();
            firsts.clear();
        });
    }

    private static void cancel(Fetch f) {
        if (f instanceof Fetch.Waiting w) w.subscription().cancel();
    }

    /** The prepared answer for this registration, taken; null when there is none. */
    private First take(String key, Cursor after, boolean ignoreQueue) {
        for (int i = 0; i < firsts.size(); i++) {
            First f = firsts.get(i);
            if (f.key().equals(key) && f.after().equals(after) && f.ignoreQueue() == ignoreQueue) {
                return firsts.remove(i);
            }
        }
        return null;
    }

    @Override
    public Fetch subscribe(String key, Cursor after, SubscribePolicy policy, boolean ignoreQueue, Subscriber waiter) {
        First first = take(key, after, ignoreQueue);
        if (first != null && first.relay() != null) {
            Fetch ended = first.relay().bind(waiter);
            return ended != null ? ended : first.fetch();
        }
        Later later = new Later(key, after, policy, ignoreQueue, waiter);
        later.register();
        return new Fetch.Waiting(later);
    }

    @Override
    public Fetch poll(String key, Cursor after, long channelTimeoutSeconds) {
        First first = take(key, after, false);
        if (first == null) throw new IllegalStateException("poll of " + key + " was not prepared");
        return first.fetch();
    }

    /**
     * A re-registration whose answer comes later: the follower holds it as the wait's
     * subscription from the start, so closing the stream cancels it whenever Redis answers.
     */
    private final class Later implements Subscription {
        private final String key;
        private final Cursor after;
        private final SubscribePolicy policy;
        private final boolean ignoreQueue;
        private final Subscriber waiter;
        private boolean cancelled;
        private Subscription registered;
        /** {@link #register} is running on the IO thread; read and written there only. */
        private boolean registering;

        Later(String key, Cursor after, SubscribePolicy policy, boolean ignoreQueue, Subscriber waiter) {
            this.key = key;
            this.after = after;
            this.policy = policy;
            this.ignoreQueue = ignoreQueue;
            this.waiter = waiter;
        }

        /** On the IO thread: from {@link LaterStore#subscribe}, or a retry scheduled there. */
        void register() {
            registering = true;
            try {
                broker.subscribe(key, after, policy, ignoreQueue, waiter).whenComplete(this::answered);
            } finally {
                registering = false;
            }
        }

        private void answered(Fetch f, Throwable error) {
            if (Thread.currentThread() == io && registering) {
                // Redis answered before the stage came back (the Redis client's thread was
                // quicker than this one): the follower has not taken this wait as the lane's
                // subscription yet. A message handed on now would make it register again
                // inside this call and then keep this finished wait instead of the new one,
                // which a close could no longer cancel (counted until the next publish, §13).
                io.execute(() -> answered(f, error));
                return;
            }
            synchronized (this) {
                if (cancelled) {
                    if (f instanceof Fetch.Waiting w) w.subscription().cancel();
                    return;
                }
                if (f instanceof Fetch.Waiting w) {
                    registered = w.subscription();
                    return;
                }
            }
            if (error != null) {
                LOG.log(Level.FINE, "stream re-registration of " + key + " failed; again in 1 s", error);
                io.executeAfter(this::register, 1, TimeUnit.SECONDS);
            } else if (f instanceof Fetch.Found found) {
                waiter.deliver(found.message());
            } else if (f instanceof Fetch.Refused refused) {
                waiter.end(refused.why());
            }
        }

        @Override
        public void cancel() {
            Subscription s;
            synchronized (this) {
                if (cancelled) return;
                cancelled = true;
                s = registered;
            }
            if (s != null) s.cancel();
        }
    }

    /**
     * The waiter of a first registration made before the stream (and its lanes) existed: it
     * holds what the broker calls until the lane is bound, then passes everything on.
     */
    static final class Relay implements Subscriber {
        private Subscriber target;
        private Message message;
        private Refusal refusal;

        /**
         * @return what ended the wait before the lane was there (the follower takes it as the
         *         registration's answer), or null: the lane gets what comes
         */
        synchronized Fetch bind(Subscriber lane) {
            target = lane;
            if (message != null) return new Fetch.Found(message);
            if (refusal != null) return new Fetch.Refused(refusal);
            return null;
        }

        @Override
        public boolean deliver(Message m) {
            Subscriber t;
            synchronized (this) {
                t = target;
                if (t == null) {
                    message = m;
                    return true;
                }
            }
            return t.deliver(m);
        }

        @Override
        public void end(Refusal why) {
            Subscriber t;
            synchronized (this) {
                t = target;
                if (t == null) {
                    refusal = why;
                    return;
                }
            }
            t.end(why);
        }

        /** A graceful stop finds the relay among the broker's waiters (§10, §14.2). */
        void stopping() {
            Subscriber t;
            synchronized (this) {
                t = target;
            }
            if (t instanceof ChannelFollower.Lane lane) lane.stopping();
        }
    }

    // ------------------------------------------------------------------ not used by streams

    @Override
    public PublishResult publish(String key, MessageDraft draft, BufferPolicy policy) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Charge chargeEncoding(String key, Message m, long bytes) {
        return broker.chargeEncoding(key, m, bytes);
    }

    @Override
    public Optional<ChannelInfo> info(String key, long channelTimeoutSeconds) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Optional<ChannelInfo> delete(String key) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void sweep() {
    }

    @Override
    public StoreStats stats() {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<Subscriber> waiting() {
        return List.of();
    }

    @Override
    public List<ChannelSnapshot> snapshot() {
        return List.of();
    }

    @Override
    public RestoreResult restore(List<ChannelSnapshot> channels) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void budget(long bytes) {
    }

    @Override
    public long budget() {
        return broker.budget();
    }

    @Override
    public void close() {
    }
}
