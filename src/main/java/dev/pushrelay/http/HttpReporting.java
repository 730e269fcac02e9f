package dev.pushrelay.http;

import dev.pushrelay.logging.LogSink;
import dev.pushrelay.metrics.PushMetrics;

import java.time.Clock;
import java.time.ZoneId;
import java.util.function.Supplier;

/**
 * What the HTTP layer reports to and reads from for operations (README "Operating
 * pushrelay"): the metric events, the Prometheus text of every meter, the log writer, and
 * the clock and zone of {@code $time_local}.
 *
 * @param prometheus the text for a pushrelay_metrics location (called off the IO threads)
 * @param logs where access_log lines go; null writes no access log
 * @param version shown on the status page
 */
public record HttpReporting(PushMetrics metrics, Supplier<String> prometheus, LogSink logs, Clock clock,
                            ZoneId zone, String version) {

    /** No metrics, no logs: what a handler built without wiring uses. */
    public static HttpReporting none(Clock clock) {
        return new HttpReporting(PushMetrics.NOOP, () -> "", null, clock, ZoneId.systemDefault(), "dev");
    }
}
