package dev.pushrelay.testing;

import dev.pushrelay.channel.Message;
import dev.pushrelay.channel.Refusal;
import dev.pushrelay.channel.Subscriber;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A {@link Subscriber} that records every {@code deliver} and {@code end} call. Thread-safe.
 * It can pretend to have ended already ({@link #alreadyEnded()}: {@code deliver} returns
 * false) and can run a hook on delivery (e.g. to complete a future in concurrency tests).
 */
public final class RecordingSubscriber implements Subscriber {

    private final List<Message> delivered = new ArrayList<>();
    private final List<Refusal> ended = new ArrayList<>();
    private volatile boolean accepts = true;
    private volatile Consumer<Message> onDeliver = m -> { };
    private volatile Consumer<Refusal> onEnd = r -> { };

    /** From now on {@code deliver} reports that this subscriber had already gone (timeout/disconnect). */
    public RecordingSubscriber alreadyEnded() {
        accepts = false;
        return this;
    }

    public RecordingSubscriber onDeliver(Consumer<Message> hook) {
        this.onDeliver = hook;
        return this;
    }

    public RecordingSubscriber onEnd(Consumer<Refusal> hook) {
        this.onEnd = hook;
        return this;
    }

    @Override
    public boolean deliver(Message message) {
        synchronized (this) {
            delivered.add(message);
        }
        onDeliver.accept(message);
        return accepts;
    }

    @Override
    public void end(Refusal why) {
        synchronized (this) {
            ended.add(why);
        }
        onEnd.accept(why);
    }

    public synchronized List<Message> delivered() {
        return List.copyOf(delivered);
    }

    public synchronized List<Refusal> ended() {
        return List.copyOf(ended);
    }

    /** Total calls of either method: the store must make at most one per registration. */
    public synchronized int calls() {
        return delivered.size() + ended.size();
    }

    @Override
    public synchronized String toString() {
        return "RecordingSubscriber[delivered=" + delivered + ", ended=" + ended + "]";
    }
}
