package dev.pushrelay.store.redis;

import dev.pushrelay.channel.Cursor;
import dev.pushrelay.channel.Message;
import dev.pushrelay.channel.Subscriber;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The long-polls parked on this node for channels that live in Redis (protocol.md §13).
 *
 * <p>Each waiter remembers the channel's generation it registered under. Every publish,
 * kick ({@code last}) and delete of a channel raises its generation by one inside the same
 * script and announces it when a waiter is counted (a parked waiter always is, so it hears
 * every generation after its own); an announcement of generation G ends every local waiter
 * registered below G. Scripts run one at a time, so "registered before the publish" is
 * exactly "generation below G": nothing is missed or delivered twice. A registration whose
 * reply arrives after the announcement that ends it finds that announcement in the
 * channel's short history, kept while registrations are in flight.
 *
 * <p>An announcement may be heard twice (while the node's own subscription and an IO
 * thread's, {@link ThreadConnections#listen}, hand over): the second finds its waiters gone
 * and is remembered once.
 *
 * <p>All changes to a channel run inside {@link ConcurrentHashMap#compute} for its key;
 * subscribers are called outside it.
 */
final class WaiterHub {

    enum Kind { PUBLISH, KICK, DELETE }

    /** One parked long-poll; {@link #gen} changes when it is read again (caught up). */
    static final class Entry {
        final Subscriber subscriber;
        final Cursor after;
        /** push_channel_timeout of the subscriber's location, for reading it again (§6.2). */
        final long channelTimeout;
        long gen;
        volatile boolean cancelled;

        Entry(Subscriber subscriber, Cursor after, long channelTimeout) {
            this.subscriber = subscriber;
            this.after = after;
            this.channelTimeout = channelTimeout;
        }
    }

    /** An announcement as remembered: what ended the waiters below {@code gen}. */
    record Event(long gen, Kind kind, Message message) { }

    /** What a registration's reply turns into. */
    sealed interface Outcome {
        record Parked() implements Outcome { }
        record Ended(Event by) implements Outcome { }
        /** The history no longer reaches back: read again from the cursor. */
        record Missed() implements Outcome { }
    }

    static final Outcome PARKED = new Outcome.Parked();
    static final Outcome MISSED = new Outcome.Missed();
    private static final int HISTORY = 16;

    private static final class Local {
        final List<Entry> waiters = new ArrayList<>(2);
        final Event[] history = new Event[HISTORY];
        int historyCount;
        int pending;

        void record(Event e) {
            int n = Math.min(historyCount, HISTORY);
            for (int i = 0; i < n; i++) {
                if (history[i].gen() == e.gen()) return; // heard twice (two subscriptions)
            }
            history[historyCount % HISTORY] = e;
            historyCount++;
        }

        /** The earliest remembered event above {@code gen}; MISSED when it may have been forgotten. */
        Object after(long gen) {
            Event best = null;
            int n = Math.min(historyCount, HISTORY);
            for (int i = 0; i < n; i++) {
                Event e = history[i];
                if (e.gen() > gen && (best == null || e.gen() < best.gen())) best = e;
            }
            if (best == null) return null;
            return best.gen() == gen + 1 ? best : MISSED;
        }

        /**
         * The event of exactly {@code gen}, if remembered. A waiter read again (caught up)
         * while the announcement that ends its previous registration arrives is ended by that
         * one: a delete's re-read that Redis runs after the delete finds a new channel.
         */
        Event exactly(long gen) {
            int n = Math.min(historyCount, HISTORY);
            for (int i = 0; i < n; i++) {
                if (history[i].gen() == gen) return history[i];
            }
            return null;
        }

        boolean idle() {
            return waiters.isEmpty() && pending == 0;
        }
    }

    private final ConcurrentHashMap<String, Local> channels = new ConcurrentHashMap<>();

    /** A registration is about to be sent: announcements for {@code key} are remembered from now. */
    void enter(String key) {
        channels.compute(key, (k, l) -> {
            if (l == null) l = new Local();
            l.pending++;
            return l;
        });
    }

    /** The registration's reply did not park it (found, refused or failed). */
    void leave(String key) {
        channels.computeIfPresent(key, (k, l) -> {
            l.pending--;
            return l.idle() ? null : l;
        });
    }

    /** The script registered {@code e} under {@code gen}: park it, unless an announcement already ended it. */
    Outcome registered(String key, Entry e, long gen) {
        Object[] out = new Object[1];
        channels.compute(key, (k, l) -> {
            if (l == null) l = new Local(); // not possible while pending; safe anyway
            l.pending--;
            Object ended = l.after(gen);
            if (ended == null && e.gen > 0 && e.gen < gen) ended = l.exactly(e.gen + 1);
            if (ended == null) {
                e.gen = gen;
                l.waiters.add(e);
                out[0] = PARKED;
            } else {
                out[0] = ended == MISSED ? MISSED : new Outcome.Ended((Event) ended);
            }
            return l.idle() ? null : l;
        });
        return (Outcome) out[0];
    }

    /**
     * Takes {@code e} out if it is parked here (a timeout or a disconnect).
     *
     * @return the generation it was registered under, or -1 if it was not parked
     */
    long cancel(String key, Entry e) {
        long[] gen = {-1};
        e.cancelled = true;
        channels.computeIfPresent(key, (k, l) -> {
            if (l.waiters.remove(e)) gen[0] = e.gen;
            return l.idle() ? null : l;
        });
        return gen[0];
    }

    /**
     * An announcement: every local waiter registered below {@code ev.gen()} is taken and
     * handed to {@code ended} (with the event) or, if it missed an earlier one, to {@code missed}.
     */
    void announce(String key, Event ev, BiConsumer<Entry, Event> ended, BiConsumer<String, Entry> missed) {
        List<Entry> hit = new ArrayList<>();
        List<Entry> gap = new ArrayList<>();
        channels.computeIfPresent(key, (k, l) -> {
            l.record(ev);
            for (var it = l.waiters.iterator(); it.hasNext(); ) {
                Entry e = it.next();
                if (e.gen < ev.gen()) {
                    it.remove();
                    if (e.gen == ev.gen() - 1) hit.add(e);
                    else {
                        gap.add(e);
                        l.pending++; // read again from the cursor, still watching
                    }
                }
            }
            return l.idle() ? null : l;
        });
        for (Entry e : hit) ended.accept(e, ev);
        for (Entry e : gap) missed.accept(key, e);
    }

    /**
     * Takes every parked waiter out to be read again from its cursor (after the
     * notifications may have been lost), counting each as a registration in flight.
     */
    List<Entry> takeAllForCatchUp(String key) {
        List<Entry> out = new ArrayList<>();
        channels.computeIfPresent(key, (k, l) -> {
            out.addAll(l.waiters);
            l.pending += l.waiters.size();
            l.waiters.clear();
            return l.idle() ? null : l;
        });
        return out;
    }

    /**
     * Waiters of {@code key} are parked or registering here. Without, its announcements change
     * nothing ({@link #announce} ignores them): a registration sent later is answered after them.
     */
    boolean watching(String key) {
        return channels.containsKey(key);
    }

    List<String> keys() {
        return new ArrayList<>(channels.keySet());
    }

    /** Every subscriber parked now, for the graceful stop. */
    List<Subscriber> waiting() {
        List<Subscriber> out = new ArrayList<>();
        for (String key : channels.keySet()) {
            channels.computeIfPresent(key, (k, l) -> {
                for (Entry e : l.waiters) out.add(e.subscriber);
                return l;
            });
        }
        return out;
    }

    /** Parked waiters on this node. */
    int size() {
        int[] n = {0};
        for (String key : channels.keySet()) {
            channels.computeIfPresent(key, (k, l) -> {
                n[0] += l.waiters.size();
                return l;
            });
        }
        return n[0];
    }
}
