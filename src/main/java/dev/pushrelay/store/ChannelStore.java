package dev.pushrelay.store;

import dev.pushrelay.channel.BufferPolicy;
import dev.pushrelay.channel.ChannelInfo;
import dev.pushrelay.channel.Cursor;
import dev.pushrelay.channel.Fetch;
import dev.pushrelay.channel.Message;
import dev.pushrelay.channel.MessageDraft;
import dev.pushrelay.channel.PublishResult;
import dev.pushrelay.channel.SubscribePolicy;
import dev.pushrelay.channel.Subscriber;

import java.util.List;
import java.util.Optional;

/**
 * Holds channels, their message queues and their waiting subscribers.
 *
 * <p>Contract for every implementation: a publish (id assignment, enqueue, trim, and
 * taking the set of waiting subscribers) is atomic per channel, so every waiting
 * subscriber gets each message exactly once and in order. Subscriber callbacks run after
 * the channel lock is released. No method blocks on I/O in the in-memory case. Channel
 * keys are already complete ({@code group + "/" + id}, protocol.md §1).
 */
public interface ChannelStore extends AutoCloseable {

    /**
     * Publishes a message: creates the channel if needed, assigns its id (§3.2), stores it
     * unless the policy stores nothing (§5.7), trims (§5.3), and hands it to every waiting
     * long-poll subscriber.
     */
    PublishResult publish(String key, MessageDraft draft, BufferPolicy policy);

    /**
     * Long-poll fetch (§4.3): applies authorization, concurrency and the subscriber limit,
     * then returns the first stored message after {@code after}, or registers
     * {@code waiter} and returns {@link Fetch.Waiting}.
     *
     * @param ignoreQueue push_ignore_queue_on_no_cache matched: wait for the next message (§4.7)
     */
    Fetch subscribe(String key, Cursor after, SubscribePolicy policy, boolean ignoreQueue, Subscriber waiter);

    /**
     * A stream's registration (protocol.md §14.3): judged as {@link #subscribe} judges a
     * long-poll, but answered with every stored message after {@code after} and, unless
     * refused, {@link Fetch.Following}: {@code stream} stays registered and gets every
     * message published from then on, in order, each once, until it cancels or is ended
     * (delete, conflict). It counts as one waiting subscriber meanwhile.
     *
     * @return null when this store keeps no standing subscribers: the caller follows the
     *         channel with {@link #subscribe} again after each message
     */
    default Fetch follow(String key, Cursor after, SubscribePolicy policy, boolean ignoreQueue, Subscriber stream) {
        return null;
    }

    /**
     * Interval-poll fetch (§4.5): always creates the channel, never waits and skips
     * authorization, concurrency and limits; returns Found or NotYet (or Refused when the
     * memory budget cannot hold a new channel).
     */
    Fetch poll(String key, Cursor after, long channelTimeoutSeconds);

    /**
     * The id of the newest message published to channel {@code key} that it no longer
     * stores (trimmed, expired, never stored), or null when none or no such channel: a
     * subscriber whose cursor is before it has missed messages (protocol.md §14.5). Changes
     * nothing but expiry; a store that cannot tell answers null (no gap signal).
     */
    default Cursor forgottenThrough(String key) {
        return null;
    }

    /**
     * Where a subscriber starts that asks for the Nth stored message of channel {@code key}
     * (nchan_subscriber_first_message N, protocol.md §14.7): see {@link
     * dev.pushrelay.channel.MessageBuffer#before}. Null when nothing is stored or no such
     * channel; changes nothing but expiry. A store that cannot tell answers null.
     */
    default Cursor before(String key, int nth) {
        return null;
    }

    /** What {@link #chargeEncoding} did. */
    enum Charge {
        /** Counted against push_max_reserved_memory until the message leaves the store. */
        CHARGED,
        /** The message is not (or no longer) stored: it lives only as long as its deliveries. */
        NOT_STORED,
        /** The budget cannot hold it: do not keep the encoding. */
        NO_ROOM
    }

    /**
     * Charges {@code bytes} held for stored message {@code m} of channel {@code key} beyond
     * its payload (the HTTP layer's cached gzip form, protocol.md §6.3) to the memory budget,
     * for as long as the message stays stored.
     */
    Charge chargeEncoding(String key, Message m, long bytes);

    /** Publisher GET (§3.1): the channel's numbers, refreshing its idle timer, or empty. */
    Optional<ChannelInfo> info(String key, long channelTimeoutSeconds);

    /**
     * Publisher DELETE (§3.3): the numbers as they were, after which the channel is gone and
     * every waiting subscriber has been ended with GONE; empty if there was no channel.
     */
    Optional<ChannelInfo> delete(String key);

    /** Expires messages and collects idle channels (§5.6, §6.2); called periodically. */
    void sweep();

    /** A cheap snapshot of the totals, for metrics and status pages. */
    StoreStats stats();

    /**
     * Every subscriber waiting now, copied channel by channel under each channel's lock: for
     * a graceful stop, which answers them all (protocol.md §10). The store is where waiters
     * already live, so the server keeps no second registry of them.
     */
    List<Subscriber> waiting();

    /**
     * Every channel that holds messages or an id counter, for a restart without loss
     * (README "Operating pushrelay"). Each channel is copied under its own lock; messages
     * already expired are left out.
     */
    List<ChannelSnapshot> snapshot();

    /**
     * Puts saved channels back, for start-up: skips expired messages, channels that already
     * exist or are inconsistent, and channels the memory budget cannot hold (§6.3).
     */
    RestoreResult restore(List<ChannelSnapshot> channels);

    /**
     * Changes push_max_reserved_memory at a reload. Shrinking below what is held removes
     * nothing: growth is refused until enough has expired or been collected (§6.3).
     */
    void budget(long bytes);

    /**
     * push_max_reserved_memory as it is now: no message of this size or more can be stored
     * (§6.3); a publish reads it before its body to refuse an oversized one early.
     */
    long budget();

    @Override
    void close();
}
