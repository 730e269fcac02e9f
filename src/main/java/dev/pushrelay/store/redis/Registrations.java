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
 * At most {@link #IN_FLIGHT} scripts per channel are in flight from this node; registrations
 * that arrive while they are wait and go out together in the next one, in arrival order (one
 * connection: Redis runs them in the order sent). A registration that finds a free slot goes
 * out at once (no added latency); a fan-out's re-subscribing waiters cost one round trip per
 * batch instead of one each.
 */
final class Registrations {

    /** Scripts in flight per channel before registrations wait for one to answer. */
    static final int IN_FLIGHT = 16;
    /** More than this many in one script would hold Redis for long: the rest wait for the next. */
    static final int MAX_BATCH = 256;

    /** One registration and what to tell its subscriber. */
    record Pending(WaiterHub.Entry entry, ConcurrencyMode mode, boolean authorizedOnly, int maxSubscribers,
                   boolean ignoreQueue, long channelTimeout, boolean reset, CompletableFuture<Fetch> out) { }

    private static final class Channel {
        final ArrayDeque<Pending> queued = new ArrayDeque<>();
        int inFlight;
        /** A {@link #drain} is due at the end of the current IO turn. */
        boolean drainDue;
    }

    private final ConcurrentHashMap<String, Channel> channels = new ConcurrentHashMap<>();

    /**
     * @return the batch to send now (just {@code p}) when a slot for {@code key} is free, or
     *         null when {@code p} waits for {@link #next}
     */
    List<Pending> submit(String key, Pending p) {
        boolean[] now = {false};
        channels.compute(key, (k, c) -> {
            if (c == null) c = new Channel();
            if (c.inFlight < IN_FLIGHT && c.queued.isEmpty() && !c.drainDue) {
                c.inFlight++;
                now[0] = true;
            } else {
                c.queued.add(p);
            }
            return c;
        });
        return now[0] ? List.of(p) : null;
    }

    /**
     * Queues {@code p} to go out with the other registrations of {@code key} that arrive in
     * the same IO turn (the IO thread's connection, {@link ThreadConnections}).
     *
     * @return true when the caller must run {@link #drain} at the end of the turn (the first
     *         registration queued since the last drain)
     */
    boolean queue(String key, Pending p) {
        boolean[] due = {false};
        channels.compute(key, (k, c) -> {
            if (c == null) c = new Channel();
            c.queued.add(p);
            if (!c.drainDue) {
                c.drainDue = true;
                due[0] = true;
            }
            return c;
        });
        return due[0];
    }

    /**
     * The end of the turn: the registrations queued for {@code key} as one batch (at most
     * {@link #MAX_BATCH}) when a slot is free, else null (they go out with {@link #next}).
     */
    List<Pending> drain(String key) {
        List<Pending> out = new ArrayList<>();
        channels.computeIfPresent(key, (k, c) -> {
            c.drainDue = false;
            if (c.inFlight < IN_FLIGHT && !c.queued.isEmpty()) {
                while (!c.queued.isEmpty() && out.size() < MAX_BATCH) out.add(c.queued.poll());
                c.inFlight++;
            }
            return c.inFlight == 0 && c.queued.isEmpty() ? null : c;
        });
        return out.isEmpty() ? null : out;
    }

    /**
     * A script for {@code key} answered.
     *
     * @return the registrations queued meanwhile (at most {@link #MAX_BATCH}), now in
     *         flight in its slot, or null when none waited
     */
    List<Pending> next(String key) {
        List<Pending> out = new ArrayList<>();
        channels.computeIfPresent(key, (k, c) -> {
            while (!c.queued.isEmpty() && out.size() < MAX_BATCH) out.add(c.queued.poll());
            if (out.isEmpty()) c.inFlight--;
            return c.inFlight == 0 && c.queued.isEmpty() && !c.drainDue ? null : c;
        });
        return out.isEmpty() ? null : out;
    }
}
