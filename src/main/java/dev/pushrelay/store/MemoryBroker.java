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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The single-process broker: a {@link ChannelStore} whose answers are stages already
 * complete, so the handler goes on at once on the same thread (the store's own
 * contract, locks and memory budget are unchanged).
 */
public final class MemoryBroker implements Broker {

    private final ChannelStore store;

    public MemoryBroker(ChannelStore store) {
        this.store = store;
    }

    public ChannelStore store() {
        return store;
    }

    @Override
    public CompletionStage<PublishResult> publish(String key, MessageDraft draft, BufferPolicy policy) {
        return CompletableFuture.completedFuture(store.publish(key, draft, policy));
    }

    @Override
    public CompletionStage<Fetch> subscribe(String key, Cursor after, SubscribePolicy policy, boolean ignoreQueue,
                                            Subscriber waiter) {
        return CompletableFuture.completedFuture(store.subscribe(key, after, policy, ignoreQueue, waiter));
    }

    @Override
    public CompletionStage<Fetch> poll(String key, Cursor after, long channelTimeoutSeconds) {
        return CompletableFuture.completedFuture(store.poll(key, after, channelTimeoutSeconds));
    }

    @Override
    public CompletionStage<Optional<ChannelInfo>> info(String key, long channelTimeoutSeconds) {
        return CompletableFuture.completedFuture(store.info(key, channelTimeoutSeconds));
    }

    @Override
    public CompletionStage<Optional<ChannelInfo>> delete(String key) {
        return CompletableFuture.completedFuture(store.delete(key));
    }

    @Override
    public ChannelStore.Charge chargeEncoding(String key, Message m, long bytes) {
        return store.chargeEncoding(key, m, bytes);
    }

    @Override
    public long budget() {
        return store.budget();
    }

    @Override
    public List<Subscriber> waiting() {
        return store.waiting();
    }
}
