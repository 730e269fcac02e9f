package dev.pushrelay.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Clock} that tests move by hand, so time-dependent behaviour (expiry, idle
 * timeouts) is tested without sleeping. Thread-safe; clocks made by {@link #withZone}
 * share the same time.
 */
public final class MutableClock extends Clock {

    private final AtomicReference<Instant> now;
    private final ZoneId zone;

    public MutableClock(Instant start) {
        this(new AtomicReference<>(start), ZoneOffset.UTC);
    }

    /** Starts at a fixed, whole-second instant (2024-01-01T00:00:00Z). */
    public MutableClock() {
        this(Instant.parse("2024-01-01T00:00:00Z"));
    }

    private MutableClock(AtomicReference<Instant> now, ZoneId zone) {
        this.now = now;
        this.zone = zone;
    }

    /** Moves the clock forward (or back, with a negative duration). */
    public void advance(Duration d) {
        now.updateAndGet(i -> i.plus(d));
    }

    public void advanceSeconds(long seconds) {
        advance(Duration.ofSeconds(seconds));
    }

    public void set(Instant instant) {
        now.set(instant);
    }

    /** The current epoch second, as the store sees it. */
    public long epochSecond() {
        return now.get().getEpochSecond();
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return new MutableClock(now, zone);
    }
}
