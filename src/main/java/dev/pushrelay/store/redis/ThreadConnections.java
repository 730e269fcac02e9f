package dev.pushrelay.store.redis;

import java.util.concurrent.CompletableFuture;

/**
 * Redis connections owned by the server's IO threads, one per thread (protocol.md §13): a
 * command sent from a request's IO thread is written by that thread and its reply is read
 * and handled there too, as nchan does on each nginx worker, instead of crossing to the Redis
 * client's own threads and back. Provided by the server (the domain knows no IO library);
 * where there is none, {@link RedisBroker} uses its shared Lettuce connection.
 */
public interface ThreadConnections extends AutoCloseable {

    /** The calling thread's connection when it is ready for a command now, else null. */
    Connection current();

    /**
     * Also hands every message published on {@code channel} to {@code onMessage}, on the
     * first IO thread that asks for its connection, so the waiters of that thread are woken
     * without a hand-off. {@code subscribed} hears {@code true} once Redis confirmed the
     * subscription (every message published after it is handed over while it lasts) and
     * {@code false} when it is lost (messages may have been missed since); the broker covers
     * the time in between with its own subscription (protocol.md §13).
     */
    void listen(byte[] channel, java.util.function.Consumer<byte[]> onMessage,
                java.util.function.Consumer<Boolean> subscribed);

    /** Closes every connection; commands in flight fail as unavailable. */
    @Override
    void close();

    /** One pipelined connection; used only on the thread that owns it. */
    interface Connection {
        /**
         * Sends one command; {@code reply} completes on this thread with the reply (see
         * {@link Resp}), or exceptionally: an error reply as itself, a lost connection or
         * a command timeout as {@link dev.pushrelay.store.BrokerUnavailableException}.
         */
        void send(CompletableFuture<Object> reply, byte[]... command);

        /**
         * Runs {@code task} on this thread once the requests it is handling now are done
         * (before their commands are written), to gather what they ask into one command.
         */
        void afterTurn(Runnable task);
    }
}
