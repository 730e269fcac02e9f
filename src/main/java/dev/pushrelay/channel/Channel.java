package dev.pushrelay.channel;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One channel: its message queue, its waiting long-poll subscribers and its timestamps,
 * all guarded by one lock that the channel owns.
 *
 * <p>Every method except {@link #key()}, {@link #keyBytes()}, {@link #lock()} and
 * {@link #unlock()} must be called with the lock held. The lock is held only for
 * in-memory work: callers collect the subscribers to notify, unlock, then call them
 * (never call {@link Subscriber} methods while holding it). Nobody holds two channel
 * locks at once, so there is no lock ordering to get wrong.
 *
 * <p>Waiting subscribers live in an intrusive doubly-linked list: adding, cancelling and
 * taking all of them are O(1), so 10,000+ waiters on one channel stay cheap. Taking swaps
 * in a fresh list; the taken nodes keep pointing at the old list, which is how a later
 * {@link #removeWaiter} recognises them and does nothing.
 */
public final class Channel {

    private final String key;
    private final long keyBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private final MessageBuffer buffer = new MessageBuffer();
    private WaitList waiters = new WaitList();
    /** The streams following this channel (protocol.md §14.3); created with the first. */
    private Streams streams;
    /** Epoch second of the last subscriber lookup, or of creation (protocol.md §3.4). */
    private long lastSeen;
    /** Epoch second after which an empty, unwatched channel may be collected (protocol.md §6.2). */
    private long idleDeadline;
    /** Removed from the store; whoever finds it dead must look the key up again. */
    private boolean dead;

    // The store's ledger: what it currently counts for this channel in its totals.
    private long chargedBytes;
    private int chargedMessages;
    private int chargedWaiters;

    /**
     * Creation sets {@code lastSeen = now} (module v0.73+) and the idle deadline
     * {@code now + channelTimeoutSeconds} (protocol.md §6.1).
     */
    public Channel(String key, long nowSeconds, long channelTimeoutSeconds) {
        this.key = key;
        this.keyBytes = MessageBuffer.stringBytes(key);
        this.lastSeen = nowSeconds;
        this.idleDeadline = nowSeconds + channelTimeoutSeconds;
    }

    public String key() { return key; }

    /** Bytes the key's characters occupy (for the memory budget). */
    public long keyBytes() { return keyBytes; }

    public void lock() { lock.lock(); }

    public void unlock() { lock.unlock(); }

    public MessageBuffer buffer() { return buffer; }

    /**
     * A lookup by a publisher (GET/POST/PUT) or a subscriber refreshes the idle deadline with
     * the channel timeout of the location making the request (protocol.md §6.2).
     */
    public void extendIdleDeadline(long nowSeconds, long channelTimeoutSeconds) {
        assert lock.isHeldByCurrentThread();
        idleDeadline = nowSeconds + channelTimeoutSeconds;
    }

    /** A subscriber message lookup, long-poll or interval-poll (protocol.md §3.4 "last requested"). */
    public void markSeen(long nowSeconds) {
        assert lock.isHeldByCurrentThread();
        lastSeen = nowSeconds;
    }

    public long lastSeen() { return lastSeen; }

    public long idleDeadline() { return idleDeadline; }

    /** §6.2: no messages (after expiry), no waiting subscribers, and the idle deadline passed. */
    public boolean isDeletable(long nowSeconds) {
        return buffer.isEmpty() && waiting() == 0 && idleDeadline <= nowSeconds;
    }

    public boolean isDead() { return dead; }

    /** Marks the channel removed; the caller also removes it from the store's map. */
    public void markDead() {
        assert lock.isHeldByCurrentThread();
        dead = true;
    }

    /** Numbers for the publisher (protocol.md §3.4). */
    public ChannelInfo info(long nowSeconds) {
        return new ChannelInfo(buffer.size(), Math.max(0, nowSeconds - lastSeen), waiting());
    }

    /** Waiting long-poll subscribers and following streams: each counts as one (§3.4, §14.4). */
    public int waiting() { return waiters.size + following(); }

    /** Streams following the channel (protocol.md §14.3). */
    public int following() { return streams == null ? 0 : streams.members.size(); }

    /**
     * Registers a stream that stays registered across messages (protocol.md §14.3).
     *
     * @return its handle for {@link #unfollow}
     */
    public Object follow(Subscriber stream) {
        assert lock.isHeldByCurrentThread();
        if (streams == null) streams = new Streams();
        Object handle = new Object();
        streams.members.put(handle, stream);
        streams.array = null;
        return handle;
    }

    /** @return false if the stream was no longer following (ended, channel deleted) */
    public boolean unfollow(Object handle) {
        assert lock.isHeldByCurrentThread();
        if (streams == null || streams.members.remove(handle) == null) return false;
        streams.array = null;
        return true;
    }

    /** Takes every following stream, leaving none (delete, conflict, close). */
    public java.util.List<Subscriber> takeFollowing() {
        assert lock.isHeldByCurrentThread();
        if (streams == null || streams.members.isEmpty()) return java.util.List.of();
        java.util.List<Subscriber> out = new java.util.ArrayList<>(streams.members.values());
        streams.members.clear();
        streams.array = null;
        return out;
    }

    /**
     * Queues a message for the following streams; they get the channel's messages in
     * publish order through {@link #nextFanOut}, which one thread at a time drains.
     */
    public void queueFanOut(Message m) {
        assert lock.isHeldByCurrentThread();
        streams.queue.add(m);
    }

    /**
     * The next message to hand to the streams and the streams following now, or null when
     * none is queued or another thread is draining ({@code draining}: the caller is that
     * thread). A null answer to the draining thread means it has stopped draining.
     */
    public FanOut nextFanOut(boolean draining) {
        assert lock.isHeldByCurrentThread();
        Streams st = streams;
        if (st == null || st.draining != draining) return null;
        Message m = st.queue.poll();
        if (m == null) {
            st.draining = false;
            return null;
        }
        st.draining = true;
        if (st.array == null) st.array = st.members.values().toArray(new Subscriber[0]);
        return new FanOut(m, st.array);
    }

    /** One message and the streams to hand it to (an array that is never changed). */
    public record FanOut(Message message, Subscriber[] to) { }

    private static final class Streams {
        final java.util.LinkedHashMap<Object, Subscriber> members = new java.util.LinkedHashMap<>();
        /** The members as an array, rebuilt after a change; read by the draining thread. */
        Subscriber[] array;
        final java.util.ArrayDeque<Message> queue = new java.util.ArrayDeque<>();
        boolean draining;
    }

    /** Registers a waiting subscriber; O(1). The returned node is the handle for {@link #removeWaiter}. */
    public Waiter addWaiter(Subscriber subscriber) {
        assert lock.isHeldByCurrentThread();
        Waiter w = new Waiter(subscriber, waiters);
        WaitList list = waiters;
        w.prev = list.tail;
        if (list.tail == null) {
            list.head = w;
        } else {
            list.tail.next = w;
        }
        list.tail = w;
        list.size++;
        return w;
    }

    /**
     * Removes a waiter in O(1) if it is still waiting here.
     *
     * @return false if it was already removed or taken (delivered, ended, channel deleted)
     */
    public boolean removeWaiter(Waiter w) {
        assert lock.isHeldByCurrentThread();
        WaitList list = waiters;
        if (w.list != list) {
            return false;
        }
        if (w.prev == null) list.head = w.next; else w.prev.next = w.next;
        if (w.next == null) list.tail = w.prev; else w.next.prev = w.prev;
        w.prev = null;
        w.next = null;
        w.list = null;
        list.size--;
        return true;
    }

    /** Appends the waiting subscribers, in the order they started waiting, to {@code out}. */
    public void copyWaitersTo(java.util.List<Subscriber> out) {
        assert lock.isHeldByCurrentThread();
        for (Waiter w = waiters.head; w != null; w = w.next) out.add(w.subscriber);
        if (streams != null) out.addAll(streams.members.values());
    }

    /**
     * Takes every waiting subscriber in O(1), leaving none. The result may be iterated after
     * unlocking: nothing changes the taken nodes any more.
     */
    public Waiters takeWaiters() {
        assert lock.isHeldByCurrentThread();
        WaitList taken = waiters;
        waiters = new WaitList();
        return new Waiters(taken);
    }

    public long chargedBytes() { return chargedBytes; }

    public int chargedMessages() { return chargedMessages; }

    public int chargedWaiters() { return chargedWaiters; }

    /** Records what the store now counts for this channel (store bookkeeping; lock held). */
    public void recordCharge(long bytes, int messages, int waiting) {
        assert lock.isHeldByCurrentThread();
        this.chargedBytes = bytes;
        this.chargedMessages = messages;
        this.chargedWaiters = waiting;
    }

    @Override
    public String toString() {
        return "Channel[" + key + ", " + buffer.size() + " messages, " + waiting() + " waiting"
                + (dead ? ", dead" : "") + "]";
    }

    /** A node of the waiting list; the handle of one registration. */
    public static final class Waiter {
        private final Subscriber subscriber;
        private WaitList list;
        private Waiter prev;
        private Waiter next;

        private Waiter(Subscriber subscriber, WaitList list) {
            this.subscriber = subscriber;
            this.list = list;
        }
    }

    private static final class WaitList {
        Waiter head;
        Waiter tail;
        int size;
    }

    /** Subscribers taken from a channel, in the order they started waiting. */
    public static final class Waiters implements Iterable<Subscriber> {
        private final WaitList list;

        private Waiters(WaitList list) {
            this.list = list;
        }

        public int size() { return list.size; }

        public boolean isEmpty() { return list.size == 0; }

        @Override
        public Iterator<Subscriber> iterator() {
            return new Iterator<>() {
                private Waiter cursor = list.head;

                @Override
                public boolean hasNext() { return cursor != null; }

                @Override
                public Subscriber next() {
                    if (cursor == null) throw new NoSuchElementException();
                    Subscriber s = cursor.subscriber;
                    cursor = cursor.next;
                    return s;
                }
            };
        }
    }
}
