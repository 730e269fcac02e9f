package dev.pushrelay.metrics;

import java.util.Locale;

/**
 * How a parked long-poll ended (protocol.md §4.3, §4.6): exactly one of these per wait.
 * A graceful stop answers as a timeout would (304), so it counts as {@link #TIMEOUT}.
 */
public enum Ending {
    /** A published message was sent (200). */
    MESSAGE,
    /** push_subscriber_timeout (304), or a graceful stop. */
    TIMEOUT,
    /** Concurrency {@code last} kicked it (409). */
    CONFLICT,
    /** The channel was deleted (410). */
    GONE,
    /** The client closed the connection (logged as nginx's 499). */
    DISCONNECT;

    /** The tag value in metrics and the key in the status page. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
