package dev.pushrelay.metrics;

import dev.pushrelay.store.StoreStats;

/**
 * The status page (README "Operating pushrelay"), in the spirit of nchan_stub_status: one
 * {@code name: value} line per total, or the same numbers as one JSON object. Built from
 * plain counters and {@link StoreStats}, never from a registry scrape, so polling it every
 * second is cheap.
 */
public final class StatusPage {

    private StatusPage() {
    }

    /** The text form; memory in whole kibibytes like nchan ("shared memory used: 12K"). */
    public static String text(Totals t, StoreStats s, long uptimeSeconds, String version) {
        StringBuilder b = new StringBuilder(512);
        line(b, "total published messages", t.published());
        line(b, "total delivered messages", t.delivered());
        line(b, "stored messages", s.messages());
        b.append("shared memory used: ").append(s.reservedBytes() / 1024).append("K\n");
        b.append("shared memory limit: ").append(s.budgetBytes() / 1024).append("K\n");
        line(b, "channels", s.channels());
        line(b, "subscribers", s.subscribers() + t.redisSubscribers());
        line(b, "redis subscribers", t.redisSubscribers());
        for (Ending e : Ending.values()) {
            line(b, "total subscriber endings " + e.label(), t.ending(e));
        }
        for (String o : PushMetrics.OUTCOMES) {
            line(b, "total publish " + o, t.outcome(o));
        }
        line(b, "total log lines dropped", t.logLinesDropped());
        line(b, "uptime", uptimeSeconds);
        b.append("pushrelay version: ").append(version).append('\n');
        return b.toString();
    }

    /** The JSON form: exact byte counts, endings and outcomes as nested objects. */
    public static String json(Totals t, StoreStats s, long uptimeSeconds, String version) {
        StringBuilder b = new StringBuilder(512).append('{');
        field(b, "published_messages", t.published()).append(',');
        field(b, "delivered_messages", t.delivered()).append(',');
        field(b, "stored_messages", s.messages()).append(',');
        field(b, "reserved_memory_used_bytes", s.reservedBytes()).append(',');
        field(b, "reserved_memory_limit_bytes", s.budgetBytes()).append(',');
        field(b, "channels", s.channels()).append(',');
        field(b, "subscribers", s.subscribers() + t.redisSubscribers()).append(',');
        field(b, "redis_subscribers", t.redisSubscribers()).append(',');
        b.append("\"subscriber_endings\":{");
        Ending[] all = Ending.values();
        for (int i = 0; i < all.length; i++) {
            if (i > 0) b.append(',');
            field(b, all[i].label(), t.ending(all[i]));
        }
        b.append("},\"publish_outcomes\":{");
        for (int i = 0; i < PushMetrics.OUTCOMES.size(); i++) {
            if (i > 0) b.append(',');
            field(b, PushMetrics.OUTCOMES.get(i), t.outcome(PushMetrics.OUTCOMES.get(i)));
        }
        b.append("},");
        field(b, "log_lines_dropped", t.logLinesDropped()).append(',');
        field(b, "uptime_seconds", uptimeSeconds).append(',');
        // the version comes from our own jar manifest: no characters that need escaping
        b.append("\"version\":\"").append(version).append("\"}\n");
        return b.toString();
    }

    private static void line(StringBuilder b, String name, long value) {
        b.append(name).append(": ").append(value).append('\n');
    }

    private static StringBuilder field(StringBuilder b, String name, long value) {
        return b.append('"').append(name).append("\":").append(value);
    }
}
