package dev.pushrelay.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The parked long-polls of this server, so that a graceful stop can answer each one as a
 * subscriber timeout would (protocol.md §4.3, §10): {@code 304 Not Modified}, header-only,
 * no cursor headers; the client re-polls with the cursor it already holds and misses
 * nothing.
 *
 * <p>Registering and leaving are one concurrent-set operation each, O(1). Once draining,
 * every response closes its connection, and a long-poll that would park is answered 304 at
 * once instead; registration checks the flag after adding itself and the drainer sets the
 * flag before looking, so no long-poll slips between the two.
 */
public final class Drain {

    /** Granularity of the spread: one batch of answers per tick. */
    private static final long TICK_MILLIS = 5;

    private final Set<WaitingSubscriber> parked = ConcurrentHashMap.newKeySet();
    private volatile boolean draining;

    /** Long-polls currently parked. */
    public int parked() {
        return parked.size();
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
    public int drain(long windowMillis) {
        draining = true;
        List<WaitingSubscriber> all = new ArrayList<>(parked);
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
                if (all.get(i).interrupt(304)) answered++;
            }
        }
        // Anything that parked while we were answering the snapshot has already answered
        // itself (it saw the flag); this is only a safety net.
        for (WaitingSubscriber w : parked) {
            if (w.interrupt(304)) answered++;
        }
        return answered;
    }

    /** @return false when draining: the caller answers 304 itself instead of waiting */
    boolean register(WaitingSubscriber w) {
        parked.add(w);
        return !draining;
    }

    void leave(WaitingSubscriber w) {
        parked.remove(w);
    }
}
