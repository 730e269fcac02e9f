package dev.pushrelay.loadgen;

/**
 * One subscriber's connection attempts, whatever its transport: the group's connect ramp
 * ({@code connecting}, {@code started}), a reconnect after a backoff when the connection closes
 * (counted, since a correct run has none), and giving up after {@link #MAX_FAILURES} failures
 * in a row. Used on the subscriber's loop thread, except {@link #start()}.
 */
final class Reconnects {
    static final int MAX_FAILURES = 10;

    private final Subscriber.Group group;
    private final Conn conn;
    private final String who;
    private boolean started;
    private int failures;

    Reconnects(Subscriber.Group group, Conn conn, String who) {
        this.group = group;
        this.conn = conn;
        this.who = who;
    }

    /** The first connect (any thread): the subscriber joins the ramp. */
    void start() {
        group.connecting.incrementAndGet();
        conn.loop.execute(() -> conn.loop.connect(conn, group.target.subAddress));
    }

    /** Connected: the first time, the subscriber leaves the ramp and counts as started. */
    void connected() {
        if (!started) {
            started = true;
            group.connecting.decrementAndGet();
            group.started.incrementAndGet();
        }
    }

    /** An answer that worked: the count of failures in a row starts again. */
    void succeeded() {
        failures = 0;
    }

    /** One more failure in a row: true to try again (after {@link #backoff}), false if it gave up. */
    boolean failed(Stats s, String why) {
        if (++failures > MAX_FAILURES) {
            giveUp(s, why);
            return false;
        }
        return true;
    }

    /** Milliseconds to wait before the next try: {@code step} per failure in a row. */
    long backoff(long step) {
        return step * failures;
    }

    /** The connection failed or the server closed it: reconnect after a backoff, or give up. */
    void closed(Stats s, String reason) {
        s.error(who + ": " + reason);
        if (failed(s, "too many connection failures")) {
            s.reconnects++;
            conn.loop.schedule(backoff(50), () -> conn.loop.connect(conn, group.target.subAddress));
        }
    }

    private void giveUp(Stats s, String why) {
        s.error("subscriber gave up: " + why);
        group.gaveUp.incrementAndGet();
        if (!started) {
            started = true;
            group.connecting.decrementAndGet();
        }
        conn.close(true);
    }
}
