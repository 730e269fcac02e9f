package dev.pushrelay.store.memory;

import dev.pushrelay.channel.BufferPolicy;
import dev.pushrelay.channel.Channel;
import dev.pushrelay.channel.ChannelInfo;
import dev.pushrelay.channel.ConcurrencyMode;
import dev.pushrelay.channel.Cursor;
import dev.pushrelay.channel.Fetch;
import dev.pushrelay.channel.Message;
import dev.pushrelay.channel.MessageBuffer;
import dev.pushrelay.channel.MessageDraft;
import dev.pushrelay.channel.PublishResult;
import dev.pushrelay.channel.Refusal;
import dev.pushrelay.channel.SubscribePolicy;
import dev.pushrelay.channel.Subscriber;
import dev.pushrelay.store.ChannelSnapshot;
import dev.pushrelay.store.ChannelStore;
import dev.pushrelay.store.RestoreResult;
import dev.pushrelay.store.StoreStats;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The single-process store: a {@link ConcurrentHashMap} of {@link Channel}s, each guarded
 * by its own lock. Starts no threads; the server calls {@link #sweep()} every second.
 * Time is {@code clock.instant().getEpochSecond()}: whole seconds, like nginx's cached clock.
 *
 * <p><b>Removal races.</b> A channel is removed (delete, GC, a failed creation) only while
 * its lock is held: it is marked dead and then removed from the map with
 * {@code remove(key, channel)}. Whoever locks a channel and finds it dead looks the key up
 * again, so a publish or subscribe racing a removal lands on a live channel, never on the
 * removed one.
 *
 * <p><b>Memory budget</b> ({@code push_max_reserved_memory}, protocol.md §6.3). Every
 * channel is charged from its state by one formula ({@link #costOf}); after each mutation
 * the difference to what was charged before is applied ({@link #settle}), and a removed
 * channel gives back exactly what it was charged ({@link #release}). So accounting is
 * symmetric by construction: with no channels, {@code reservedBytes} is 0. Growth is
 * reserved <em>before</em> the mutation; if it does not fit, every deletable idle channel
 * is collected (emergency GC) and the operation is retried once from scratch, else it is
 * refused and nothing has changed. No operation holds a channel lock while collecting.
 */
public final class InMemoryChannelStore implements ChannelStore {

    private static final Logger LOG = Logger.getLogger(InMemoryChannelStore.class.getName());

    /*
     * Accounting constants: estimates of the JVM heap (64-bit, compressed oops) behind each
     * object, on top of the variable bytes (key characters, message body and Content-Type)
     * charged separately.
     *
     * A channel: the Channel object (~64 B), its ReentrantLock and Sync (~48 B), the
     * MessageBuffer with its initial 4-slot array (~80 B), the empty wait list (~24 B), the
     * ConcurrentHashMap node and table slot (~40 B), the key String (~24 B header + 16 B
     * array header): about 300 B; rounded up to 320 for table growth.
     */
    static final long CHANNEL_OVERHEAD_BYTES = 320;
    /*
     * A stored message: the Message object (~40 B), its Cursor (~32 B), the body byte[]
     * header (16 B), the Content-Type String headers (~40 B), the ring-buffer slot and the
     * cached encoded response header the HTTP layer attaches (~60 B): about 190 B; 192.
     */
    static final long MESSAGE_OVERHEAD_BYTES = 192;
    /*
     * A waiting subscriber as the store sees it: the Waiter node (~32 B) and the
     * Subscription lambda (~24 B), plus slack: 64 B. The parked HTTP exchange itself is
     * the HTTP layer's memory, not the store's.
     */
    static final long SUBSCRIBER_OVERHEAD_BYTES = 64;

    private final Clock clock;
    /** push_max_reserved_memory; a reload may change it (README "Operating pushrelay"). */
    private volatile long budgetBytes;
    private final ConcurrentHashMap<String, Channel> channels = new ConcurrentHashMap<>();
    private final AtomicLong reservedBytes = new AtomicLong();
    private final AtomicLong messageCount = new AtomicLong();
    private final AtomicLong waitingCount = new AtomicLong();

    public InMemoryChannelStore(Clock clock, long budgetBytes) {
        this.clock = Objects.requireNonNull(clock, "clock");
        budget(budgetBytes);
    }

    @Override
    public void budget(long bytes) {
        if (bytes <= 0) throw new IllegalArgumentException("budgetBytes must be positive");
        this.budgetBytes = bytes;
    }

    @Override
    public long budget() {
        return budgetBytes;
    }

    // ------------------------------------------------------------------ publish

    @Override
    public PublishResult publish(String key, MessageDraft draft, BufferPolicy policy) {
        PublishResult r = tryPublish(key, draft, policy);
        if (r == null) {
            collectGarbage(); // protocol.md §6.3: emergency GC, then retry once
            r = tryPublish(key, draft, policy);
        }
        return r != null ? r : new PublishResult.Rejected(Refusal.OUT_OF_MEMORY);
    }

    /** @return null when the budget cannot hold it; nothing has changed then. */
    private PublishResult tryPublish(String key, MessageDraft draft, BufferPolicy policy) {
        long now = now();
        Channel c = acquire(key, true, now, policy.channelTimeoutSeconds());
        Message message;
        Channel.Waiters taken;
        int following;
        ChannelInfo info = null;
        try {
            expire(c, now);
            MessageBuffer buffer = c.buffer();
            // protocol.md §3.2: id from the channel, expiry from the publishing location.
            message = new Message(buffer.nextId(now), draft.body(), draft.contentType(),
                    policy.messageTimeoutSeconds() == 0 ? 0 : now + policy.messageTimeoutSeconds(),
                    policy.deleteOldestReceived() ? policy.minMessages() : Message.NEVER, draft.eventName());
            // With storing off the message is charged only until it has been handed out.
            long prospective = costOf(c) + messageCost(message);
            if (policy.maxMessages() > 0 && buffer.size() + 1 > policy.maxMessages()) {
                prospective -= MESSAGE_OVERHEAD_BYTES + buffer.oldestBytes(); // the trim of protocol.md §5.3
            }
            if (!reserve(c, prospective)) {
                discardIfUncharged(c);
                return null;
            }
            c.extendIdleDeadline(now, policy.channelTimeoutSeconds());
            buffer.append(message, policy.maxMessages()); // §5.3 trim, §5.7 store off
            purgeReceived(buffer, message, policy);
            taken = c.takeWaiters(); // atomic with the append: each waiter gets it exactly once
            following = c.following();
            if (following > 0) {
                c.queueFanOut(message); // §14.3: in publish order, to the streams following now
                c.markSeen(now); // a stream is a subscriber asking all the time (§3.4)
            }
            settle(c);
            if (taken.isEmpty() && following == 0) {
                info = c.info(now);
            }
        } finally {
            c.unlock();
        }
        if (following > 0) fanOut(c);
        if (taken.isEmpty() && following == 0) {
            return new PublishResult.Published(info, 0, message);
        }
        int received = following;
        for (Subscriber s : taken) {
            if (deliver(s, message)) received++;
        }
        c.lock();
        try {
            if (!c.isDead()) {
                if (received > 0) {
                    c.buffer().addReceived(message, received); // §5.5
                    deleteOldestReceived(c, message); // §5.4, once for the whole batch
                }
                settle(c);
            }
            info = c.info(now);
        } finally {
            c.unlock();
        }
        return new PublishResult.Published(info, taken.size() + following, message);
    }

    /**
     * Hands the channel's queued messages to its streams (protocol.md §14.3), outside the
     * lock and one thread at a time, so every stream gets them in publish order: a publish
     * that finds another thread draining leaves its message to that thread.
     */
    private static void fanOut(Channel c) {
        boolean draining = false;
        while (true) {
            Channel.FanOut next;
            c.lock();
            try {
                next = c.nextFanOut(draining);
            } finally {
                c.unlock();
            }
            if (next == null) return;
            draining = true;
            for (Subscriber s : next.to()) deliver(s, next.message());
        }
    }

    // ---------------------------------------------------------------- subscribe

    @Override
    public Fetch subscribe(String key, Cursor after, SubscribePolicy policy, boolean ignoreQueue, Subscriber waiter) {
        return subscribe(key, after, policy, ignoreQueue, waiter, false);
    }

    @Override
    public Fetch follow(String key, Cursor after, SubscribePolicy policy, boolean ignoreQueue, Subscriber stream) {
        return subscribe(key, after, policy, ignoreQueue, stream, true);
    }

    private Fetch subscribe(String key, Cursor after, SubscribePolicy policy, boolean ignoreQueue, Subscriber waiter,
                            boolean stream) {
        Objects.requireNonNull(waiter, "waiter");
        Fetch f = trySubscribe(key, after, policy, ignoreQueue, waiter, stream);
        if (f == null) {
            collectGarbage();
            f = trySubscribe(key, after, policy, ignoreQueue, waiter, stream);
        }
        return f != null ? f : new Fetch.Refused(Refusal.OUT_OF_MEMORY);
    }

    private Fetch trySubscribe(String key, Cursor after, SubscribePolicy policy, boolean ignoreQueue,
                               Subscriber waiter, boolean stream) {
        long now = now();
        // protocol.md §4.3 step 1: authorized-only never creates the channel.
        Channel c = acquire(key, !policy.authorizedOnly(), now, policy.channelTimeoutSeconds());
        if (c == null) {
            return new Fetch.Refused(Refusal.NO_SUCH_CHANNEL);
        }
        Fetch result;
        Channel.Waiters kicked = null;
        List<Subscriber> kickedStreams = List.of();
        try {
            expire(c, now);
            // protocol.md §7: concurrency, judged by the current number of waiters.
            int current = c.waiting();
            boolean kick = false;
            if (current > 0) {
                if (policy.maxSubscribers() != 0 && current >= policy.maxSubscribers()) {
                    return new Fetch.Refused(Refusal.TOO_MANY_SUBSCRIBERS);
                }
                if (policy.concurrency() == ConcurrencyMode.FIRST) {
                    return new Fetch.Refused(Refusal.CONFLICT);
                }
                kick = policy.concurrency() == ConcurrencyMode.LAST;
            }
            // protocol.md §4.2, §4.7: the lookup.
            Message found = ignoreQueue ? null : c.buffer().find(after);
            long prospective = costOf(c)
                    + (found == null || stream ? SUBSCRIBER_OVERHEAD_BYTES : 0)
                    - (kick ? current * SUBSCRIBER_OVERHEAD_BYTES : 0);
            if (!reserve(c, prospective)) {
                discardIfUncharged(c);
                return null;
            }
            c.extendIdleDeadline(now, policy.channelTimeoutSeconds());
            c.markSeen(now);
            if (kick) {
                kicked = c.takeWaiters(); // §7.2: every waiter of the channel, any location
                kickedStreams = c.takeFollowing(); // a stream too (§14.4)
            }
            if (stream) {
                result = follow(c, found, waiter);
            } else if (found != null) {
                c.buffer().addReceived(found, 1); // §5.5 (the module counted 2 here: a double increment, not copied)
                deleteOldestReceived(c, found); // §5.4 on a FOUND response
                result = new Fetch.Found(found);
            } else {
                Channel.Waiter node = c.addWaiter(waiter);
                result = new Fetch.Waiting(() -> cancel(c, node));
            }
            settle(c);
        } finally {
            c.unlock();
        }
        if (kicked != null) {
            for (Subscriber s : kicked) {
                end(s, Refusal.CONFLICT);
            }
        }
        for (Subscriber s : kickedStreams) {
            end(s, Refusal.CONFLICT);
        }
        return result;
    }

    /**
     * A stream's registration, lock held (protocol.md §14.3): every stored message from
     * {@code found} on, each received once as a long-poll would receive it (§5.4, §5.5), and
     * the stream stays among the channel's subscribers.
     */
    private Fetch follow(Channel c, Message found, Subscriber stream) {
        List<Message> stored = new ArrayList<>();
        for (Message m = found; m != null; m = c.buffer().find(m.id())) {
            stored.add(m);
            c.buffer().addReceived(m, 1);
            deleteOldestReceived(c, m);
        }
        Object handle = c.follow(stream);
        return new Fetch.Following(stored, c.buffer().lastId(), () -> unfollow(c, handle));
    }

    /** The stream's Subscription.cancel(): idempotent, no effect after delete or a conflict. */
    private void unfollow(Channel c, Object handle) {
        c.lock();
        try {
            if (!c.isDead() && c.unfollow(handle)) {
                settle(c);
            }
        } finally {
            c.unlock();
        }
    }

    /**
     * protocol.md §5.5, the 0.68-0.69 meaning of push_min_message_recipients: after each
     * publish's trim, the oldest stored message is removed when the channel holds more than
     * push_min_message_buffer_length messages and it has been received at least that many
     * times. Never the message being published. Call under the channel lock.
     */
    private static void purgeReceived(MessageBuffer buffer, Message published, BufferPolicy policy) {
        if (policy.minRecipients() < 0) return;
        Message oldest = buffer.oldest();
        if (oldest != null && oldest != published && buffer.size() > policy.minMessages()
                && buffer.oldestReceived() >= policy.minRecipients()) {
            buffer.removeOldest();
        }
    }

    /** Subscription.cancel(): O(1), idempotent, no effect after delivery, end or delete. */
    private void cancel(Channel c, Channel.Waiter node) {
        c.lock();
        try {
            if (!c.isDead() && c.removeWaiter(node)) {
                settle(c);
            }
        } finally {
            c.unlock();
        }
    }

    // --------------------------------------------------------------------- poll

    @Override
    public Fetch poll(String key, Cursor after, long channelTimeoutSeconds) {
        Fetch f = tryPoll(key, after, channelTimeoutSeconds);
        if (f == null) {
            collectGarbage();
            f = tryPoll(key, after, channelTimeoutSeconds);
        }
        return f != null ? f : new Fetch.Refused(Refusal.OUT_OF_MEMORY);
    }

    private Fetch tryPoll(String key, Cursor after, long channelTimeoutSeconds) {
        long now = now();
        // protocol.md §4.5: always get-or-create, no authorization/concurrency/limit checks.
        Channel c = acquire(key, true, now, channelTimeoutSeconds);
        try {
            expire(c, now);
            if (!reserve(c, costOf(c))) { // only a new channel needs anything
                discardIfUncharged(c);
                return null;
            }
            c.extendIdleDeadline(now, channelTimeoutSeconds);
            c.markSeen(now);
            settle(c);
            Message found = c.buffer().find(after);
            // No delete-oldest-received on this path (protocol.md §4.5, §5.4).
            return found != null ? new Fetch.Found(found) : Fetch.NOT_YET;
        } finally {
            c.unlock();
        }
    }

    // ------------------------------------------------------------- info, delete

    @Override
    public Optional<ChannelInfo> info(String key, long channelTimeoutSeconds) {
        long now = now();
        Channel c = acquire(key, false, now, channelTimeoutSeconds);
        if (c == null) {
            return Optional.empty();
        }
        try {
            expire(c, now);
            c.extendIdleDeadline(now, channelTimeoutSeconds); // publisher GET refreshes the idle timer (§6.2)
            return Optional.of(c.info(now));
        } finally {
            c.unlock();
        }
    }

    @Override
    public Cursor forgottenThrough(String key) {
        long now = now();
        Channel c = acquire(key, false, now, 0);
        if (c == null) return null;
        try {
            expire(c, now);
            return c.buffer().forgottenThrough();
        } finally {
            c.unlock();
        }
    }

    @Override
    public Cursor before(String key, int nth) {
        long now = now();
        Channel c = acquire(key, false, now, 0);
        if (c == null) return null;
        try {
            expire(c, now);
            return c.buffer().before(nth);
        } finally {
            c.unlock();
        }
    }

    @Override
    public Charge chargeEncoding(String key, Message m, long bytes) {
        Channel c = acquire(key, false, now(), 0);
        if (c == null) {
            return Charge.NOT_STORED;
        }
        try {
            if (!c.buffer().contains(m)) {
                return Charge.NOT_STORED;
            }
            if (!reserve(c, costOf(c) + bytes)) {
                return Charge.NO_ROOM;
            }
            c.buffer().charge(m, bytes);
            settle(c);
            return Charge.CHARGED;
        } finally {
            c.unlock();
        }
    }

    @Override
    public Optional<ChannelInfo> delete(String key) {
        long now = now();
        Channel c = acquire(key, false, now, 0);
        if (c == null) {
            return Optional.empty();
        }
        ChannelInfo before;
        Channel.Waiters taken;
        List<Subscriber> streams;
        try {
            expire(c, now); // a lookup cleans the channel first, so "before" excludes expired ones
            before = c.info(now);
            taken = c.takeWaiters();
            streams = c.takeFollowing();
            c.buffer().clear();
            remove(c);
        } finally {
            c.unlock();
        }
        for (Subscriber s : taken) {
            end(s, Refusal.GONE); // protocol.md §3.3: 410 to every waiter
        }
        for (Subscriber s : streams) {
            end(s, Refusal.GONE);
        }
        return Optional.of(before);
    }

    // ----------------------------------------------------------- sweep, stats

    /**
     * Expires messages on every channel, touched or not (protocol.md §5.6, here eager), and
     * removes every deletable channel (§6.2).
     */
    @Override
    public void sweep() {
        collectGarbage();
    }

    /**
     * Expires messages everywhere and removes deletable channels; also the emergency GC of
     * protocol.md §6.3. Must be called without holding any channel lock.
     *
     * @return how many channels were removed
     */
    int collectGarbage() {
        long now = now();
        int removed = 0;
        for (Channel c : channels.values()) {
            c.lock();
            try {
                if (c.isDead()) {
                    continue;
                }
                expire(c, now);
                if (c.isDeletable(now)) {
                    remove(c);
                    removed++;
                }
            } finally {
                c.unlock();
            }
        }
        return removed;
    }

    @Override
    public StoreStats stats() {
        return new StoreStats(channels.size(), messageCount.get(), waitingCount.get(),
                reservedBytes.get(), budgetBytes);
    }

    @Override
    public List<Subscriber> waiting() {
        List<Subscriber> out = new ArrayList<>();
        for (Channel c : channels.values()) {
            c.lock();
            try {
                c.copyWaitersTo(out);
            } finally {
                c.unlock();
            }
        }
        return out;
    }

    // ---------------------------------------------------------- snapshot, restore

    @Override
    public List<ChannelSnapshot> snapshot() {
        long now = now();
        List<ChannelSnapshot> out = new ArrayList<>();
        for (Channel c : channels.values()) {
            c.lock();
            try {
                if (c.isDead()) {
                    continue;
                }
                expire(c, now);
                MessageBuffer b = c.buffer();
                if (b.isEmpty() && b.lastId() == null) {
                    continue; // nothing a client could hold a cursor into
                }
                out.add(new ChannelSnapshot(c.key(), b.lastId(), c.lastSeen(), c.idleDeadline(), b.messages()));
            } finally {
                c.unlock();
            }
        }
        return out;
    }

    /**
     * A restored channel may be collected no sooner than this many seconds after start-up,
     * whatever its saved idle deadline: its subscribers are re-polling right after the
     * restart and must find the id counter (the module's default push_channel_timeout).
     */
    static final long RESTORE_GRACE_SECONDS = 5;

    @Override
    public RestoreResult restore(List<ChannelSnapshot> saved) {
        long now = now();
        int restoredChannels = 0;
        long restoredMessages = 0;
        long expired = 0;
        int overBudget = 0;
        int invalid = 0;
        for (ChannelSnapshot snap : saved) {
            Channel fresh = new Channel(snap.key(), now, 0);
            fresh.lock();
            try {
                if (channels.putIfAbsent(snap.key(), fresh) != null) {
                    invalid++; // already there: the live channel wins
                    continue;
                }
                MessageBuffer b = fresh.buffer();
                int kept = 0;
                try {
                    for (Message m : snap.messages()) {
                        if (m.isExpired(now)) {
                            expired++; // protocol.md §5.6: an expired message is never delivered
                            continue;
                        }
                        b.append(m, Integer.MAX_VALUE);
                        kept++;
                    }
                    if (snap.lastId() != null) {
                        b.restoreLastId(snap.lastId());
                    }
                } catch (IllegalArgumentException e) { // ids out of order: not a channel we wrote
                    fresh.markDead();
                    channels.remove(snap.key(), fresh);
                    invalid++;
                    continue;
                }
                // Times as saved; extendIdleDeadline(deadline, 0) sets the idle deadline itself.
                fresh.markSeen(Math.min(snap.lastSeen(), now));
                fresh.extendIdleDeadline(Math.max(snap.idleDeadline(), now + RESTORE_GRACE_SECONDS), 0);
                if (!reserve(fresh, costOf(fresh))) {
                    fresh.markDead();
                    channels.remove(snap.key(), fresh);
                    overBudget++;
                    continue;
                }
                settle(fresh);
                restoredChannels++;
                restoredMessages += kept;
            } finally {
                fresh.unlock();
            }
        }
        return new RestoreResult(restoredChannels, restoredMessages, expired, overBudget, invalid);
    }

    /** Forgets every channel without ending waiters (the server answers them itself first). */
    @Override
    public void close() {
        for (Channel c : channels.values()) {
            c.lock();
            try {
                if (!c.isDead()) {
                    c.takeWaiters(); // their Subscription.cancel() becomes a no-op
                    c.takeFollowing();
                    c.buffer().clear();
                    remove(c);
                }
            } finally {
                c.unlock();
            }
        }
    }

    // ---------------------------------------------------------------- internals

    private long now() {
        return Math.floorDiv(clock.millis(), 1000); // the instant's second, without an Instant per call
    }

    /**
     * Returns the live channel for {@code key}, locked, creating it if {@code create}; or
     * null. A new channel is locked before it is published in the map, so nobody can use it
     * before the creator has reserved its memory (or discarded it).
     */
    private Channel acquire(String key, boolean create, long now, long channelTimeoutSeconds) {
        while (true) {
            Channel c = channels.get(key);
            if (c == null) {
                if (!create) {
                    return null;
                }
                Channel fresh = new Channel(key, now, channelTimeoutSeconds);
                fresh.lock();
                Channel prev = channels.putIfAbsent(key, fresh);
                if (prev == null) {
                    return fresh;
                }
                fresh.unlock();
                c = prev;
            }
            c.lock();
            if (!c.isDead()) {
                return c;
            }
            c.unlock(); // removed meanwhile; the map no longer holds it, look again
        }
    }

    /** Removes a live channel, lock held: dead, out of the map, its charge given back. */
    private void remove(Channel c) {
        c.markDead();
        channels.remove(c.key(), c);
        release(c);
    }

    /** A channel created by this operation that could not be paid for disappears unseen. */
    private void discardIfUncharged(Channel c) {
        if (c.chargedBytes() == 0) {
            c.markDead();
            channels.remove(c.key(), c);
        }
    }

    /** Lock held. Removes expired messages and gives back their memory. */
    private void expire(Channel c, long now) {
        if (c.buffer().removeExpired(now) > 0) {
            settle(c);
        }
    }

    /** §5.4: the received message goes if it is the oldest stored and enough remain. */
    private static void deleteOldestReceived(Channel c, Message m) {
        MessageBuffer b = c.buffer();
        if (b.size() > m.deleteOldestReceivedMin() && b.oldest() == m) {
            b.removeOldest();
        }
    }

    private static long messageCost(Message m) {
        return MESSAGE_OVERHEAD_BYTES + MessageBuffer.payloadBytes(m);
    }

    /** What a channel in its current state costs. The one formula all accounting derives from. */
    private static long costOf(Channel c) {
        MessageBuffer b = c.buffer();
        return CHANNEL_OVERHEAD_BYTES + c.keyBytes()
                + b.size() * MESSAGE_OVERHEAD_BYTES + b.bytes()
                + c.waiting() * SUBSCRIBER_OVERHEAD_BYTES;
    }

    /**
     * Lock held. Makes sure {@code prospective} bytes are charged for {@code c} before a
     * mutation grows it; shrinking is settled afterwards.
     *
     * @return false if the budget cannot hold the growth (nothing reserved then)
     */
    private boolean reserve(Channel c, long prospective) {
        long delta = prospective - c.chargedBytes();
        if (delta <= 0) {
            return true;
        }
        while (true) {
            long cur = reservedBytes.get();
            if (cur + delta > budgetBytes) {
                return false;
            }
            if (reservedBytes.compareAndSet(cur, cur + delta)) {
                c.recordCharge(prospective, c.chargedMessages(), c.chargedWaiters());
                return true;
            }
        }
    }

    /** Lock held, channel live. Brings the totals in line with the channel's current state. */
    private void settle(Channel c) {
        long bytes = costOf(c);
        int messages = c.buffer().size();
        int waiting = c.waiting();
        reservedBytes.addAndGet(bytes - c.chargedBytes());
        messageCount.addAndGet(messages - c.chargedMessages());
        waitingCount.addAndGet(waiting - c.chargedWaiters());
        c.recordCharge(bytes, messages, waiting);
    }

    /** Lock held. Gives back everything charged for a removed channel. */
    private void release(Channel c) {
        reservedBytes.addAndGet(-c.chargedBytes());
        messageCount.addAndGet(-c.chargedMessages());
        waitingCount.addAndGet(-c.chargedWaiters());
        c.recordCharge(0, 0, 0);
    }

    private static boolean deliver(Subscriber s, Message m) {
        try {
            return s.deliver(m);
        } catch (RuntimeException e) { // one broken subscriber must not starve the others
            LOG.log(Level.WARNING, "subscriber failed to take a message", e);
            return false;
        }
    }

    private static void end(Subscriber s, Refusal why) {
        try {
            s.end(why);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "subscriber failed to end", e);
        }
    }
}
