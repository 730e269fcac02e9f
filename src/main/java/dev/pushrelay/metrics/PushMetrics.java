package dev.pushrelay.metrics;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The domain events the HTTP layer reports, where they happen. Implementations must be
 * cheap and thread-safe: events are reported on IO threads. Nothing here knows Micrometer;
 * {@link MicrometerPushMetrics} turns the events into meters.
 */
public interface PushMetrics {

    /** The publish outcome keys, in the order the status page lists them. */
    List<String> OUTCOMES = List.of("201", "202", "4xx", "5xx");

    /** Ignores every event; {@link #totals()} stays at zero. */
    PushMetrics NOOP = new PushMetrics() {
        @Override
        public void published() {
        }

        @Override
        public void delivered() {
        }

        @Override
        public void subscriberEnded(Ending how) {
        }

        @Override
        public void publishAnswered(int status, long nanos) {
        }

        @Override
        public Totals totals() {
            Map<Ending, Long> endings = new EnumMap<>(Ending.class);
            for (Ending e : Ending.values()) endings.put(e, 0L);
            Map<String, Long> outcomes = new java.util.HashMap<>();
            for (String o : OUTCOMES) outcomes.put(o, 0L);
            return new Totals(0, 0, endings, outcomes, 0, 0);
        }
    };

    /** A publisher POST/PUT stored or passed on a message (protocol.md §3.1: 201 or 202). */
    void published();

    /** A subscriber request was answered at once with a message (long-poll or interval-poll, §4.4). */
    void delivered();

    /** A parked long-poll ended; {@link Ending#MESSAGE} also counts as a delivery. */
    void subscriberEnded(Ending how);

    /**
     * A publisher POST/PUT was answered (every one, refusals too), with the time from the
     * request head to the end of the response.
     */
    void publishAnswered(int status, long nanos);

    /** The totals since start. */
    Totals totals();

    /** The outcome key of a publish status: "201", "202", "4xx", "5xx", or null for anything else. */
    static String outcome(int status) {
        if (status == 201) return "201";
        if (status == 202) return "202";
        if (status >= 400 && status < 500) return "4xx";
        if (status >= 500) return "5xx";
        return null;
    }
}
