package dev.pushrelay.http;

import dev.pushrelay.channel.Subscriber;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Graceful stop of the parked long-polls (protocol.md §4.3, §10): each is answered as a
 * subscriber timeout would be, {@code 304 Not Modified}, header-only, no cursor headers;
 * the client re-polls with the cursor it already holds and misses nothing.
 *
 * <p>The parked long-polls are the store's waiters, so there is no registry here. Once
 * stopping, every response closes its connection, and a long-poll that would park is
 * answered 304 at once. A long-poll checks the flag after the store registered it, and
 * {@link #begin} sets the flag before it copies the waiters, so every long-poll is either
 * in the copy or sees the flag.
 */
public final class GracefulStop {

    /** Granularity of the spread: one batch of answers per tick. */
    private static final long TICK_MILLIS = 5;

    private final Supplier<List<Subscriber>> waiting;
    private volatile boolean draining;

    /** @param waiting every subscriber waiting now (the store's {@code waiting()}) */
    public GracefulStop(Supplier<List<Subscriber>> waiting) {
        this.waiting = waiting;
    }

    /** Long-polls currently parked on this server. */
    public int parked() {
        int n = 0;
        for (Subscriber s : waiting.get()) {
            if (s instanceof ParkedPoll) n++;
        }
        return n;
    }

    public boolean isDraining() {
        return draining;
    }

    /**
     * Starts draining and answers every parked long-poll with 304, spread evenly over
     * {@code windowMillis} so that thousands of clients do not reconnect in the same
     * millisecond; 0 answers them all at once. Blocks the calling thread (the stopping
     * one) for about the window.
     *
     * @return how many long-polls were answered
     */
    public int begin(long windowMillis) {
        draining = true;
        for (Subscriber s : waiting.get()) {
            if (s instanceof ChannelFollower.Lane stream) stream.stopping(); // protocol.md §14.2, §14.6
            else if (s instanceof LaterStore.Relay stream) stream.stopping(); // a stream's first wait on Redis
        }
        List<ParkedPoll> all = parkedNow();
        int n = all.size();
        int answered = 0;
        long ticks = Math.max(1, Math.min(n, windowMillis / TICK_MILLIS));
        long start = System.nanoTime();
        for (long k = 0; k < ticks; k++) {
            long due = start + TimeUnit.MILLISECONDS.toNanos(windowMillis * k / ticks);
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            int from = (int) (n * k / ticks);
            int to = (int) (n * (k + 1) / ticks);
            for (int i = from; i < to; i++) {
                if (all.get(i).answerNow(304)) answered++;
            }
        }
        // Anything that parked while we were answering the snapshot has already answered
        // itself (it saw the flag); this is only a safety net.
        for (ParkedPoll w : parkedNow()) {
            if (w.answerNow(304)) answered++;
        }
        return answered;
    }

    private List<ParkedPoll> parkedNow() {
        List<ParkedPoll> out = new ArrayList<>();
        for (Subscriber s : waiting.get()) {
            if (s instanceof ParkedPoll w) out.add(w);
        }
        return out;
    }
}
