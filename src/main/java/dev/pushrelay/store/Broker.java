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
import java.util.concurrent.CompletionStage;

/**
 * What the HTTP endpoints ask of the place channels live (architecture.md §4): append, read
 * after a cursor, channel info and delete, each answered by a {@link CompletionStage}. The
 * in-memory broker answers with stages already complete, so a push request on one process
 * never waits; the Redis broker answers when its script replied. The semantics are those
 * of {@link ChannelStore} (protocol.md §3-§7), whichever process a request arrives on.
 *
 * <p>A stage fails with {@link BrokerUnavailableException} when the broker cannot be
 * reached (the HTTP layer answers 503 with Retry-After, protocol.md §13); nothing else is
 * expected to fail.
 */
public interface Broker {

    /** {@link ChannelStore#publish}: 201/202 judged by the waiters of every process. */
    CompletionStage<PublishResult> publish(String key, MessageDraft draft, BufferPolicy policy);

    /**
     * {@link ChannelStore#subscribe}: {@code waiter} is registered when the stage answers
     * {@link Fetch.Waiting}; it may be called (delivered, ended) before the stage completes
     * only on the in-memory broker, whose stage is complete on return anyway.
     */
    CompletionStage<Fetch> subscribe(String key, Cursor after, SubscribePolicy policy, boolean ignoreQueue,
                                     Subscriber waiter);

    /** {@link ChannelStore#poll}. */
    CompletionStage<Fetch> poll(String key, Cursor after, long channelTimeoutSeconds);

    /** {@link ChannelStore#info}: subscribers counted on every process. */
    CompletionStage<Optional<ChannelInfo>> info(String key, long channelTimeoutSeconds);

    /** {@link ChannelStore#delete}: every process's waiters get 410. */
    CompletionStage<Optional<ChannelInfo>> delete(String key);

    /**
     * Charges an encoding held for {@code m} (the gzip form, protocol.md §6.3). A broker whose
     * messages live elsewhere answers {@link ChannelStore.Charge#NOT_STORED}: the process's
     * copy lives only as long as its deliveries.
     */
    ChannelStore.Charge chargeEncoding(String key, Message m, long bytes);

    /** push_max_reserved_memory: no publish body of this size or more is read (§6.3). */
    long budget();

    /**
     * {@link ChannelStore#forgottenThrough} and {@link ChannelStore#before}{@code (key, nth)}
     * in one answer, for a broker whose channels live elsewhere (protocol.md §14.5, §14.7):
     * each null when not known ({@code nth} 0: not asked). A broker that cannot tell
     * answers both null (no gap signal, the oldest message first).
     */
    default CompletionStage<Cursor[]> cursorFacts(String key, int nth) {
        return java.util.concurrent.CompletableFuture.completedFuture(new Cursor[2]);
    }

    /** Every subscriber parked on this process, for the graceful stop (protocol.md §10). */
    List<Subscriber> waiting();
}
