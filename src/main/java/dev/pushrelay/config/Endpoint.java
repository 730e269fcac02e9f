package dev.pushrelay.config;

/** What a location serves. */
public enum Endpoint {
    /** No push handler: static files, return, or 404. */
    NONE,
    /** push_publisher (protocol.md §3). */
    PUBLISHER,
    /** push_subscriber (protocol.md §4). */
    SUBSCRIBER,
    /** pushrelay_metrics: Prometheus text format (README "Operating pushrelay"). */
    METRICS,
    /** pushrelay_status: totals as text or JSON (README "Operating pushrelay"). */
    STATUS
}
