package dev.pushrelay.store.redis;

import dev.pushrelay.channel.ConcurrencyMode;
import dev.pushrelay.channel.Fetch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Long-poll registrations waiting for their channel's subscribe script (protocol.md §13).
 * At most one script per channel is in flight from this node; registrations that arrive
 * meanwhile wait and go out together in the next one, in arrival order. A lone
 * registration goes out at once (no added latency); a fan-out's re-subscribing waiters
 * cost one round trip per batch instead of one each.
 */
final class Registrations {

    /** More than this many in one script would hold Redis for long: the rest wait for the next. */
    static final int MAX_BATCH = 256;

    /** One registration and what to tell its subscriber. */
    record Pending(WaiterHub.Entry entry, ConcurrencyMode mode, boolean authorizedOnly, int maxSubscribers,
                   boolean ignoreQueue, long channelTimeout, boolean reset, CompletableFuture<Fetch> out) { }

    private final ConcurrentHashMap<String, ArrayDeque<Pending>> queued = new ConcurrentHashMap<>();

    /**
     * @return the batch to send now (just {@code p}) when no script for {@code key} is in
     *         flight, or null when {@code p} waits for {@link #next}
     */
    List<Pending> submit(String key, Pending p) {
        boolean[] first = {false};
        queued.compute(key, (k, q) -> {
            if (q == null) {
                first[0] = true;
                return new ArrayDeque<>(2); // present = a script in flight
            }
            q.add(p);
            return q;
        });
        return first[0] ? List.of(p) : null;
    }

    /**
     * The script for {@code key} answered.
     *
     * @return the registrations queued meanwhile (at most {@link #MAX_BATCH}), now in
     *         flight, or null when none waited (nothing for {@code key} is in flight then)
     */
    List<Pending> next(String key) {
        List<Pending> out = new ArrayList<>();
        queued.computeIfPresent(key, (k, q) -> {
            if (q.isEmpty()) return null;
            while (!q.isEmpty() && out.size() < MAX_BATCH) out.add(q.poll());
            return q;
        });
        return out.isEmpty() ? null : out;
    }
}
